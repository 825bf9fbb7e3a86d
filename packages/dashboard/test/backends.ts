// The two databases every dashboard suite runs on: PGlite and a real PostgreSQL server, each with
// the migrations applied (the server also with the search indexes), plus a way to ask the analytics functions directly for the expected numbers.
import type { PGlite } from '@electric-sql/pglite';
import { migrate } from '@mini-agent/exporter-postgres';
import { createTestDatabase, createTestPglite, hasPostgres } from '@mini-agent/test-support';
import postgres from 'postgres';
import { createSearchIndexes, type DashboardOptions } from '../src/index.js';

/** Runs one statement against the database directly (not through the dashboard). */
export type Expect = <R = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<R[]>;

/** An open, migrated, empty database of one kind. */
export interface DashboardDb {
  /** Options that point the dashboard (and the exporter) at it. */
  readonly options: DashboardOptions & { pglite?: PGlite; databaseUrl?: string };
  readonly query: Expect;
  close(): Promise<void>;
}

/** One kind of database, and whether this run has it. */
export interface Backend {
  readonly name: 'PGlite' | 'PostgreSQL server';
  readonly available: boolean;
  create(): Promise<DashboardDb>;
}

const embedded: Backend = {
  name: 'PGlite',
  available: true,
  async create() {
    const db = await createTestPglite();
    await migrate(db);
    return {
      options: { pglite: db },
      query: async (text, params = []) => (await db.query(text, params)).rows as never,
      close: () => db.close(),
    };
  },
};

const server: Backend = {
  name: 'PostgreSQL server',
  available: hasPostgres(),
  async create() {
    const database = await createTestDatabase('dashboard');
    await migrate(database.url);
    // With the search indexes (opt-in), so the server suites run the indexed search and PGlite the scan.
    await createSearchIndexes(database.url);
    const sql = postgres(database.url, {
      max: 1,
      onnotice: () => {},
      types: { bigint: { to: 20, from: [20], serialize: (v: number) => String(v), parse: (v: string) => Number(v) } },
    });
    return {
      options: { databaseUrl: database.url },
      query: async (text, params = []) => [...(await sql.unsafe(text, params as never[]))] as never,
      async close() {
        await sql.end();
        await database.drop();
      },
    };
  },
};

/** Both; a suite runs once on each, and says so when this run has no server. */
export const BACKENDS: readonly Backend[] = [embedded, server];
