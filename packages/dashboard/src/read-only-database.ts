import { connect, type Socket } from 'node:net';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import postgres from 'postgres';

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

const READ_ONLY = 'ISOLATION LEVEL REPEATABLE READ, READ ONLY';

/** Options of {@link openServerDatabase}. */
export interface ServerDatabaseOptions {
  readonly url: string;
  /** Prepared statements; off behind transaction poolers (Supabase port 6543, `pgbouncer=true`). */
  readonly prepare: boolean;
}

/** A {@link ReadOnlyDatabase} on a PostgreSQL server or Supabase, through the `postgres` driver. */
export function openServerDatabase(options: ServerDatabaseOptions): ReadOnlyDatabase {
  const driverOptions: postgres.Options<{}> & { socket: SocketFactory } = {
    prepare: options.prepare,
    max: 4,
    connect_timeout: 10,
    idle_timeout: 60,
    onnotice: () => {},
    connection: { application_name: 'mini-agent-otel dashboard' },
    // Counts are bigint; the pages count far below 2^53, and numbers compare and format like numbers.
    types: { bigint: { to: 20, from: [20], serialize: (v: number) => String(v), parse: (v: string) => Number(v) } },
    // `socket` is a documented driver option its type declarations leave out.
    socket: noDelaySocket(),
  };
  const sql = postgres(options.url, driverOptions);
  return {
    async read(work) {
      const result = await sql.begin(READ_ONLY, (tx) =>
        work(async (text, params = []) => [...(await tx.unsafe(text, [...params] as never[]))] as never),
      );
      return result as Awaited<ReturnType<typeof work>>;
    },
    async close() {
      await sql.end({ timeout: 5 });
    },
  };
}

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

type SocketFactory = (o: { host: string[]; port: number[]; path?: string | false }) => Socket;

/**
 * The driver leaves Nagle's algorithm on, which stalls pipelined round trips by ~40 ms each — a
 * page pipelines several queries, so that would be most of its time budget. Handing the driver a
 * socket with `noDelay` is its supported way to change that.
 */
function noDelaySocket(): SocketFactory {
  let next = 0;
  return (o) => {
    if (o.path) return connect({ path: o.path });
    const i = next++ % o.host.length;
    const host = o.host[i] ?? 'localhost';
    const port = o.port[i] ?? 5432;
    // The driver reads host and port back for error messages and as the TLS server name.
    return Object.assign(connect({ host, port, noDelay: true }), { host, port });
  };
}
