// Retention: prune() deletes whole traces older than the cutoff from every table, counts without
// deleting on a dry run, follows the retention table, and never takes a row the sink is writing now.
import {
  ATTR_AGENT_NAME, ATTR_DECISION_CHOSEN, ATTR_DECISION_TYPE, ATTR_METRIC_TYPE, ATTR_METRIC_UNIT, ATTR_METRIC_VALUE,
  ATTR_SPAN_KIND, ATTR_TOOL_CATEGORY, ATTR_TOOL_NAME, EVENT_DECISION, EVENT_METRIC, GenAiAttributes as G,
} from '@mini-agent/semconv';
import { recordSpans } from '@mini-agent/test-support';
import { context, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { beforeEach, describe, expect, it } from 'vitest';
import { prune, readRetention } from '../src/index.js';
import { LAYOUT_BACKENDS, countRows, exportAsync, useExporterSuite } from './backends.js';

const DAY = 86_400_000;
const TABLES = ['traces', 'spans', 'tool_executions', 'generations', 'decisions', 'performance_metrics', 'scores'];

/** One agent session `daysAgo` days old, with a row in every table: a tool, an LLM call, a decision event, a memory sample, a score. */
function session(daysAgo: number): Promise<ReadableSpan[]> {
  const start = new Date(Date.now() - daysAgo * DAY);
  const at = (ms: number) => new Date(start.getTime() + ms);
  return recordSpans((tracer) => {
    const root = tracer.startSpan(`session ${daysAgo}d`, { startTime: start, attributes: { [ATTR_SPAN_KIND]: 'session', [ATTR_AGENT_NAME]: 'pruned' } });
    const inside = trace.setSpan(context.active(), root);
    tracer.startSpan('read_file', { startTime: at(10), attributes: { [ATTR_SPAN_KIND]: 'tool', [ATTR_TOOL_NAME]: 'read_file', [ATTR_TOOL_CATEGORY]: 'file' } }, inside).end(at(30));
    tracer.startSpan('chat gpt-4o', { startTime: at(40), attributes: { [G.OPERATION_NAME]: 'chat', [G.REQUEST_MODEL]: 'gpt-4o', [G.USAGE_INPUT_TOKENS]: 10 } }, inside).end(at(90));
    root.addEvent(EVENT_DECISION, { [ATTR_DECISION_TYPE]: 'stop', [ATTR_DECISION_CHOSEN]: 'answer' }, at(95));
    root.addEvent(EVENT_METRIC, { [ATTR_METRIC_TYPE]: 'memory', [ATTR_METRIC_VALUE]: 42, [ATTR_METRIC_UNIT]: '%' }, at(96));
    root.addEvent('gen_ai.evaluation.result', { 'gen_ai.evaluation.name': 'helpful', 'gen_ai.evaluation.score.value': 1 }, at(97));
    root.end(at(100));
  });
}

describe.each(LAYOUT_BACKENDS)('prune on $name', (backend) => {
  const suite = useExporterSuite(backend);
  let oldTrace: string;
  let newTrace: string;

  beforeEach(async () => {
    const db = suite.db();
    for (const table of TABLES) await db.query(`DELETE FROM mini_agent_observability.${table}`);
    await db.query('UPDATE mini_agent_observability.retention SET keep_days = NULL');
    const spans = [...(await session(40)), ...(await session(10))];
    expect((await exportAsync(suite.exporter(), spans)).code).toBe(0);
    [oldTrace, newTrace] = [spans[0]!.spanContext().traceId, spans[3]!.spanContext().traceId];
    expect(await countRows(db, oldTrace)).toEqual({ traces: 1, spans: 3, tool_executions: 1, generations: 1, decisions: 1, performance_metrics: 1 });
  });

  it.skipIf(!backend.available)('--older-than 30d deletes exactly the 40-day-old trace from every table, and a second run nothing', async () => {
    const progress: number[] = [];
    const result = await prune(suite.db().target, { olderThanMs: 30 * DAY, batchSize: 1, onProgress: (p) => progress.push(p.batches) });
    expect(result.rows).toEqual({ traces: 1, spans: 3, tool_executions: 1, generations: 1, decisions: 1, performance_metrics: 1, scores: 1 });
    expect(progress).toEqual([1]);
    expect(result.cutoffs.map((c) => c.tableGroup)).toEqual(['traces', 'performance_metrics']);
    expect(Math.abs(result.cutoffs[0]!.cutoff.getTime() - (Date.now() - 30 * DAY))).toBeLessThan(60_000);
    expect(await countRows(suite.db(), oldTrace)).toEqual({ traces: 0, spans: 0, tool_executions: 0, generations: 0, decisions: 0, performance_metrics: 0 });
    expect(await countRows(suite.db(), newTrace)).toEqual({ traces: 1, spans: 3, tool_executions: 1, generations: 1, decisions: 1, performance_metrics: 1 });
    const scores = await suite.db().query<{ trace_id: string }>('SELECT trace_id FROM mini_agent_observability.scores');
    expect(scores.map((row) => row.trace_id)).toEqual([newTrace]);
    const again = await prune(suite.db().target, { olderThanMs: 30 * DAY });
    expect(Object.values(again.rows).every((n) => n === 0)).toBe(true);
    expect(again.batches).toBe(0);
  });

  it.skipIf(!backend.available)('a dry run counts per table and deletes nothing', async () => {
    const result = await prune(suite.db().target, { olderThanMs: 30 * DAY, dryRun: true });
    expect(result.dryRun).toBe(true);
    expect(result.rows).toEqual({ traces: 1, spans: 3, tool_executions: 1, generations: 1, decisions: 1, performance_metrics: 1, scores: 1 });
    expect(await countRows(suite.db(), oldTrace)).toEqual({ traces: 1, spans: 3, tool_executions: 1, generations: 1, decisions: 1, performance_metrics: 1 });
  });

  it.skipIf(!backend.available)('without --older-than it follows the retention table, and keeps everything until a retention is set', async () => {
    expect(await readRetention(suite.db())).toEqual([{ tableGroup: 'traces', keepDays: null }, { tableGroup: 'performance_metrics', keepDays: null }]);
    const unset = await prune(suite.db().target);
    expect(unset.cutoffs).toEqual([]);
    expect(await countRows(suite.db(), oldTrace)).toMatchObject({ traces: 1 });

    // Metric samples alone after 5 days; whole traces after 30.
    await suite.db().query("UPDATE mini_agent_observability.retention SET keep_days = 5 WHERE table_group = 'performance_metrics'");
    const metricsOnly = await prune(suite.db().target);
    expect(metricsOnly.rows).toEqual({ performance_metrics: 2 });
    expect(await countRows(suite.db(), newTrace)).toEqual({ traces: 1, spans: 3, tool_executions: 1, generations: 1, decisions: 1, performance_metrics: 0 });

    await suite.db().query("UPDATE mini_agent_observability.retention SET keep_days = 30 WHERE table_group = 'traces'");
    const traces = await prune(suite.db().target);
    expect(traces.rows).toMatchObject({ traces: 1, spans: 3, tool_executions: 1, generations: 1, decisions: 1 });
    expect(await countRows(suite.db(), newTrace)).toMatchObject({ traces: 1, spans: 3 });
  });

  it.skipIf(!backend.available)('the retention table refuses a keep_days below one day', async () => {
    await expect(suite.db().query("UPDATE mini_agent_observability.retention SET keep_days = 0 WHERE table_group = 'traces'")).rejects.toThrow(/retention_keep_days_check/);
  });

  it.skipIf(!backend.available)('a prune running while the sink writes loses no new row', async () => {
    // 100 old traces to prune in batches of 7, while the exporter writes 40 new sessions.
    const old = (await Promise.all(Array.from({ length: 100 }, () => session(40)))).flat();
    expect((await exportAsync(suite.exporter(), old)).code).toBe(0);
    const fresh: ReadableSpan[][] = await Promise.all(Array.from({ length: 40 }, () => session(0)));
    const writing = (async () => {
      for (const spans of fresh) expect((await exportAsync(suite.exporter(), spans)).code).toBe(0);
    })();
    const result = await prune(suite.db().target, { olderThanMs: 30 * DAY, batchSize: 7 });
    await writing;
    expect(result.batches).toBeGreaterThan(1);
    for (const spans of fresh) {
      expect(await countRows(suite.db(), spans[0]!.spanContext().traceId)).toEqual({ traces: 1, spans: 3, tool_executions: 1, generations: 1, decisions: 1, performance_metrics: 1 });
    }
    const [left] = await suite.db().query(
      "SELECT count(*)::int AS n FROM mini_agent_observability.traces WHERE started_at < now() - interval '30 days'",
    );
    expect(left).toEqual({ n: 0 });
  });
});
