import { PostgresExporter } from '@mini-agent/exporter-postgres';
import { createTestDatabase, createTestPglite, hasPostgres } from '@mini-agent/test-support';
import postgres from 'postgres';

/** A row as a test reads it back. */
export type Row = Record<string, unknown>;

/** A fresh database with the tables, the exporter writing into it, and a way to read rows back. */
export interface StoredRows {
  readonly exporter: PostgresExporter;
  query(text: string, params?: string[]): Promise<Row[]>;
  close(): Promise<void>;
}

/** Where rows land: the embedded PGlite default always, the PostgreSQL server when one runs. */
export interface Backend {
  readonly name: string;
  readonly available: boolean;
  open(): Promise<StoredRows>;
}

export const PGLITE: Backend = {
  name: 'PGlite',
  available: true,
  async open() {
    const db = await createTestPglite();
    const exporter = new PostgresExporter({ pglite: db });
    await exporter.ready;
    return {
      exporter,
      query: async (text, params = []) => (await db.query<Row>(text, params)).rows,
      close: () => db.close(),
    };
  },
};

export const POSTGRES_SERVER: Backend = {
  name: 'PostgreSQL server',
  available: hasPostgres(),
  async open() {
    const database = await createTestDatabase('instrumentations');
    const exporter = new PostgresExporter({ databaseUrl: database.url });
    await exporter.ready;
    const sql = postgres(database.url, { max: 1, onnotice: () => {} });
    return {
      exporter,
      query: async (text, params = []) => [...(await sql.unsafe<Row[]>(text, params))],
      async close() {
        await sql.end();
        await database.drop();
      },
    };
  },
};

export const BACKENDS: readonly Backend[] = [PGLITE, POSTGRES_SERVER];

/** For stories told once: the server when it runs (a fresh database there is cheap), else PGlite. */
export const ONE_BACKEND: Backend = POSTGRES_SERVER.available ? POSTGRES_SERVER : PGLITE;

const SCHEMA = 'mini_agent_observability';

/**
 * The rows of one table for one trace, oldest first. Token counts are `bigint` columns, which the
 * server's driver returns as strings and PGlite as numbers: both are read back as numbers.
 */
export async function rowsOf(db: StoredRows, table: string, traceId: string): Promise<Row[]> {
  const key = table === 'traces' ? 'id' : 'trace_id';
  const rows = await db.query(`SELECT * FROM ${SCHEMA}.${table} WHERE ${key} = $1 ORDER BY started_at NULLS LAST, ended_at NULLS LAST`, [traceId]);
  return rows.map((row) =>
    Object.fromEntries(Object.entries(row).map(([column, value]) => [column, column.endsWith('_tokens') && value !== null ? Number(value) : value])),
  );
}
