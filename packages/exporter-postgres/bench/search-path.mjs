// Benchmark, not a test: what a `SET search_path` clause costs the analytics functions. Supabase's
// Security Advisor asks for one on every function, but a SET clause stops PostgreSQL from inlining
// a LANGUAGE sql function into the calling query. Creates a throwaway database on the server of
// DATABASE_URL (which must be allowed to CREATE DATABASE), applies the migrations, loads 100 000
// traces, 400 000 tool executions and 200 000 metrics and generations over 30 days, times each
// query (median of 15 runs), sets `search_path = ''` on every function of the schema, times them
// again, and drops the database. docs/supabase.md quotes the figures.
//
//   DATABASE_URL=postgres://postgres@localhost:5432/postgres node bench/search-path.mjs
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { migrate } from '../dist/index.js';

const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) {
  console.error('Set DATABASE_URL to a server where this user may CREATE DATABASE.');
  process.exit(2);
}
const S = 'mini_agent_observability';
const name = `search_path_bench_${randomBytes(4).toString('hex')}`;
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`CREATE DATABASE ${name}`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
try {
  await migrate(url.toString());
  console.log('loading rows...');
  await sql.unsafe(`
    INSERT INTO ${S}.traces (id, user_id, status, complete, started_at, ended_at)
    SELECT md5(i::text), 'u' || (i % 50), CASE WHEN i % 20 = 0 THEN 'error' ELSE 'ok' END, true,
           now() - i * interval '26 seconds', now() - i * interval '26 seconds' + interval '3 seconds'
      FROM generate_series(1, 100000) i;
    INSERT INTO ${S}.tool_executions (id, trace_id, name, tool_name, category, success, started_at, ended_at, duration_ms)
    SELECT 't' || i, md5((i / 4)::text), 'tool', 'tool_' || (i % 12), (ARRAY['core', 'file', 'mcp', 'document', 'skill'])[1 + i % 5],
           i % 17 <> 0, now() - i * interval '6.5 seconds', now() - i * interval '6.5 seconds', (i % 1000)::float8
      FROM generate_series(1, 400000) i;
    INSERT INTO ${S}.performance_metrics (id, trace_id, span_id, metric_type, metric_value, unit, recorded_at)
    SELECT 'm' || i, md5((i / 2)::text), 's', 'memory', (i % 90)::float8, '%', now() - i * interval '13 seconds'
      FROM generate_series(1, 200000) i;
    INSERT INTO ${S}.generations (id, trace_id, name, model, success, started_at, ended_at, duration_ms, input_tokens, output_tokens)
    SELECT 'g' || i, md5((i / 2)::text), 'chat', 'model_' || (i % 3), true, now() - i * interval '13 seconds',
           now() - i * interval '13 seconds', 100, 10, 5
      FROM generate_series(1, 200000) i;`);
  await sql.unsafe('VACUUM ANALYZE');
  const hour = "now() - interval '1 hour'";
  const queries = [
    ['session_stats(30 days) WHERE trace_id = ...', `SELECT * FROM ${S}.session_stats(now() - interval '30 days') WHERE trace_id = md5('77')`],
    ['tool_stats(1 hour)', `SELECT * FROM ${S}.tool_stats(${hour})`],
    ['tool_stats(30 days)', `SELECT * FROM ${S}.tool_stats(now() - interval '30 days')`],
    ['session_stats(1 hour)', `SELECT * FROM ${S}.session_stats(${hour})`],
    ['metric_stats(1 hour)', `SELECT * FROM ${S}.metric_stats(${hour})`],
    ['alert_measure(error_rate_pct, 1 hour)', `SELECT * FROM ${S}.alert_measure('error_rate_pct', ${hour}, now())`],
    ['alert_status()', `SELECT * FROM ${S}.alert_status()`],
    ['firing_alerts()', `SELECT * FROM ${S}.firing_alerts()`],
  ];
  const median = async (text) => {
    for (let i = 0; i < 3; i++) await sql.unsafe(text);
    const times = [];
    for (let i = 0; i < 15; i++) {
      const started = performance.now();
      await sql.unsafe(text);
      times.push(performance.now() - started);
    }
    return times.sort((a, b) => a - b)[7];
  };
  const before = [];
  for (const [, text] of queries) before.push(await median(text));
  const functions = await sql.unsafe(`SELECT p.oid::regprocedure::text AS signature FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = '${S}'`);
  for (const { signature } of functions) await sql.unsafe(`ALTER FUNCTION ${signature} SET search_path = ''`);
  console.log(`${'query'.padEnd(44)} ${'inlined'.padStart(10)} ${'SET search_path'.padStart(16)}`);
  for (const [i, [label, text]] of queries.entries()) {
    const after = await median(text);
    console.log(`${label.padEnd(44)} ${`${before[i].toFixed(1)} ms`.padStart(10)} ${`${after.toFixed(1)} ms`.padStart(16)}`);
  }
} finally {
  await sql.end();
  await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
