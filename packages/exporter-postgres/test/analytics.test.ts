import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  at, clearRows, insertGenerations, insertMetrics, insertTools, insertTraces, newTraceId, percentile, type Tool,
} from './agent-rows.js';
import { layoutKinds, runMigrationFilesAgain, type SqlDatabase } from './sql-databases.js';

// A fixed hour in the past: every function here is asked about [hourStart, hourEnd) explicitly.
const hourStart = new Date('2026-03-02T10:00:00Z');
const hourEnd = at(hourStart, 3_600_000);
const window = [hourStart, hourEnd];

describe.each(layoutKinds)('analytics on $name', ({ available, open }) => {
  let db: SqlDatabase;

  beforeAll(async () => {
    if (!available) return;
    db = await open({ supabase: false });
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    if (available) await clearRows(db.query);
  });

  it.skipIf(!available)('per-tool figures match the latencies and failures the agent produced', async () => {
    const readFileMs = [12, 15, 18, 20, 22, 25, 30, 31, 40, 44, 50, 61, 75, 80, 95, 120, 150, 210, 400, 900];
    const searchMs = [300, 420, 510, 800, 7_500];
    const tools: Tool[] = [
      ...readFileMs.map((durationMs, i) => ({
        toolName: 'read_file', category: 'file', durationMs, startedAt: at(hourStart, i * 60_000),
        success: i !== 3 && i !== 17, errorMessage: i === 3 || i === 17 ? 'ENOENT: no such file' : null,
      })),
      ...searchMs.map((durationMs, i) => ({
        toolName: 'web_search', category: 'mcp', durationMs, startedAt: at(hourStart, i * 90_000),
        success: i !== 4, errorMessage: i === 4 ? 'timeout after 7s' : null,
      })),
      // Outside the window: just before it, and exactly at its (exclusive) end.
      { toolName: 'read_file', category: 'file', durationMs: 99_999, startedAt: at(hourStart, -1), success: false },
      { toolName: 'read_file', category: 'file', durationMs: 99_999, startedAt: hourEnd, success: false },
    ];
    await insertTools(db.query, tools);

    const rows = await db.query('SELECT * FROM mini_agent_observability.tool_stats($1, $2) ORDER BY tool_name', window);

    expect(rows).toHaveLength(2);
    const [readFile, search] = rows;
    expect(readFile).toMatchObject({
      tool_name: 'read_file', category: 'file', executions: 20, successes: 18, errors: 2,
      success_pct: 90, error_pct: 10, max_ms: 900,
    });
    expect(readFile!.p50_ms).toBeCloseTo(percentile(readFileMs, 0.5), 9);
    expect(readFile!.p95_ms).toBeCloseTo(percentile(readFileMs, 0.95), 9);
    expect(readFile!.avg_ms).toBeCloseTo(readFileMs.reduce((a, b) => a + b) / readFileMs.length, 9);
    expect(search).toMatchObject({ tool_name: 'web_search', category: 'mcp', executions: 5, errors: 1, error_pct: 20, max_ms: 7_500 });
    expect(search!.p95_ms).toBeCloseTo(percentile(searchMs, 0.95), 9);
    expect(search!.p50_ms).toBe(510);
  });

  it.skipIf(!available)('per-category figures add up the tools of each category', async () => {
    await insertTools(db.query, [
      { toolName: 'read_file', category: 'file', durationMs: 10, startedAt: hourStart },
      { toolName: 'write_file', category: 'file', durationMs: 30, startedAt: hourStart, success: false, errorMessage: 'EACCES' },
      { toolName: 'write_file', category: 'file', durationMs: 50, startedAt: hourStart },
      { toolName: 'summarize', category: 'skill', durationMs: 1_000, startedAt: hourStart },
    ]);

    const rows = await db.query('SELECT * FROM mini_agent_observability.category_stats($1, $2) ORDER BY category', window);

    expect(rows).toEqual([
      expect.objectContaining({ category: 'file', executions: 3, errors: 1, p50_ms: 30, p95_ms: percentile([10, 30, 50], 0.95), max_ms: 50 }),
      expect.objectContaining({ category: 'skill', executions: 1, errors: 0, success_pct: 100, p95_ms: 1_000 }),
    ]);
  });

  it.skipIf(!available)('each session shows its duration, tools, failure and peak memory', async () => {
    const okRun = newTraceId();
    const failedRun = newTraceId();
    const stillRunning = newTraceId();
    await insertTraces(db.query, [
      { id: okRun, status: 'ok', complete: true, startedAt: hourStart, endedAt: at(hourStart, 2_500), sessionId: 'chat-1' },
      { id: failedRun, status: 'error', complete: true, startedAt: at(hourStart, 60_000), endedAt: at(hourStart, 61_000) },
      // Its session span has not arrived: no start time yet, placed by when its first span landed.
      { id: stillRunning, status: 'unset', complete: false, startedAt: null, endedAt: null, insertedAt: at(hourStart, 120_000) },
    ]);
    await insertTools(db.query, [
      { traceId: okRun, toolName: 'read_file', durationMs: 100, startedAt: at(hourStart, 100) },
      { traceId: okRun, toolName: 'read_file', durationMs: 100, startedAt: at(hourStart, 300), success: false },
      { traceId: okRun, toolName: 'web_search', durationMs: 900, startedAt: at(hourStart, 500) },
      { traceId: failedRun, toolName: 'web_search', durationMs: 300, startedAt: at(hourStart, 60_100), success: false },
      { traceId: stillRunning, toolName: 'read_file', durationMs: 250, startedAt: at(hourStart, 120_000) },
      { traceId: stillRunning, toolName: 'read_file', durationMs: 500, startedAt: at(hourStart, 121_000) },
    ]);
    await insertMetrics(db.query, [
      { traceId: okRun, metricType: 'memory', value: 41.5, unit: '%', recordedAt: at(hourStart, 100) },
      { traceId: okRun, metricType: 'memory', value: 73.25, unit: '%', recordedAt: at(hourStart, 900) },
      { traceId: okRun, metricType: 'memory', value: 512_000_000, unit: 'By', recordedAt: at(hourStart, 900) },
      { traceId: okRun, metricType: 'cpu', value: 99, unit: '%', recordedAt: at(hourStart, 900) },
    ]);

    const sessions = await db.query('SELECT * FROM mini_agent_observability.session_stats($1, $2)', window);
    const byId = new Map(sessions.map((row) => [row.trace_id, row]));

    expect(sessions).toHaveLength(3);
    expect(byId.get(okRun)).toMatchObject({
      session_id: 'chat-1', status: 'ok', complete: true, failed: false, duration_ms: 2_500,
      tool_count: 3, failed_tools: 1, peak_memory_pct: 73.25, peak_memory_bytes: 512_000_000,
    });
    expect(byId.get(failedRun)).toMatchObject({ failed: true, duration_ms: 1_000, tool_count: 1, failed_tools: 1, peak_memory_pct: null });
    // Start and end fall back to its tools' times: 120.000 s to 121.500 s.
    expect(byId.get(stillRunning)).toMatchObject({ complete: false, failed: false, duration_ms: 1_500, tool_count: 2 });

    const [totals] = await db.query('SELECT * FROM mini_agent_observability.session_totals($1, $2)', window);
    // The running session is not judged: 1 failed of 2 complete sessions.
    expect(totals).toMatchObject({ sessions: 3, complete_sessions: 2, failed_sessions: 1, failed_pct: 50, max_duration_ms: 2_500 });
    expect(totals!.p50_duration_ms).toBe(percentile([2_500, 1_000], 0.5));
  });

  it.skipIf(!available)('the most frequent error messages come first, with the tools that raised them', async () => {
    await insertTools(db.query, [
      ...[1, 2, 3].map((i) => ({ toolName: 'read_file', durationMs: 5, startedAt: at(hourStart, i), success: false, errorMessage: 'ENOENT' })),
      { toolName: 'web_search', durationMs: 5, startedAt: at(hourStart, 10), success: false, errorMessage: 'timeout' },
      { toolName: 'fetch_url', durationMs: 5, startedAt: at(hourStart, 20), success: false, errorMessage: 'timeout' },
      { toolName: 'shell', durationMs: 5, startedAt: at(hourStart, 30), success: false, errorMessage: 'exit code 1' },
      { toolName: 'read_file', durationMs: 5, startedAt: at(hourStart, 40), success: true },
    ]);

    const errors = await db.query('SELECT * FROM mini_agent_observability.top_errors($1, $2)', window);
    const topTwo = await db.query('SELECT error_message FROM mini_agent_observability.top_errors($1, $2, 2)', window);

    expect(errors.map((row) => [row.error_message, row.occurrences, row.tool_names])).toEqual([
      ['ENOENT', 3, ['read_file']],
      ['timeout', 2, ['fetch_url', 'web_search']],
      ['exit code 1', 1, ['shell']],
    ]);
    expect(topTwo.map((row) => row.error_message)).toEqual(['ENOENT', 'timeout']);
  });

  it.skipIf(!available)('token usage is summed per model, with input + output standing in for a missing total', async () => {
    await insertGenerations(db.query, [
      { model: 'gpt-5-mini', provider: 'openai', inputTokens: 100, outputTokens: 10, totalTokens: null, durationMs: 800, startedAt: hourStart },
      { model: 'gpt-5-mini', provider: 'openai', inputTokens: 200, outputTokens: 20, totalTokens: 250, durationMs: 1_200, startedAt: hourStart },
      { model: 'claude-sonnet', provider: 'anthropic', inputTokens: null, outputTokens: null, durationMs: 50, startedAt: hourStart, success: false },
    ]);

    const usage = await db.query('SELECT * FROM mini_agent_observability.model_usage($1, $2) ORDER BY model', window);

    expect(usage).toEqual([
      expect.objectContaining({ model: 'claude-sonnet', generations: 1, errors: 1, input_tokens: 0, total_tokens: 0 }),
      expect.objectContaining({
        model: 'gpt-5-mini', provider: 'openai', generations: 2, errors: 0,
        input_tokens: 300, output_tokens: 30, total_tokens: 110 + 250, p50_ms: 1_000,
      }),
    ]);
  });

  it.skipIf(!available)('resource metrics keep each unit a separate series and skip samples without a value', async () => {
    const traceId = newTraceId();
    await insertMetrics(db.query, [
      { traceId, metricType: 'memory', value: 20, unit: '%', recordedAt: hourStart },
      { traceId, metricType: 'memory', value: 60, unit: '%', recordedAt: hourStart },
      { traceId, metricType: 'memory', value: null, unit: '%', recordedAt: hourStart },
      { traceId, metricType: 'memory', value: 1_000, unit: 'By', recordedAt: hourStart },
    ]);

    const series = await db.query('SELECT * FROM mini_agent_observability.metric_stats($1, $2) ORDER BY unit', window);

    expect(series).toEqual([
      expect.objectContaining({ metric_type: 'memory', unit: '%', samples: 2, avg_value: 40, max_value: 60, p95_value: percentile([20, 60], 0.95) }),
      expect.objectContaining({ metric_type: 'memory', unit: 'By', samples: 1, max_value: 1_000 }),
    ]);
  });

  it.skipIf(!available)('the 24-hour views see the last day and nothing older', async () => {
    const now = Date.now();
    const traceId = newTraceId();
    await insertTraces(db.query, [{ id: traceId, status: 'error', complete: true, startedAt: new Date(now - 3_600_000), endedAt: new Date(now - 3_500_000) }]);
    await insertTools(db.query, [
      { traceId, toolName: 'read_file', durationMs: 40, startedAt: new Date(now - 3_600_000), success: false, errorMessage: 'ENOENT' },
      { toolName: 'read_file', durationMs: 60, startedAt: new Date(now - 25 * 3_600_000), success: false, errorMessage: 'old' },
    ]);
    await insertGenerations(db.query, [{ model: 'm', inputTokens: 1, outputTokens: 2, durationMs: 5, startedAt: new Date(now - 60_000) }]);
    await insertMetrics(db.query, [{ traceId, metricType: 'memory', value: 55, unit: '%', recordedAt: new Date(now - 60_000) }]);

    const one = async (view: string) => db.query(`SELECT * FROM mini_agent_observability.${view}`);
    expect(await one('tool_stats_24h')).toEqual([expect.objectContaining({ tool_name: 'read_file', executions: 1, max_ms: 40 })]);
    expect(await one('category_stats_24h')).toEqual([expect.objectContaining({ category: 'core', executions: 1 })]);
    expect(await one('session_stats_24h')).toEqual([expect.objectContaining({ trace_id: traceId, failed: true, peak_memory_pct: 55 })]);
    expect(await one('session_totals_24h')).toEqual([expect.objectContaining({ complete_sessions: 1, failed_pct: 100 })]);
    expect(await one('top_errors_24h')).toEqual([expect.objectContaining({ error_message: 'ENOENT', occurrences: 1 })]);
    expect(await one('model_usage_24h')).toEqual([expect.objectContaining({ model: 'm', total_tokens: 3 })]);
    expect(await one('metric_stats_24h')).toEqual([expect.objectContaining({ metric_type: 'memory', max_value: 55 })]);
  });

  it.skipIf(!available)('running the migrations again changes nothing', async () => {
    await insertTools(db.query, [{ toolName: 'read_file', durationMs: 10, startedAt: hourStart }]);

    await runMigrationFilesAgain(db, { supabase: false });

    expect(await db.query('SELECT tool_name, executions FROM mini_agent_observability.tool_stats($1, $2)', window))
      .toEqual([{ tool_name: 'read_file', executions: 1 }]);
  });
});
