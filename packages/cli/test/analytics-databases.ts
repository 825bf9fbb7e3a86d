// The two databases the report and alerts suites run the built CLI against: a real PostgreSQL
// server and an on-disk PGlite data directory, each migrated by migrate() as a user's would be.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { migrate, type PostgresSinkOptions } from '@mini-agent/exporter-postgres';
import { createTestDatabase, hasPostgres } from '@mini-agent/test-support';
import postgres from 'postgres';

/** A row as the test reads it back; bigint counts as numbers on both databases. */
export type Row = Record<string, unknown>;

/** A migrated, empty database, the CLI flags that name it, and a way to query it directly. */
export interface CliDatabase {
  /** `--database-url URL` or `--data-dir DIR`. */
  readonly flags: readonly string[];
  /** Where PostgresExporter writes. */
  readonly sink: PostgresSinkOptions;
  query(text: string, params?: unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

/** A kind of database a suite runs on, and whether this run has it. */
export interface CliDatabaseKind {
  readonly name: string;
  readonly available: boolean;
  open(): Promise<CliDatabase>;
}

const server: CliDatabaseKind = {
  name: 'a PostgreSQL server',
  available: hasPostgres(),
  async open() {
    const database = await createTestDatabase('cli_analytics');
    await migrate(database.url);
    const sql = postgres(database.url, {
      max: 1,
      onnotice: () => {},
      types: { bigint: { to: 20, from: [20], serialize: (value: number) => String(value), parse: (value: string) => Number(value) } },
    });
    return {
      flags: ['--database-url', database.url],
      sink: { databaseUrl: database.url },
      query: async (text, params = []) => [...(await sql.unsafe(text, params as never[]))],
      async close() {
        await sql.end();
        await database.drop();
      },
    };
  },
};

// The test keeps its PGlite instance open while the CLI runs, as an agent writing into the same
// directory would: the CLI reads a copy and must see every committed row.
const pglite: CliDatabaseKind = {
  name: 'PGlite',
  available: true,
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'cli-analytics-'));
    const dataDir = join(dir, 'pglite');
    const db = await PGlite.create(dataDir);
    await migrate(db);
    return {
      flags: ['--data-dir', dataDir],
      sink: { pglite: db },
      query: async (text, params = []) => (await db.query<Row>(text, params)).rows,
      async close() {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

/** Every suite runs on both. */
export const CLI_DATABASES: readonly CliDatabaseKind[] = [server, pglite];

/** A row of an analytics function as the CLI's JSON names it: camelCase keys, times as ISO strings. */
export function asJson(row: Row): Row {
  return Object.fromEntries(
    Object.entries(row).map(([key, value]) => [key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()), value instanceof Date ? value.toISOString() : value]),
  );
}
