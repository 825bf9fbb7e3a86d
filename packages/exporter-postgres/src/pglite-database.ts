import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable, Row } from './database.js';

/** Where the embedded database lives when nothing else is configured (relative to the working directory). */
export const DEFAULT_PGLITE_DIR = '.mini-agent/pglite';

/**
 * Open data directories of this process. Two PGlite instances on one directory would corrupt it,
 * so exporters, sinks and `migrate()` pointed at the same directory share one instance, closed
 * when the last of them closes.
 */
const openDirs = new Map<string, { db: Promise<PGlite>; users: number }>();

/** Opens (or creates) an embedded PGlite database in `dataDir`; `memory://` keeps it in memory. */
export async function openPgliteDatabase(dataDir: string = DEFAULT_PGLITE_DIR): Promise<Database> {
  if (dataDir.startsWith('memory://')) return pgliteDatabase(await PGlite.create(dataDir), { owned: true });
  const location = resolve(dataDir);
  let entry = openDirs.get(location);
  if (!entry) {
    mkdirSync(location, { recursive: true });
    const db = PGlite.create(location);
    entry = { db, users: 0 };
    openDirs.set(location, entry);
    db.catch(() => openDirs.delete(location));
  }
  entry.users += 1;
  const shared = entry;
  const db = await shared.db.catch((error: unknown) => {
    shared.users -= 1;
    throw error;
  });
  let released = false;
  return {
    ...pgliteDatabase(db, { owned: false }),
    async close() {
      if (released) return;
      released = true;
      shared.users -= 1;
      if (shared.users > 0) return;
      openDirs.delete(location);
      if (!db.closed) await db.close();
    },
  };
}

/**
 * A {@link Database} over a PGlite instance. `owned: false` (an instance the caller passed in)
 * leaves it open on close: the caller decides when it ends.
 */
export function pgliteDatabase(db: PGlite, options: { owned: boolean }): Database {
  const queryable = (q: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    query: async (text, params = []) => (await q.query<Row>(text, [...params])).rows,
    async execScript(text, options) {
      const onNotice = options?.onNotice;
      await q.exec(text, onNotice ? { onNotice: (notice) => onNotice(notice.message ?? '') } : undefined);
    },
  });
  return {
    ...queryable(db),
    // PGlite's COPY reads from a blob, not a stream; its multi-row INSERTs are fast enough.
    canCopy: false,
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
