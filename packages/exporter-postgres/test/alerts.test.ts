import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { at, clearRows, insertMetrics, insertTools, insertTraces, newTraceId, type Trace } from './agent-rows.js';
import { runMigrationFilesAgain, sqlDatabaseKinds, type SqlDatabase } from './sql-databases.js';

// Three disjoint hours in the past, one a case (just below, exactly at, just above a threshold);
// each is evaluated by firing_alerts(since, until) on its own.
const hour = (n: number) => new Date(Date.UTC(2026, 2, 2, 10 + n));
const below = [hour(0), hour(1)] as const;
const exactly = [hour(1), hour(2)] as const;
const above = [hour(2), hour(3)] as const;

const firing = (db: SqlDatabase, window: readonly [Date, Date]) =>
  db.query<{ rule_name: string; subject: string | null; value: number; threshold: number; samples: number }>(
    'SELECT rule_name, subject, value, threshold, samples FROM mini_agent_observability.firing_alerts($1, $2)',
    [...window],
  );

/** `failed` of `total` tool executions failed, all inside `window`. */
const executions = (window: readonly [Date, Date], total: number, failed: number) =>
  Array.from({ length: total }, (_, i) => ({
    toolName: 'web_search', durationMs: 100, startedAt: at(window[0], i * 1_000),
    success: i >= failed, errorMessage: i < failed ? 'boom' : null,
  }));

/** `failed` of `total` complete sessions ended with ERROR, all inside `window`. */
const sessions = (window: readonly [Date, Date], total: number, failed: number): Trace[] =>
  Array.from({ length: total }, (_, i) => ({
    id: newTraceId(), status: i < failed ? 'error' : 'ok', complete: true,
    startedAt: at(window[0], i * 1_000), endedAt: at(window[0], i * 1_000 + 500),
  }));

