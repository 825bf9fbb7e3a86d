// The partitioned layout (sql/090–092): converting a filled plain database keeps every row and
// every answer, rows written during a conversion are not lost, rows outside the partitions are
// kept and later moved into theirs, and prune drops whole partitions with the outcome of
// row-by-row deletes, every rollup then equal to a rebuild. The suites that must not depend on the
// layout (analytics, rollups, prune, idempotency, colliding span ids) run on both layouts
// themselves (layoutKinds, LAYOUT_BACKENDS).
import {
  ATTR_METRIC_TYPE, ATTR_METRIC_UNIT, ATTR_METRIC_VALUE, ATTR_SPAN_KIND, ATTR_TOOL_CATEGORY, ATTR_TOOL_NAME, EVENT_METRIC, GenAiAttributes as G,
} from '@mini-agent/semconv';
import { recordSpans } from '@mini-agent/test-support';
import { context, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, PostgresExporter, prune, readLayout } from '../src/index.js';
import { BACKENDS, exportAsync, type TestDb } from './backends.js';
import { rollupsAndRebuild } from './rollup-snapshot.js';

const DAY = 86_400_000;
const S = 'mini_agent_observability';
const BIG_TABLES = ['decisions', 'generations', 'performance_metrics', 'spans', 'tool_executions'];

/** A session from `startDaysAgo` to `endDaysAgo` days ago: a tool call and an LLM call at its start, a metric. */
function session(startDaysAgo: number, endDaysAgo = startDaysAgo): Promise<ReadableSpan[]> {
  const start = new Date(Date.now() - startDaysAgo * DAY);
  const at = (ms: number) => new Date(start.getTime() + ms);
  return recordSpans((tracer) => {
    const root = tracer.startSpan('session', { startTime: start, attributes: { [ATTR_SPAN_KIND]: 'session' } });
    const inside = trace.setSpan(context.active(), root);
    tracer.startSpan('read_file', { startTime: at(10), attributes: { [ATTR_SPAN_KIND]: 'tool', [ATTR_TOOL_NAME]: 'read_file', [ATTR_TOOL_CATEGORY]: 'file' } }, inside).end(at(30));
    tracer.startSpan('chat', { startTime: at(40), attributes: { [G.OPERATION_NAME]: 'chat', [G.REQUEST_MODEL]: 'gpt-4o', [G.USAGE_INPUT_TOKENS]: 10 } }, inside).end(at(90));
    root.addEvent(EVENT_METRIC, { [ATTR_METRIC_TYPE]: 'memory', [ATTR_METRIC_VALUE]: 42, [ATTR_METRIC_UNIT]: '%' }, at(95));
    root.end(new Date(Date.now() - endDaysAgo * DAY + 100));
  });
}

/** Each big table's row count and a digest of every row's every column. */
async function fingerprint(db: TestDb): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const table of [...BIG_TABLES, 'traces']) {
    const [row] = await db.query(`SELECT count(*) || ' ' || coalesce(md5(string_agg(to_jsonb(t)::text, ',' ORDER BY to_jsonb(t)::text)), '') AS f FROM ${S}.${table} t`);
    result[table] = String(row?.f);
  }
  return result;
}

/** What the analytics answer over the last 60 days, and what the rollups hold. */
async function answers(db: TestDb): Promise<unknown[]> {
  const window = [new Date(Date.now() - 60 * DAY).toISOString(), new Date(Date.now() + DAY).toISOString()];
  return [
    await db.query(`SELECT tool_name, executions, errors, p50_ms FROM ${S}.tool_stats($1, $2)`, window),
    await db.query(`SELECT model, generations, input_tokens FROM ${S}.model_usage($1, $2)`, window),
    await db.query(`SELECT sum(executions)::int AS n FROM ${S}.tool_rollup`),
    await db.query(`SELECT sum(generations)::int AS n FROM ${S}.model_rollup`),
    await db.query(`SELECT count(*)::int AS n FROM ${S}.spans_full`),
  ];
}

async function relkinds(db: TestDb): Promise<string[]> {
  const rows = await db.query(`SELECT c.relkind::text AS k FROM pg_class c WHERE c.oid = ANY (ARRAY[${BIG_TABLES.map((t) => `'${S}.${t}'::regclass`).join(', ')}]) ORDER BY c.relname`);
  return rows.map((r) => String(r.k));
}

