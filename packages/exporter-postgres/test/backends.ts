import type { PGlite } from '@electric-sql/pglite';
import { createTestDatabase, createTestPglite, hasPostgres } from '@mini-agent/test-support';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import postgres from 'postgres';
import { afterAll, beforeAll } from 'vitest';
import { createPostgresSink, migrate, PostgresExporter, type PartitionRequest, type PostgresSink, type PostgresSinkOptions } from '../src/index.js';

/** A row as a test reads it back. */
export type Row = Record<string, unknown>;

/** A fresh, empty database of one kind, with a way to read it back independently of the sink. */
export interface TestDb {
  /** Sink/exporter options pointing at this database (migrations off unless the test turns them on). */
  readonly options: PostgresSinkOptions;
  /** What to pass to `migrate()`. */
  readonly target: string | PGlite;
  query(text: string, params?: (string | number)[]): Promise<Row[]>;
  close(): Promise<void>;
}

/** The two places rows can land: every suite runs on both. */
export interface Backend {
  readonly name: 'PostgreSQL server' | 'PGlite' | 'PostgreSQL server, partitioned by day';
  readonly available: boolean;
  /** The layout the suites' migrate() lays out (sql/090_partitions.sql); omitted: plain tables. */
  readonly partitioned?: PartitionRequest;
  create(): Promise<TestDb>;
}

/**
 * `MINI_AGENT_TEST_BACKENDS=server` or `=pglite` runs the suites on that backend alone (mutation
 * testing does: PGlite's start-up would cost seconds per mutant). Unset: both.
 */
const wanted = (backend: 'server' | 'pglite'): boolean => (process.env.MINI_AGENT_TEST_BACKENDS ?? backend) === backend;

const server: Backend = {
  name: 'PostgreSQL server',
  available: wanted('server') && hasPostgres(),
  async create() {
    const database = await createTestDatabase('exporter_pg');
    const sql = postgres(database.url, { max: 1, onnotice: () => {} });
    return {
      options: { databaseUrl: database.url },
      target: database.url,
      query: async (text, params = []) => [...(await sql.unsafe<Row[]>(text, params))],
      async close() {
        await sql.end();
        await database.drop();
      },
    };
  },
};

const embedded: Backend = {
  name: 'PGlite',
  available: wanted('pglite'),
  async create() {
    const db = await createTestPglite();
    return {
      options: { pglite: db },
      target: db,
      query: async (text, params = []) => (await db.query<Row>(text, params)).rows,
      close: () => db.close(),
    };
  },
};

export const BACKENDS: readonly Backend[] = [server, embedded];

/**
 * The server again, its big tables partitioned by day from 60 days back (the suites write
 * sessions up to 40 days old, so they land in real partitions that prune can drop).
 */
const partitionedServer: Backend = {
  ...server,
  name: 'PostgreSQL server, partitioned by day',
  get partitioned(): PartitionRequest {
    return { grain: 'day', since: new Date(Date.now() - 60 * 86_400_000) };
  },
};

/** Both backends and the partitioned layout: suites whose outcome must not depend on the layout (writes, prune). */
export const LAYOUT_BACKENDS: readonly Backend[] = [...BACKENDS, partitionedServer];

/** What migrate() is asked for on `backend`: its layout. */
export const layoutOf = (backend: Backend) => (backend.partitioned === undefined ? {} : { partitioned: backend.partitioned });

/** Row counts of the six tables for one trace. */
export async function countRows(db: TestDb, traceId: string): Promise<Record<string, number>> {
  const [row] = await db.query(
    `SELECT
      (SELECT count(*) FROM mini_agent_observability.traces WHERE id = $1)::int AS traces,
      (SELECT count(*) FROM mini_agent_observability.spans WHERE trace_id = $1)::int AS spans,
      (SELECT count(*) FROM mini_agent_observability.tool_executions WHERE trace_id = $1)::int AS tool_executions,
      (SELECT count(*) FROM mini_agent_observability.generations WHERE trace_id = $1)::int AS generations,
      (SELECT count(*) FROM mini_agent_observability.decisions WHERE trace_id = $1)::int AS decisions,
      (SELECT count(*) FROM mini_agent_observability.performance_metrics WHERE trace_id = $1)::int AS performance_metrics`,
    [traceId],
  );
  return row as Record<string, number>;
}

/** `export()` as a promise: the callback is the only way a SpanExporter reports. */
export function exportAsync(exporter: SpanExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

/** A suite's migrated database and an exporter writing into it (migrations off), opened before its tests and closed after. */
export interface ExporterSuite {
  readonly db: () => TestDb;
  readonly exporter: () => PostgresExporter;
  /** The stored `traces` row of a trace. */
  readonly traceRow: (traceId: string) => Promise<Row | undefined>;
}

/** Registers the hooks of an {@link ExporterSuite} on `backend`; call inside a `describe`. */
export function useExporterSuite(backend: Backend): ExporterSuite {
  let db: TestDb;
  let exporter: PostgresExporter;
  beforeAll(async () => {
    db = await backend.create();
    await migrate(db.target, layoutOf(backend));
    exporter = new PostgresExporter({ ...db.options, migrate: false });
  });
  afterAll(async () => {
    await exporter?.shutdown();
    await db?.close();
  });
  return {
    db: () => db,
    exporter: () => exporter,
    traceRow: async (traceId) => (await db.query('SELECT * FROM mini_agent_observability.traces WHERE id = $1', [traceId]))[0],
  };
}

/** A suite's migrated database and a sink writing into it (migrations off). */
export interface SinkSuite {
  readonly db: () => TestDb;
  readonly sink: () => PostgresSink;
}

/** Registers the hooks of a {@link SinkSuite} on `backend`; call inside a `describe`. */
export function useSinkSuite(backend: Backend): SinkSuite {
  let db: TestDb;
  let sink: PostgresSink;
  beforeAll(async () => {
    db = await backend.create();
    await migrate(db.target, layoutOf(backend));
    sink = createPostgresSink({ ...db.options, migrate: false });
    await sink.ready;
  });
  afterAll(async () => {
    await sink?.shutdown();
    await db?.close();
  });
  return { db: () => db, sink: () => sink };
}
