// The two databases every SQL suite runs on: a real PostgreSQL server and PGlite, behind one small
// query interface, migrated by migrate() as users' databases are.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestDatabase, createTestPglite, hasPostgres } from '@mini-agent/test-support';
import postgres from 'postgres';
import { findSqlDir, isSupabaseFile, listMigrations, migrate, type PartitionRequest } from '../src/index.js';

/** Runs one statement with `$1`-style parameters and returns its rows. */
export type Query = <Row = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<Row[]>;

/** One open database of a suite. */
export interface SqlDatabase {
  readonly query: Query;
  /** Runs a script of several statements (no parameters). */
  exec(script: string): Promise<void>;
  /**
   * Runs `work` in a transaction that is always rolled back, so role switches (`SET LOCAL ROLE`),
   * policy changes and rows written inside it never leak into the next test.
   */
  rolledBack<T>(work: (query: Query) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Which layers of the schema a suite needs. */
export interface Layers {
  /** Also the Supabase layer (roles, row-level security, public views). */
  readonly supabase: boolean;
  /** The partitioned layout of the big tables (sql/090_partitions.sql); omitted: plain tables. */
  readonly partitioned?: PartitionRequest;
}

/** A database a suite can open, migrated, and whether this run has it. */
export interface SqlDatabaseKind {
  readonly name: string;
  readonly available: boolean;
  open(layers: Layers): Promise<SqlDatabase>;
}

/**
 * Runs every migration file again as written, bypassing migrate()'s record of applied files (the
 * way a user pasting them into psql or the Supabase SQL editor would): each must be a no-op.
 */
export async function runMigrationFilesAgain(db: SqlDatabase, layers: Layers): Promise<void> {
  const dir = findSqlDir();
  // On the partitioned layout 043 is the one file that cannot run again: it would put back the key
  // without the time column, which PostgreSQL refuses on a partitioned table (the file then fails
  // as a whole and changes nothing; migrate() never runs it twice). docs/scaling.md says so.
  const [spans] = await db.query<{ partitioned: boolean }>(
    "SELECT relkind = 'p' AS partitioned FROM pg_catalog.pg_class WHERE oid = to_regclass('mini_agent_observability.spans')",
  );
  for (const file of listMigrations(dir)) {
    if (spans?.partitioned === true && file.name === '043_trace_scoped_keys.sql') continue;
    if (layers.supabase || !isSupabaseFile(file.name)) await db.exec(readFileSync(join(dir, file.name), 'utf8'));
  }
}

class Rollback extends Error {}

async function openServer(layers: Layers): Promise<SqlDatabase> {
  const database = await createTestDatabase('sql');
  await migrate(database.url, layers);
  const sql = postgres(database.url, {
    max: 1,
    onnotice: () => {},
    // bigint counts as numbers, as PGlite returns them; test counts are far below 2^53.
    types: { bigint: { to: 20, from: [20], serialize: (value: number) => String(value), parse: (value: string) => Number(value) } },
  });
  const runner = (target: postgres.Sql | postgres.TransactionSql): Query =>
    async (text, params = []) => (await target.unsafe(text, params as postgres.ParameterOrJSON<never>[])) as never;
  return {
    query: runner(sql),
    async exec(script) {
      await sql.unsafe(script);
    },
    async rolledBack(work) {
      let result: Awaited<ReturnType<typeof work>> | undefined;
      try {
        await sql.begin(async (tx) => {
          result = await work(runner(tx));
          throw new Rollback();
        });
      } catch (error) {
        if (!(error instanceof Rollback)) throw error;
      }
      return result as Awaited<ReturnType<typeof work>>;
    },
    async close() {
      await sql.end();
      await database.drop();
    },
  };
}

async function openPglite(layers: Layers): Promise<SqlDatabase> {
  const db = await createTestPglite();
  await migrate(db, layers);
  return {
    query: async (text, params = []) => (await db.query(text, params)).rows as never,
    async exec(script) {
      await db.exec(script);
    },
    async rolledBack(work) {
      let result: Awaited<ReturnType<typeof work>> | undefined;
      try {
        await db.transaction(async (tx) => {
          result = await work(async (text, params = []) => (await tx.query(text, params)).rows as never);
          throw new Rollback();
        });
      } catch (error) {
        if (!(error instanceof Rollback)) throw error;
      }
      return result as Awaited<ReturnType<typeof work>>;
    },
    async close() {
      await db.close();
    },
  };
}

/** Both databases; a suite runs once on each (`describe.each`), skipping the server when the run has none. */
export const sqlDatabaseKinds: SqlDatabaseKind[] = [
  { name: 'PostgreSQL server', available: hasPostgres(), open: openServer },
  { name: 'PGlite', available: true, open: openPglite },
];

/**
 * The partitioned layout the layout suites run on besides the plain one: weekly partitions from a
 * few weeks before the suites' fixed test times (early March 2026) through a week ahead, so rows
 * land in real partitions, and rows of other times in the DEFAULT partition.
 */
export const TEST_PARTITIONS: PartitionRequest = { grain: 'week', since: new Date('2026-02-01T00:00:00Z') };

/**
 * Both databases in both layouts, plain and partitioned: the suites whose answers must not depend
 * on the layout (analytics, rollups) run on each.
 */
export const layoutKinds: SqlDatabaseKind[] = [
  ...sqlDatabaseKinds,
  ...sqlDatabaseKinds.map((kind) => ({
    ...kind,
    name: `${kind.name}, partitioned by week`,
    open: (layers: Layers) => kind.open({ ...layers, partitioned: TEST_PARTITIONS }),
  })),
];