describe.each(BACKENDS)('the partitioned layout on $name', (backend) => {
  let db: TestDb | undefined;
  let exporter: PostgresExporter | undefined;
  afterEach(async () => {
    await exporter?.shutdown();
    await db?.close();
    exporter = undefined;
    db = undefined;
  });
  async function plainDatabase(): Promise<TestDb> {
    db = await backend.create();
    await migrate(db.target);
    exporter = new PostgresExporter({ ...db.options, migrate: false });
    return db;
  }

  it.skipIf(!backend.available)('converting a filled plain database keeps every row, every answer, and writes stay idempotent', async () => {
    const db = await plainDatabase();
    const spans = (await Promise.all([40, 39, 10, 1, 0].map((days) => session(days)))).flat();
    expect((await exportAsync(exporter!, spans)).code).toBe(0);
    const before = await fingerprint(db);
    const answersBefore = await answers(db);
    expect(await relkinds(db)).toEqual(['r', 'r', 'r', 'r', 'r']);

    const result = await migrate(db.target, { partitioned: 'day' });

    expect(await relkinds(db)).toEqual(['p', 'p', 'p', 'p', 'p']);
    // From the day of the oldest row (40 days back) through 7 days ahead, and the DEFAULT partition;
    // decisions has no row (these sessions make none): from today.
    expect(result.partitioned).toEqual(BIG_TABLES.map((table) => expect.objectContaining({ table, grain: 'day', partitions: expect.any(Number) })));
    for (const layout of result.partitioned!) expect(layout.partitions).toBeGreaterThanOrEqual(layout.table === 'decisions' ? 8 + 1 : 48 + 1);
    expect(await fingerprint(db)).toEqual(before);
    expect(await answers(db)).toEqual(answersBefore);
    const [key] = await db.query(`SELECT pg_get_constraintdef(oid) AS d FROM pg_constraint WHERE conname = 'spans_pkey'`);
    expect(key).toEqual({ d: 'PRIMARY KEY (trace_id, span_id, started_at)' });

    // The writer's ON CONFLICT holds on the new keys: the same spans again add nothing, new ones land.
    expect((await exportAsync(exporter!, spans)).code).toBe(0);
    expect(await fingerprint(db)).toEqual(before);
    expect((await exportAsync(exporter!, await session(0))).code).toBe(0);
    const [counted] = await db.query(`SELECT count(*)::int AS n FROM ${S}.tool_executions`);
    expect(counted).toEqual({ n: 6 });

    // Asking again changes nothing.
    const again = await migrate(db.target, { partitioned: 'day' });
    expect(again.partitioned).toEqual(result.partitioned);
  });

  it.skipIf(!backend.available)('rows inserted and deleted while a table is being copied reach the partitioned table', async () => {
    const db = await plainDatabase();
    expect((await exportAsync(exporter!, [...(await session(3)), ...(await session(2))])).code).toBe(0);
    const [gone] = await db.query(`SELECT trace_id, id FROM ${S}.tool_executions ORDER BY started_at LIMIT 1`);

    await db.query(`SELECT * FROM ${S}.partition_begin('tool_executions', 'day')`);
    await db.query(`SELECT ${S}.partition_copy('tool_executions', NULL, NULL)`);
    // A writer and a prune at work after the rows were copied, before the swap.
    expect((await exportAsync(exporter!, await session(1))).code).toBe(0);
    await db.query(`DELETE FROM ${S}.tool_executions WHERE trace_id = $1 AND id = $2`, [String(gone!.trace_id), String(gone!.id)]);
    const [swapped] = await db.query(`SELECT ${S}.partition_finish('tool_executions', 'day')::int AS n`);

    expect(swapped).toEqual({ n: 2 });
    const rows = await db.query(`SELECT trace_id FROM ${S}.tool_executions`);
    expect(rows.map((r) => r.trace_id)).not.toContain(gone!.trace_id);
    expect((await readLayout(db)).find((l) => l.table === 'tool_executions')).toMatchObject({ grain: 'day' });
    // The rollups followed the writer and the delete, and keep following on the new table.
    const [rollup] = await db.query(`SELECT sum(executions)::int AS n FROM ${S}.tool_rollup`);
    expect(rollup).toEqual({ n: 2 });
  });

  it.skipIf(!backend.available)('a row outside every partition is kept in the DEFAULT partition, and moved into its own once made', async () => {
    const db = await plainDatabase();
    await migrate(db.target, { partitioned: 'week' });
    const [late] = await recordSpans((tracer) => {
      const later = new Date(Date.now() + 40 * DAY);
      tracer.startSpan('read_file', { startTime: later, attributes: { [ATTR_SPAN_KIND]: 'tool', [ATTR_TOOL_NAME]: 'read_file', [ATTR_TOOL_CATEGORY]: 'file' } }).end(later);
    });
    expect((await exportAsync(exporter!, [late!])).code).toBe(0);
    const where = async () => (await db.query(`SELECT tableoid::regclass::text AS p FROM ${S}.tool_executions`)).map((r) => r.p);
    expect(await where()).toEqual([`${S}.tool_executions_default`]);

    const [made] = await db.query(`SELECT ${S}.create_partitions(interval '60 days') AS n`);

    expect(Number(made!.n)).toBeGreaterThanOrEqual(5 * 7);
    expect(await where()).toEqual([expect.stringMatching(new RegExp(`^${S}\\.tool_executions_p\\d{8}$`))]);
    const [rollup] = await db.query(`SELECT sum(executions)::int AS n FROM ${S}.tool_rollup`);
    expect(rollup).toEqual({ n: 1 });
  });

  it.skipIf(!backend.available)('prune drops whole old partitions, keeps the one holding a kept trace, and the rollups follow', async () => {
    const db = await plainDatabase();
    await migrate(db.target, { partitioned: { grain: 'day', since: new Date(Date.now() - 60 * DAY) } });
    const old = await session(40);
    const longRunning = await session(35, 5); // started before the cutoff, ended after it: kept whole
    const recent = await session(10);
    expect((await exportAsync(exporter!, [...old, ...longRunning, ...recent])).code).toBe(0);
    const oldPartitions = async (table: string) =>
      (await db.query(`SELECT count(*)::int AS n FROM ${S}.table_partitions('${S}.${table}') WHERE range_end <= now() - interval '30 days'`))[0];
    expect(await oldPartitions('tool_executions')).toEqual({ n: 30 });

    const result = await prune(db.target, { olderThanMs: 30 * DAY });

    // As row by row: the old session whole, and the long-running one's metric sample, older than
    // the cutoff of metric samples (30 days too), though its trace is kept.
    expect(result.rows).toEqual({ traces: 1, spans: 3, tool_executions: 1, generations: 1, decisions: 0, performance_metrics: 2, scores: 0 });
    expect(result.partitions).toBeGreaterThan(5 * 29);
    expect(await oldPartitions('tool_executions')).toEqual({ n: 1 }); // the long-running session's day
    expect(await oldPartitions('performance_metrics')).toEqual({ n: 0 });
    const traces = await db.query(`SELECT id FROM ${S}.traces ORDER BY started_at`);
    expect(traces.map((r) => r.id)).toEqual([longRunning[0]!.spanContext().traceId, recent[0]!.spanContext().traceId]);
    const [tools] = await db.query(`SELECT count(*)::int AS n FROM ${S}.tool_executions`);
    const [rollup] = await db.query(`SELECT sum(executions)::int AS n FROM ${S}.tool_rollup`);
    const [models] = await db.query(`SELECT sum(generations)::int AS n FROM ${S}.model_rollup`);
    expect([tools, rollup, models]).toEqual([{ n: 2 }, { n: 2 }, { n: 2 }]);
    // Every rollup as a rebuild from the rows left: spend per model, latency bins and buckets, and
    // no hour of a dropped partition left holding its maximum or first/last time.
    const read = (text: string) => db.query(text);
    const first = await rollupsAndRebuild(read);
    expect(first.kept.model_rollup).toHaveLength(2);
    expect(first.kept).toEqual(first.rebuilt);

    // Once that session is old too, its day goes the same way.
    const later = await prune(db.target, { olderThanMs: 4 * DAY });
    expect(later.rows).toMatchObject({ traces: 2, tool_executions: 2 });
    expect(await oldPartitions('tool_executions')).toEqual({ n: 0 });
    const second = await rollupsAndRebuild(read);
    expect([second.kept.tool_rollup, second.kept.model_rollup]).toEqual([[], []]);
    expect(second.kept).toEqual(second.rebuilt);
  });
});
