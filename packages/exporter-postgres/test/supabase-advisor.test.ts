// Supabase's Security Advisor warns about functions without a fixed search_path. Where setting one
// costs nothing it is set; the functions left without it are the inlined analytics, and the docs
// name each of them. These checks keep the schema, the inlining and the docs in step.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlDatabaseKinds, type SqlDatabase } from './sql-databases.js';

const docs = readFileSync(fileURLToPath(new URL('../../../docs/supabase.md', import.meta.url)), 'utf8');

describe.each(sqlDatabaseKinds)('search_path of the functions on $name', ({ available, open }) => {
  let db: SqlDatabase;
  beforeAll(async () => {
    if (available) db = await open({ supabase: true });
  });
  afterAll(async () => {
    await db?.close();
  });

  const withoutSearchPath = () =>
    db.query<{ name: string }>(
      `SELECT p.proname AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'mini_agent_observability'
          AND NOT EXISTS (SELECT 1 FROM unnest(coalesce(p.proconfig, '{}')) c WHERE c LIKE 'search_path=%')
        ORDER BY 1`,
    );

  it.skipIf(!available)('is fixed on the alert evaluation and the access check, and left off only where the docs say why', async () => {
    const [fixed] = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'mini_agent_observability' AND p.proname IN ('alert_status', 'firing_alerts', 'reader_scope')
          AND 'search_path=""' = ANY (p.proconfig)`,
    );
    expect(fixed).toEqual({ n: 3 });
    const remaining = (await withoutSearchPath()).map((row) => row.name);
    expect(remaining).toEqual([
      'alert_measure', 'category_stats', 'cost_by_agent_version', 'cost_by_day', 'cost_by_model', 'cost_by_session',
      'cost_by_user', 'latency_bin', 'latency_bin_value', 'latency_bucket', 'metric_stats', 'model_usage', 'partition_tables', 'prune', 'rollup_bounds',
      'rollups_visible', 'score_daily', 'score_distribution', 'score_stats', 'score_stats_by_version', 'session_stats',
      'session_timeline', 'session_totals', 'tool_latency_buckets', 'tool_stats', 'tool_totals', 'top_errors', 'ttft_by_model', 'unpriced_models',
      'use_rollups', 'user_stats', 'worst_sessions',
    ]);
    const documented = /<!-- search-path-exceptions -->([\s\S]*?)<!-- \/search-path-exceptions -->/.exec(docs)?.[1] ?? '';
    for (const name of remaining) expect(documented, name).toContain(`\`${name}\``);
  });

  it.skipIf(!available)('keeps the analytics inlinable: a filter on session_stats reaches the traces index instead of computing every session', async () => {
    const plan = await db.query<{ 'QUERY PLAN': string }>(
      "EXPLAIN SELECT * FROM mini_agent_observability.session_stats(now() - interval '30 days') WHERE trace_id = 'abc'",
    );
    const text = plan.map((row) => row['QUERY PLAN']).join('\n');
    expect(text).not.toContain('Function Scan');
    expect(text).toMatch(/Index Scan using traces_pkey|Index Cond: \(id = 'abc'::text\)/);
  });

  it.skipIf(!available)('evaluates the alerts with the empty search_path', async () => {
    const rows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM mini_agent_observability.alert_status()');
    expect(rows).toEqual([{ n: 4 }]);
  });
});
