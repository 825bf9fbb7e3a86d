import type { PGlite, Transaction } from '@electric-sql/pglite';

/** A result row, column name → value as the driver parsed it (bigint counts as numbers). */
export type Row = Record<string, unknown>;

/** Runs one statement with `$1`-style parameters inside the page's read-only transaction. */
export type Query = <R extends object = Row>(text: string, params?: readonly (string | number | null)[]) => Promise<R[]>;

/**
 * The dashboard's only way to the data: each page reads inside one read-only transaction, so a bug
 * (or a hostile query parameter) cannot change a row, and every figure on a page comes from the
 * same snapshot (REPEATABLE READ).
 */
export interface ReadOnlyDatabase {
  /** Runs `work` in a read-only, repeatable-read transaction. Queries issued together are pipelined where the driver can. */
  read<T>(work: (query: Query) => Promise<T>): Promise<T>;
  /** Closes what this object opened. */
  close(): Promise<void>;
}

/** How every page transaction begins: one consistent snapshot, no writes. */
export const READ_ONLY = 'ISOLATION LEVEL REPEATABLE READ, READ ONLY';

/**
 * A {@link ReadOnlyDatabase} over a PGlite instance. `owned`: this object opened it, so it also
 * turns the whole session read-only and closes it at the end; an instance passed in by the caller
 * is left as it was.
 */
export async function pgliteReadOnlyDatabase(db: PGlite, options: { owned: boolean }): Promise<ReadOnlyDatabase> {
  if (options.owned) await db.exec('SET default_transaction_read_only = on');
  const runner = (tx: Transaction): Query => async (text, params = []) => (await tx.query(text, [...params])).rows as never;
  return {
    read: (work) =>
      db.transaction(async (tx) => {
        await tx.exec(`SET TRANSACTION ${READ_ONLY}`);
        return work(runner(tx));
      }),
    async close() {
      if (options.owned && !db.closed) await db.close();
    },
  };
}