describe.each(sqlDatabaseKinds)('alerts on $name', ({ available, open }) => {
  let db: SqlDatabase;

  beforeAll(async () => {
    if (!available) return;
    db = await open({ supabase: false });
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    if (!available) return;
    await clearRows(db.query);
    // Back to the seeded rules: a test that edits one must not change the next.
    await db.query('TRUNCATE mini_agent_observability.alert_thresholds');
    await runMigrationFilesAgain(db, { supabase: false });
  });

  it.skipIf(!available)('the requirement thresholds are seeded, strict, over one hour', async () => {
    const rules = await db.query(
      `SELECT rule_name, metric, comparator, threshold, window_length::text AS window_length, enabled
         FROM mini_agent_observability.alert_thresholds ORDER BY rule_name`,
    );

    expect(rules).toEqual([
      { rule_name: 'error_rate', metric: 'error_rate_pct', comparator: '>', threshold: 10, window_length: '01:00:00', enabled: true },
      { rule_name: 'failed_sessions', metric: 'failed_sessions_pct', comparator: '>', threshold: 20, window_length: '01:00:00', enabled: true },
      { rule_name: 'memory_use', metric: 'memory_pct', comparator: '>', threshold: 80, window_length: '01:00:00', enabled: true },
      // Off until a user sets a threshold that fits their scores.
      { rule_name: 'score_average', metric: 'score_avg', comparator: '<', threshold: 0.5, window_length: '01:00:00', enabled: false },
      // Off until the user sets a budget: a spend threshold only they can know.
      { rule_name: 'spend', metric: 'spend_usd', comparator: '>', threshold: 10, window_length: '1 day', enabled: false },
      { rule_name: 'tool_latency', metric: 'tool_latency_p95_ms', comparator: '>', threshold: 5_000, window_length: '01:00:00', enabled: true },
    ]);
  });

  it.skipIf(!available)('the spend rule, once enabled, fires when the priced LLM calls of the window cost more than its threshold', async () => {
    const trace = newTraceId();
    await insertTraces(db.query, [{ id: trace, status: 'ok', complete: true, startedAt: below[0], endedAt: at(below[0], 60_000) }]);
    // Three priced calls of $0.40 and one that could not be priced (not counted, and not a sample).
    for (const [i, cost] of [0.4, 0.4, 0.4, null].entries()) {
      await db.query(
        `INSERT INTO mini_agent_observability.generations (id, trace_id, name, success, started_at, ended_at, duration_ms, cost_usd)
         VALUES ($1, $2, 'chat', true, $3, $3, 10, $4)`,
        [`gen-${i}`, trace, at(below[0], i * 1_000).toISOString(), cost],
      );
    }
    expect(await firing(db, below)).toEqual([]);
    await db.query(`UPDATE mini_agent_observability.alert_thresholds SET enabled = true, threshold = 1.2 WHERE rule_name = 'spend'`);
    expect(await firing(db, below)).toEqual([]); // exactly at the threshold: strict
    await db.query(`UPDATE mini_agent_observability.alert_thresholds SET threshold = 1 WHERE rule_name = 'spend'`);
    const fired = await firing(db, below);
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ rule_name: 'spend', subject: null, threshold: 1, samples: 3 });
    expect(fired[0]!.value).toBeCloseTo(1.2, 12);
    expect(await firing(db, above)).toEqual([]);
  });

  it.skipIf(!available)('a tool fires only when its p95 latency is above 5 s', async () => {
    // Twenty equal runs make the p95 exactly that duration.
    const runs = (toolName: string, durationMs: number) =>
      Array.from({ length: 20 }, (_, i) => ({ toolName, durationMs, startedAt: at(below[0], i * 1_000) }));
    await insertTools(db.query, [...runs('just_below', 4_999.999), ...runs('exactly_at', 5_000), ...runs('just_above', 5_000.001)]);

    expect(await firing(db, below)).toEqual([
      { rule_name: 'tool_latency', subject: 'just_above', value: 5_000.001, threshold: 5_000, samples: 20 },
    ]);
  });

  it.skipIf(!available)('the error rate fires only above 10 % of tool executions', async () => {
    await insertTools(db.query, [...executions(below, 11, 1), ...executions(exactly, 10, 1), ...executions(above, 9, 1)]);

    expect(await firing(db, below)).toEqual([]);
    expect(await firing(db, exactly)).toEqual([]);
    expect(await firing(db, above)).toEqual([
      { rule_name: 'error_rate', subject: null, value: 100 / 9, threshold: 10, samples: 9 },
    ]);
  });

  it.skipIf(!available)('memory fires only above 80 % of the limit, read from memory samples in %', async () => {
    const traceId = newTraceId();
    await insertMetrics(db.query, [
      { traceId, metricType: 'memory', value: 79.99, unit: '%', recordedAt: below[0] },
      // Bytes cannot be compared with a percentage: ignored by the rule.
      { traceId, metricType: 'memory', value: 8_000_000_000, unit: 'By', recordedAt: below[0] },
      { traceId, metricType: 'memory', value: 80, unit: '%', recordedAt: exactly[0] },
      { traceId, metricType: 'cpu', value: 99, unit: '%', recordedAt: exactly[0] },
      { traceId, metricType: 'memory', value: 40, unit: '%', recordedAt: above[0] },
      { traceId, metricType: 'memory', value: 80.01, unit: '%', recordedAt: at(above[0], 1_000) },
    ]);

    expect(await firing(db, below)).toEqual([]);
    expect(await firing(db, exactly)).toEqual([]);
    expect(await firing(db, above)).toEqual([
      { rule_name: 'memory_use', subject: null, value: 80.01, threshold: 80, samples: 2 },
    ]);
  });

  it.skipIf(!available)('failed sessions fire only above 20 % of complete sessions', async () => {
    await insertTraces(db.query, [
      ...sessions(below, 6, 1),
      ...sessions(exactly, 5, 1),
      // A session still running is not judged, so it does not dilute the rate.
      ...sessions(above, 4, 1),
      { id: newTraceId(), status: 'unset', complete: false, startedAt: at(above[0], 5_000), endedAt: null },
    ]);

    expect(await firing(db, below)).toEqual([]);
    expect(await firing(db, exactly)).toEqual([]);
    expect(await firing(db, above)).toEqual([
      { rule_name: 'failed_sessions', subject: null, value: 25, threshold: 20, samples: 4 },
    ]);
  });

  it.skipIf(!available)('editing a rule changes what fires, and a re-run of the migrations keeps the edit', async () => {
    await insertTools(db.query, executions(exactly, 10, 1));
    expect(await firing(db, exactly)).toEqual([]);

    await db.query(`UPDATE mini_agent_observability.alert_thresholds SET comparator = '>=' WHERE rule_name = 'error_rate'`);
    expect((await firing(db, exactly)).map((alert) => alert.rule_name)).toEqual(['error_rate']);

    await db.query(`UPDATE mini_agent_observability.alert_thresholds SET comparator = '>', threshold = 50 WHERE rule_name = 'error_rate'`);
    await insertTools(db.query, executions(exactly, 2, 2)); // now 3 of 12 failed: 25 %
    expect(await firing(db, exactly)).toEqual([]);

    await db.query(`UPDATE mini_agent_observability.alert_thresholds SET threshold = 20 WHERE rule_name = 'error_rate'`);
    await runMigrationFilesAgain(db, { supabase: false });
    expect(await firing(db, exactly)).toEqual([{ rule_name: 'error_rate', subject: null, value: 25, threshold: 20, samples: 12 }]);

    await db.query(`UPDATE mini_agent_observability.alert_thresholds SET enabled = false WHERE rule_name = 'error_rate'`);
    expect(await firing(db, exactly)).toEqual([]);
  });

  it.skipIf(!available)('a rule with min_samples waits for enough data', async () => {
    await insertTools(db.query, executions(above, 3, 1));
    expect((await firing(db, above)).map((alert) => alert.rule_name)).toEqual(['error_rate']);

    await db.query('UPDATE mini_agent_observability.alert_thresholds SET min_samples = 4 WHERE rule_name = $1', ['error_rate']);

    expect(await firing(db, above)).toEqual([]);
  });

  it.skipIf(!available)('alert_status lists every rule, firing or not, and rules without data have no value', async () => {
    await insertTools(db.query, [
      { toolName: 'slow', durationMs: 9_000, startedAt: above[0] },
      { toolName: 'fast', durationMs: 10, startedAt: above[0] },
    ]);

    const status = await db.query(
      'SELECT rule_name, subject, value, samples, firing FROM mini_agent_observability.alert_status($1, $2)',
      [...above],
    );

    expect(status).toEqual([
      { rule_name: 'error_rate', subject: null, value: 0, samples: 2, firing: false },
      { rule_name: 'failed_sessions', subject: null, value: null, samples: 0, firing: false },
      { rule_name: 'memory_use', subject: null, value: null, samples: 0, firing: false },
      { rule_name: 'tool_latency', subject: 'slow', value: 9_000, samples: 1, firing: true },
      { rule_name: 'tool_latency', subject: 'fast', value: 10, samples: 1, firing: false },
    ]);
  });

  it.skipIf(!available)('active_alerts shows what fires now, each rule over its own window', async () => {
    const now = Date.now();
    await insertTools(db.query, [
      { toolName: 'slow_now', durationMs: 6_000, startedAt: new Date(now - 10 * 60_000) },
      // Two hours ago: outside the one-hour window of the latency rule.
      { toolName: 'slow_before', durationMs: 6_000, startedAt: new Date(now - 2 * 3_600_000) },
    ]);

    const active = await db.query(
      'SELECT rule_name, subject, value, threshold, window_length::text AS window_length FROM mini_agent_observability.active_alerts',
    );
    expect(active).toEqual([{ rule_name: 'tool_latency', subject: 'slow_now', value: 6_000, threshold: 5_000, window_length: '01:00:00' }]);

    await db.query(`UPDATE mini_agent_observability.alert_thresholds SET window_length = interval '3 hours' WHERE rule_name = 'tool_latency'`);
    const widened = await db.query('SELECT subject, window_length::text AS window_length FROM mini_agent_observability.active_alerts');
    expect(widened).toEqual([
      { subject: 'slow_before', window_length: '03:00:00' },
      { subject: 'slow_now', window_length: '03:00:00' },
    ]);
  });
});
