import type { PGlite } from '@electric-sql/pglite';
import type { PostgresSinkOptions } from '@mini-agent/exporter-postgres';
import { createTestDatabase, createTestPglite, hasPostgres } from '@mini-agent/test-support';
import postgres from 'postgres';

/** A row as a test reads it back. */
export type Row = Record<string, unknown>;

/** One database the bridge's sink writes into, read back independently of the sink. */
export interface RowTarget {
  readonly options: PostgresSinkOptions;
  query(text: string): Promise<Row[]>;
  close(): Promise<void>;
}

/** The two places rows land: a PostgreSQL server (when one can run here) and embedded PGlite. `open(label)` names the database. */
export const ROW_BACKENDS: readonly { name: string; available: boolean; open(label: string): Promise<RowTarget> }[] = [
  {
    name: 'a PostgreSQL server',
    available: hasPostgres(),
    async open(label) {
      const database = await createTestDatabase(label);
      const sql = postgres(database.url, { max: 1, onnotice: () => {} });
      return {
        options: { databaseUrl: database.url },
        query: async (text) => [...(await sql.unsafe<Row[]>(text))],
        async close() {
          await sql.end();
          await database.drop();
        },
      };
    },
  },
  {
    name: 'embedded PGlite',
    available: true,
    async open() {
      const db: PGlite = await createTestPglite();
      return { options: { pglite: db }, query: async (text) => (await db.query<Row>(text)).rows, close: () => db.close() };
    },
  },
];
