import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable, Row } from './database.js';

/** Where the embedded database lives when nothing else is configured (relative to the working directory). */
export const DEFAULT_PGLITE_DIR = '.mini-agent/pglite';

/** Opens (or creates) an embedded PGlite database in `dataDir`; `memory://` keeps it in memory. */
export async function openPgliteDatabase(dataDir: string = DEFAULT_PGLITE_DIR): Promise<Database> {
  const inMemory = dataDir.startsWith('memory://');
  const location = inMemory ? dataDir : resolve(dataDir);
  if (!inMemory) mkdirSync(location, { recursive: true });
  const db = await PGlite.create(location);
  return pgliteDatabase(db, { owned: true });
}

/**
 * A {@link Database} over a PGlite instance. `owned: false` (an instance the caller passed in)
 * leaves it open on close: the caller decides when it ends.
 */
export function pgliteDatabase(db: PGlite, options: { owned: boolean }): Database {
  const queryable = (q: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    query: async (text, params = []) => (await q.query<Row>(text, [...params])).rows,
    async execScript(text) {
      await q.exec(text);
    },
  });
  return {
    ...queryable(db),
    transaction: (fn) => db.transaction((tx) => fn(queryable(tx))),
    async transactionBatch(statements) {
      // PGlite runs one statement at a time anyway: nothing to pipeline.
      await db.transaction(async (tx) => {
        for (const s of statements) await tx.query(s.text, [...s.params]);
      });
    },
    async close() {
      if (options.owned && !db.closed) await db.close();
    },
  };
}
