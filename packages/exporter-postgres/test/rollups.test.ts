// Long windows read the hourly rollups: counts and sums equal the rows', percentiles are within the
// documented 4.5 % of percentile_cont (computed here independently), and the rollups follow every
// write, re-delivery, update, prune and truncate of the tables they summarize.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { at, clearRows, insertGenerations, insertTools, insertTraces, newTraceId, percentile, type Tool } from './agent-rows.js';
import { rollupsAndRebuild } from './rollup-snapshot.js';
import { layoutKinds, type SqlDatabase } from './sql-databases.js';

const S = 'mini_agent_observability';
/** 2^(1/16) - 1: a bin's middle is this close to any value in the bin (052_rollups.sql). */
const BOUND = 2 ** (1 / 16) - 1;
// Three days and a half, starting and ending mid-hour, so every part of a window is exercised:
// partial hours at both ends (rows), whole hours (hourly rollups) and whole days (daily histograms).
const since = new Date('2026-03-01T10:20:00Z');
const until = new Date('2026-03-04T22:40:00Z');
const span = until.getTime() - since.getTime();

/** Deterministic pseudo-random numbers: the same dataset every run. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => ((state = (state * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
}

function dataset(): Tool[] {
  const random = seeded(11);
  const tools: Tool[] = [];
  for (let i = 0; i < 3_000; i++) {
    const name = ['read_file', 'web_search', 'shell'][i % 3]!;
    const failed = random() < 0.08;
    tools.push({
      toolName: name, category: name === 'web_search' ? 'mcp' : 'core',
      durationMs: Math.round(Math.exp(1 + 6 * random() * random()) * 1000) / 1000,
      startedAt: new Date(since.getTime() - 3_600_000 + random() * (span + 7_200_000)),
      success: !failed, errorMessage: failed ? `error ${i % 4}` : null,
    });
  }
  return tools;
}

const inWindow = (tools: Tool[]) => tools.filter((t) => t.startedAt >= since && t.startedAt < until);
const relative = (estimate: number, exact: number) => Math.abs(estimate - exact) / exact;

describe.each(layoutKinds)('rollups on $name', ({ available, open, name }) => {
  let db: SqlDatabase;
  let tools: Tool[];
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
    tools = dataset();
    for (let i = 0; i < tools.length; i += 500) await insertTools(db.query, tools.slice(i, i + 500));
  });

  it.skipIf(!available)('tool_stats over 3.5 days: counts, errors and sums exact, p50/p95 within the bound of percentile_cont', async () => {
    const rows = await db.query<Record<string, number>>(`SELECT * FROM ${S}.tool_stats($1, $2) ORDER BY tool_name`, [since, until]);
    const [bins] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${S}.latency_histogram WHERE kind = 'tool' AND grain = 'day'`);
    expect(bins!.n).toBeGreaterThan(0);
    expect(rows.map((r) => r.tool_name)).toEqual(['read_file', 'shell', 'web_search']);
    for (const row of rows) {
      const mine = inWindow(tools).filter((t) => t.toolName === row.tool_name);
      const ms = mine.map((t) => t.durationMs);
      expect(row.executions).toBe(mine.length);
      expect(row.errors).toBe(mine.filter((t) => !t.success).length);
      expect(row.avg_ms).toBeCloseTo(ms.reduce((a, b) => a + b, 0) / ms.length, 6);
      expect(row.max_ms).toBe(Math.max(...ms));
      expect(relative(row.p50_ms!, percentile(ms, 0.5))).toBeLessThanOrEqual(BOUND);
      expect(relative(row.p95_ms!, percentile(ms, 0.95))).toBeLessThanOrEqual(BOUND);
    }
    const categories = await db.query<Record<string, number>>(`SELECT * FROM ${S}.category_stats($1, $2) ORDER BY category`, [since, until]);
    const core = inWindow(tools).filter((t) => t.category === 'core').map((t) => t.durationMs);
    expect(categories[0]).toMatchObject({ category: 'core', executions: core.length });
    expect(relative(categories[0]!.p95_ms!, percentile(core, 0.95))).toBeLessThanOrEqual(BOUND);
    const [totals] = await db.query<Record<string, number>>(`SELECT * FROM ${S}.tool_totals($1, $2)`, [since, until]);
    const all = inWindow(tools).map((t) => t.durationMs);
    expect(totals!.executions).toBe(all.length);
    expect(relative(totals!.p50_ms!, percentile(all, 0.5))).toBeLessThanOrEqual(BOUND);
  });

  it.skipIf(!available)('a window of a day or less stays exact (percentile_cont itself)', async () => {
    const dayUntil = at(since, 86_400_000);
    const [row] = await db.query<Record<string, number>>(`SELECT * FROM ${S}.tool_stats($1, $2) WHERE tool_name = 'shell'`, [since, dayUntil]);
    const ms = tools.filter((t) => t.toolName === 'shell' && t.startedAt >= since && t.startedAt < dayUntil).map((t) => t.durationMs);
    expect(row!.p95_ms).toBeCloseTo(percentile(ms, 0.95), 9);
  });

  it.skipIf(!available)('top_errors over the long window counts each message exactly', async () => {
    const rows = await db.query<{ error_message: string; occurrences: number; tool_names: string[] }>(`SELECT * FROM ${S}.top_errors($1, $2)`, [since, until]);
    const failed = inWindow(tools).filter((t) => !t.success);
    for (const row of rows) {
      const mine = failed.filter((t) => t.errorMessage === row.error_message);
      expect(row.occurrences).toBe(mine.length);
      expect(row.tool_names).toEqual([...new Set(mine.map((t) => t.toolName))].sort());
    }
    expect(rows.reduce((n, r) => n + r.occurrences, 0)).toBe(failed.length);
  });

  it.skipIf(!available)('re-delivered rows (ON CONFLICT DO NOTHING) are counted once', async () => {
    const before = await db.query(`SELECT * FROM ${S}.tool_rollup ORDER BY 1, 2, 3`);
    const [one] = await db.query<Record<string, unknown>>(`SELECT * FROM ${S}.tool_executions LIMIT 1`);
    const columns = Object.keys(one!);
    await db.query(
      `INSERT INTO ${S}.tool_executions (${columns.join(', ')}) SELECT ${columns.join(', ')} FROM ${S}.tool_executions ON CONFLICT DO NOTHING`,
    );
    expect(await db.query(`SELECT * FROM ${S}.tool_rollup ORDER BY 1, 2, 3`)).toEqual(before);
  });

  it.skipIf(!available)('after deletes and trace updates the rollups equal a rebuild from the rows', async () => {
    const trace = newTraceId();
    await insertTraces(db.query, [
      { id: trace, status: 'unset', complete: false, startedAt: null, endedAt: null, insertedAt: at(since, 3_600_000) },
      { id: newTraceId(), status: 'error', complete: true, startedAt: at(since, 7_200_000), endedAt: at(since, 7_260_000) },
    ]);
    // The session span arrives later: the trace moves to its start hour and is judged.
    await db.query(`UPDATE ${S}.traces SET status = 'ok', complete = true, started_at = $2, ended_at = $3 WHERE id = $1`, [trace, at(since, 86_400_000), at(since, 86_430_000)]);
    await insertGenerations(db.query, [{ model: 'gpt-4o', inputTokens: 10, outputTokens: 2, durationMs: 700, startedAt: at(since, 90_000_000) }]);
    await db.query(`DELETE FROM ${S}.tool_executions WHERE tool_name = 'shell' AND started_at < $1`, [at(since, 2 * 86_400_000)]);
    // The slowest call of each remaining tool, the first and last of each hour of web_search: extremes go.
    await db.query(
      `DELETE FROM ${S}.tool_executions te USING (SELECT tool_name, max(duration_ms) AS ms FROM ${S}.tool_executions GROUP BY 1) m
        WHERE te.tool_name = m.tool_name AND te.duration_ms = m.ms`,
    );
    await db.query(
      `DELETE FROM ${S}.tool_executions WHERE id IN (
         SELECT (array_agg(id ORDER BY started_at))[1] FROM ${S}.tool_executions WHERE tool_name = 'web_search' GROUP BY date_bin('1 hour', started_at, '2000-01-01')
         UNION ALL
         SELECT (array_agg(id ORDER BY started_at DESC))[1] FROM ${S}.tool_executions WHERE NOT success GROUP BY date_bin('1 hour', started_at, '2000-01-01'))`,
    );
    // The session that was the longest of its hour leaves.
    await insertTraces(db.query, [{ id: newTraceId(), status: 'ok', complete: true, startedAt: at(since, 7_300_000), endedAt: at(since, 7_900_000) }]);
    await db.query(`DELETE FROM ${S}.traces WHERE started_at = $1`, [at(since, 7_300_000)]);
    // Maxima and first/last times are compared too: a delete that removed an hour's extreme recomputes it.
    const { kept, rebuilt } = await rollupsAndRebuild(db.query);
    expect(kept).toEqual(rebuilt);
    const [sessions] = await db.query<Record<string, number>>(`SELECT * FROM ${S}.session_totals($1, $2)`, [since, until]);
    expect(sessions).toMatchObject({ sessions: 2, complete_sessions: 2, failed_sessions: 1, failed_pct: 50 });
    const timeline = await db.query<{ sessions: number }>(`SELECT * FROM ${S}.session_timeline($1, $2, '1 day')`, [since, until]);
    expect(timeline.reduce((n, b) => n + Number(b.sessions), 0)).toBe(2);
  });

  it.skipIf(!available)('after a prune that drops partitions (partitioned layout) or deletes rows, every rollup equals a rebuild', async () => {
    // LLM calls with spend beside a third of the tool calls, and a finished trace for each call,
    // so that retention may take them: a partition holding a row of a trace it keeps stays.
    await db.query(
      `INSERT INTO ${S}.generations (id, trace_id, name, model, provider, success, started_at, ended_at, duration_ms, input_tokens, output_tokens,
         uncached_input_tokens, cached_tokens, cache_creation_tokens, non_reasoning_output_tokens, reasoning_tokens, cost_usd)
       SELECT md5(id), trace_id, 'chat', CASE WHEN duration_ms < 10 THEN 'gpt-5' ELSE 'claude-sonnet-4.5' END, 'test', success, started_at, ended_at,
              duration_ms * 10, length(id) * 7, 40, length(id) * 5, 20, 3, 35, CASE WHEN success THEN 5 END,
              CASE WHEN duration_ms > 100 THEN NULL ELSE round((duration_ms / 1e4)::numeric, 8) END
         FROM ${S}.tool_executions WHERE hashtext(id) % 3 = 0`,
    );
    await db.query(
      `INSERT INTO ${S}.traces (id, status, complete, started_at, ended_at, inserted_at)
       SELECT trace_id, 'ok', true, min(started_at), min(started_at), min(started_at) FROM ${S}.tool_executions GROUP BY trace_id`,
    );
    // The cutoff mid-hour on Monday 2 March: the ISO week before it ends at its midnight, so on the
    // weekly layout that week's partitions go whole, and the batches then take the morning rows.
    const cutoff = new Date('2026-03-02T13:30:00Z');
    const asOf = at(cutoff, 86_400_000);
    const dropped: string[] = [];
    for (;;) {
      const [part] = await db.query<{ table_name: string }>(`SELECT table_name FROM ${S}.prune_partition(interval '1 day', $1)`, [asOf]);
      if (part === undefined) break;
      dropped.push(part.table_name);
    }
    for (;;) {
      const deleted = await db.query<{ deleted: number }>(`SELECT deleted FROM ${S}.prune_batch(interval '1 day', 500, $1)`, [asOf]);
      if (deleted.reduce((n, r) => n + Number(r.deleted), 0) === 0) break;
    }
    const partitioned = name.includes('partitioned');
    expect([...new Set(dropped)].filter((t) => t === 'tool_executions' || t === 'generations').sort()).toEqual(partitioned ? ['generations', 'tool_executions'] : []);
    const [left] = await db.query<{ tools: number; old: number; rolled: number }>(
      `SELECT (SELECT count(*)::int FROM ${S}.tool_executions) AS tools, (SELECT count(*)::int FROM ${S}.tool_executions WHERE started_at < $1) AS old,
              (SELECT sum(executions)::int FROM ${S}.tool_rollup) AS rolled`, [cutoff]);
    expect(left).toEqual({ tools: tools.filter((t) => t.startedAt >= cutoff).length, old: 0, rolled: left!.tools });

    const { kept, rebuilt } = await rollupsAndRebuild(db.query);
    expect(kept.model_rollup!.length).toBeGreaterThan(0);
    expect(kept.latency_histogram!.some((row) => row.includes('"tool_bucket"'))).toBe(true);
    expect(kept).toEqual(rebuilt);
  });

  it.skipIf(!available || !name.includes('partitioned'))('dropping a partition attached by hand off midnight keeps the rest of its days in the rollups', async () => {
    const lo = new Date('2026-01-20T10:30:00Z');
    const hi = new Date('2026-01-24T05:15:00Z');
    await db.query(`CREATE TABLE ${S}.tool_executions_by_hand PARTITION OF ${S}.tool_executions FOR VALUES FROM ('${lo.toISOString()}') TO ('${hi.toISOString()}')`);
    const random = seeded(3);
    const january: Tool[] = Array.from({ length: 600 }, (_, i) => ({
      toolName: ['read_file', 'shell'][i % 2]!, durationMs: 1 + Math.round(random() * 5_000) / 10,
      startedAt: new Date(Date.UTC(2026, 0, 19) + random() * 6 * 86_400_000), success: i % 7 !== 0, errorMessage: i % 7 === 0 ? 'boom' : null,
    }));
    await insertTools(db.query, january);
    // The calls in the partition ended long ago; the others' sessions are still kept (DEFAULT partition).
    await db.query(
      `INSERT INTO ${S}.traces (id, status, complete, started_at, ended_at)
       SELECT trace_id, 'ok', true, min(started_at), CASE WHEN tableoid = '${S}.tool_executions_by_hand'::regclass THEN min(started_at) ELSE '2026-03-10Z' END
         FROM ${S}.tool_executions WHERE started_at < '2026-02-01Z' GROUP BY trace_id, tableoid`,
    );
    const inside = (t: Tool) => t.startedAt >= lo && t.startedAt < hi;
    const day = (d: Date) => d.toISOString().slice(0, 10);
    // Rows outside the partition on the days it starts and ends in: their hours and days must stay.
    expect(january.filter((t) => !inside(t) && (day(t.startedAt) === day(lo) || day(t.startedAt) === day(hi))).length).toBeGreaterThan(20);
    const asOf = new Date('2026-01-26T00:00:00Z');
    const dropped: string[] = [];
    for (;;) {
      const [part] = await db.query<{ table_name: string }>(`SELECT table_name FROM ${S}.prune_partition(interval '1 day', $1)`, [asOf]);
      if (part === undefined) break;
      dropped.push(part.table_name);
    }
    expect(dropped.filter((t) => t === 'tool_executions')).toEqual(['tool_executions']);
    const [left] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${S}.tool_executions WHERE started_at < '2026-02-01Z'`);
    expect(left!.n).toBe(january.filter((t) => !inside(t)).length);

    const { kept, rebuilt } = await rollupsAndRebuild(db.query);
    expect(kept).toEqual(rebuilt);
  });

  it.skipIf(!available)('tool_latency_buckets counts every bucket exactly, over the long window, a day and half an hour', async () => {
    const bounds = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 60_000];
    const bucketOf = (ms: number) => bounds.filter((b) => ms >= b).length;
    const expected = (from: Date, to: Date) => {
      const counts = new Map<string, number>();
      for (const t of tools.filter((x) => x.startedAt >= from && x.startedAt < to)) {
        const key = `${t.toolName}|${t.category}|${bucketOf(t.durationMs)}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      return [...counts].map(([key, n]) => `${key}|${n}`).sort();
    };
    const read = async (from: Date, to: Date) =>
      (await db.query<{ tool_name: string; category: string; bucket: number; n: number }>(`SELECT * FROM ${S}.tool_latency_buckets($1, $2)`, [from, to]))
        .map((r) => `${r.tool_name}|${r.category}|${r.bucket}|${Number(r.n)}`).sort();
    const [fromRollups] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${S}.latency_histogram WHERE kind = 'tool_bucket' AND grain = 'day'`);
    expect(fromRollups!.n).toBeGreaterThan(0);
    expect(await read(since, until)).toEqual(expected(since, until));
    // A day (read from the hourly counts too: counts add up) and half an hour (from the rows).
    for (const [from, ms] of [[at(since, 3_000_000), 86_400_000], [at(since, 5_000_000), 1_800_000]] as const) {
      expect(await read(from, at(from, ms))).toEqual(expected(from, at(from, ms)));
    }
    // Prunes subtract their rows' buckets.
    await db.query(`DELETE FROM ${S}.tool_executions WHERE started_at < $1`, [at(since, 86_400_000 + 1_234_000)]);
    tools = tools.filter((t) => t.startedAt >= at(since, 86_400_000 + 1_234_000));
    expect(await read(since, until)).toEqual(expected(since, until));
  });

  it.skipIf(!available)('cost_by_model over the long window equals the sums of the rows, unpriced calls counted apart', async () => {
    const random = seeded(5);
    const rows = Array.from({ length: 400 }, (_, i) => ({
      model: ['gpt-5', 'claude-sonnet-4.5', null][i % 3] ?? null,
      startedAt: new Date(since.getTime() - 3_600_000 + random() * (span + 7_200_000)),
      uncached: Math.floor(random() * 1_000), cached: Math.floor(random() * 300), creation: i % 7, output: Math.floor(random() * 500),
      reasoning: i % 5 === 0 ? null : Math.floor(random() * 50),
      cost: i % 9 === 0 ? null : (Math.floor(random() * 1e6) / 1e8).toFixed(8),
    }));
    for (let i = 0; i < rows.length; i += 100) {
      const params: unknown[] = [];
      const tuples = rows.slice(i, i + 100).map((r) =>
        `(md5(random()::text), md5(random()::text), 'chat', $${params.push(r.model)}, 'test', true, $${params.push(r.startedAt)}, $${params.push(r.startedAt)}, 10, ` +
        `$${params.push(r.uncached)}, $${params.push(r.cached)}, $${params.push(r.creation)}, $${params.push(r.output)}, $${params.push(r.reasoning)}, $${params.push(r.cost)}::numeric)`);
      await db.query(
        `INSERT INTO ${S}.generations (id, trace_id, name, model, provider, success, started_at, ended_at, duration_ms,
           uncached_input_tokens, cached_tokens, cache_creation_tokens, non_reasoning_output_tokens, reasoning_tokens, cost_usd)
         VALUES ${tuples.join(', ')}`, params);
    }
    // A price set later (a repricing UPDATE) moves the sums too.
    await db.query(`UPDATE ${S}.generations SET cost_usd = 0.5 WHERE model = 'gpt-5' AND cost_usd IS NULL`);
    for (const r of rows) if (r.model === 'gpt-5' && r.cost === null) r.cost = '0.5';
    const got = await db.query<Record<string, unknown>>(
      `SELECT model, generations::int, unpriced::int, uncached_input_tokens::int, cache_read_tokens::int, cache_creation_tokens::int,
              output_tokens::int, reasoning_tokens::int, cost_usd::text FROM ${S}.cost_by_model($1, $2) ORDER BY model NULLS LAST`, [since, until]);
    const scaled = (v: string | null) => (v === null ? 0n : BigInt(Math.round(Number(v) * 1e8)));
    const expected = ['claude-sonnet-4.5', 'gpt-5', null].map((model) => {
      const mine = rows.filter((r) => r.model === model && r.startedAt >= since && r.startedAt < until);
      const sum = (f: (r: (typeof rows)[number]) => number | null) => mine.reduce((n, r) => n + (f(r) ?? 0), 0);
      return {
        model, generations: mine.length, unpriced: mine.filter((r) => r.cost === null).length, uncached_input_tokens: sum((r) => r.uncached),
        cache_read_tokens: sum((r) => r.cached), cache_creation_tokens: sum((r) => r.creation), output_tokens: sum((r) => r.output),
        reasoning_tokens: sum((r) => r.reasoning), cost: mine.reduce((n, r) => n + scaled(r.cost), 0n),
      };
    });
    expect(got.map(({ cost_usd, ...rest }) => ({ ...rest, cost: scaled(cost_usd as string) }))).toEqual(expected);
    // Exactly the exact branch's figures: the same window one row at a time (the rows, not the rollups).
    const [{ rollups }] = (await db.query<{ rollups: boolean }>(`SELECT ${S}.use_rollups($1, $2) AS rollups`, [since, until])) as [{ rollups: boolean }];
    expect(rollups).toBe(true);
  });

  it.skipIf(!available)('a truncated table empties its rollups', async () => {
    await db.query(`TRUNCATE ${S}.tool_executions`);
    expect(await db.query(`SELECT * FROM ${S}.tool_rollup`)).toEqual([]);
    expect(await db.query(`SELECT * FROM ${S}.tool_stats($1, $2)`, [since, until])).toEqual([]);
    expect(await db.query(`SELECT * FROM ${S}.latency_histogram WHERE kind IN ('tool', 'tool_bucket')`)).toEqual([]);
  });
});
