// Benchmark, not a test: how long each dashboard page takes to render, server-side, over 100,000
// agent sessions' worth of rows. Loads the rows with COPY into a fresh database on the server of
// DATABASE_URL (a superuser URL: it creates and drops a database), or on a throwaway server started
// from the installed PostgreSQL binaries when DATABASE_URL is not set. Then serves the built
// dashboard (dist/) over it and requests each page several times, reading the server's own
// Server-Timing header (database + render time, without the network).
//
//   pnpm -F @mini-agent/dashboard build
//   node packages/dashboard/bench/render.mjs [--sessions 100000] [--days 30] [--runs 5] [--keep] [--reuse DB] [--only TEXT] [--scan]
//   node packages/dashboard/bench/render.mjs --sessions 1000000 --generator sql
//   node packages/dashboard/bench/render.mjs --reuse DB --pages overview,tools
//
// --pages times only the pages whose label contains one of the comma-separated words.
// --generator sql makes the rows in the database itself (INSERT … SELECT over generate_series, in
// chunks, triggers off, then rebuild_rollups()): the way to reach 1M sessions in minutes. It writes
// the tables the overview, tools, sessions and users pages read (traces, tool_executions,
// generations, performance_metrics) with the same shape as the default generator, not spans or
// decisions (the session detail page then shows the session without its waterfall).
//
// --keep leaves the loaded database in place; --reuse DB times the pages of such a database again
// without loading (its rows stay where they were in time, so the windows slowly move past them).
// --only TEXT times only the pages whose label contains TEXT (e.g. --only search). The search
// indexes (createSearchIndexes) are built after loading; --scan leaves them out, to time the
// search without them.
//
// Sessions are spread evenly over the last --days days (default 30), so the default 24-hour window
// holds about 1/30 of them and the 30-day window all of them. Each session has 8 tool calls
// (20 tools in 6 categories, ~5 % failing, log-normal latencies), an LLM call, 2 decisions, 2 memory
// samples and a span for each of those: 100k sessions are ~2.5 M rows.
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { migrate } from '@mini-agent/exporter-postgres';
import postgres from 'postgres';
import { createSearchIndexes, startDashboard } from '../dist/index.js';

const { values: options } = parseArgs({
  options: {
    sessions: { type: 'string', default: '100000' },
    days: { type: 'string', default: '30' },
    runs: { type: 'string', default: '5' },
    keep: { type: 'boolean', default: false },
    reuse: { type: 'string' },
    only: { type: 'string' },
    scan: { type: 'boolean', default: false },
    generator: { type: 'string', default: 'js' },
    pages: { type: 'string' },
  },
});
if (!['js', 'sql'].includes(options.generator)) throw new Error(`--generator must be js or sql, got ${options.generator}`);
const sessionCount = Number(options.sessions);
const days = Number(options.days);
const runs = Number(options.runs);
const TOOLS_PER_SESSION = 8;
/** The one session whose one tool input holds {@link NEEDLE}: the search must find it and nothing else. */
const NEEDLE_SESSION = Math.floor(sessionCount * 0.37);
const NEEDLE = 'quokka-marmalade';

let throwaway;
let adminUrl = process.env.DATABASE_URL;
if (!adminUrl) {
  const support = await import('@mini-agent/test-support');
  const binDir = support.findPostgresBinaries();
  if (!binDir) {
    console.error('Set DATABASE_URL to a server where this user may CREATE DATABASE, or install PostgreSQL (apt-get install postgresql).');
    process.exit(2);
  }
  throwaway = await support.startThrowawayPostgres(binDir);
  adminUrl = throwaway.url;
  console.log(`throwaway PostgreSQL server on port ${throwaway.port}`);
}

const TOOLS = [
  ['read_file', 'file'], ['write_file', 'file'], ['list_dir', 'file'], ['web_search', 'mcp'], ['fetch_url', 'mcp'],
  ['query_db', 'mcp'], ['summarize', 'skill'], ['extract_table', 'document'], ['parse_pdf', 'document'], ['shell', 'core'],
  ['python', 'core'], ['calculator', 'core'], ['plan', 'skill'], ['send_email', 'other'], ['calendar', 'other'],
  ['git_diff', 'core'], ['grep', 'core'], ['translate', 'skill'], ['ocr', 'document'], ['vector_search', 'mcp'],
];
const ERRORS = ['ENOENT: no such file or directory', 'timeout after 30s', 'HTTP 429 Too Many Requests', 'permission denied', 'invalid JSON in tool arguments'];
const AGENTS = ['coder', 'researcher', 'support', 'ops'];
const MODELS = ['gpt-5-mini', 'gpt-5', 'claude-sonnet-4.5', 'gemini-2.5-pro'];
const now = Date.now();
const spanMs = days * 86_400_000;

// Deterministic pseudo-random numbers: two runs load the same rows.
let seed = 7;
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
const latency = () => Math.round(Math.exp(2.5 + 3 * random() * random() + 2.2 * random()) * 100) / 100;
const iso = (ms) => new Date(ms).toISOString();
const traceId = (t) => t.toString(16).padStart(32, '0');
const spanId = (t, i) => (t * 16 + i + 1).toString(16).padStart(16, '0');
const start = (t) => now - spanMs + Math.floor(((t + 0.5) / sessionCount) * (spanMs - 120_000));

/** One session's rows, generated once and written to each table's stream. */
function* sessions() {
  for (let t = 0; t < sessionCount; t++) {
    const t0 = start(t);
    const tools = [];
    let at = t0 + 200;
    for (let i = 0; i < TOOLS_PER_SESSION; i++) {
      const [name, category] = TOOLS[Math.floor(random() * TOOLS.length)];
      const ms = latency();
      const failed = random() < 0.05;
      tools.push({ i, name, category, ms, failed, at, error: failed ? ERRORS[Math.floor(random() * ERRORS.length)] : null });
      at += ms + 20;
    }
    const llmMs = 300 + random() * 3_000;
    const llmAt = at;
    at += llmMs + 20;
    const failed = random() < 0.06;
    yield { t, t0, end: at + 50, tools, llmAt, llmMs, failed, agent: AGENTS[t % AGENTS.length], user: `user-${t % 997}`, model: MODELS[t % MODELS.length] };
  }
}

const LINES = {
  traces: (s) => `${traceId(s.t)}\tconversation-${s.t % 20_000}\t${s.agent}\t1.0.0\t${s.user}\tsession ${s.t}\t${s.failed ? 'error' : 'ok'}\t${s.failed ? 'gave up' : '\\N'}\t${iso(s.t0)}\t${iso(s.end)}\ttrue\t{"task": "task ${s.t}"}\n`,
  tool_executions: (s) => s.tools.map((x) =>
    `${spanId(s.t, x.i + 1)}\t${traceId(s.t)}\t${spanId(s.t, 0)}\t${x.name}\t${x.name}\t${x.category}\t{"path": "/srv/data/file-${s.t % 977}.txt", "limit": ${x.i}${s.t === NEEDLE_SESSION && x.i === 5 ? `, "note": "${NEEDLE}"` : ''}}\t${x.failed ? '\\N' : `{"bytes": ${(s.t * 31 + x.i) % 65_536}, "ok": true}`}\t${!x.failed}\t${x.error ?? '\\N'}\t${iso(x.at)}\t${iso(x.at + x.ms)}\t${x.ms}\n`).join(''),
  spans: (s) => [
    `${spanId(s.t, 0)}\t${traceId(s.t)}\t\\N\tsession ${s.t}\tsession\tinternal\t${s.failed ? 'error' : 'ok'}\t${s.failed ? 'gave up' : '\\N'}\t${iso(s.t0)}\t${iso(s.end)}\t${s.end - s.t0}\t{"mini_agent.span.kind": "session", "mini_agent.agent.name": "${s.agent}"}\n`,
    ...s.tools.map((x) =>
      `${spanId(s.t, x.i + 1)}\t${traceId(s.t)}\t${spanId(s.t, 0)}\t${x.name}\ttool\tinternal\t${x.failed ? 'error' : 'ok'}\t${x.error ?? '\\N'}\t${iso(x.at)}\t${iso(x.at + x.ms)}\t${x.ms}\t{"mini_agent.span.kind": "tool", "mini_agent.tool.name": "${x.name}"}\n`),
    `${spanId(s.t, 9)}\t${traceId(s.t)}\t${spanId(s.t, 0)}\tchat ${s.model}\tllm\tclient\tok\t\\N\t${iso(s.llmAt)}\t${iso(s.llmAt + s.llmMs)}\t${s.llmMs}\t{"gen_ai.operation.name": "chat", "gen_ai.request.model": "${s.model}"}\n`,
    `${spanId(s.t, 10)}\t${traceId(s.t)}\t${spanId(s.t, 0)}\tchoose tool\tdecision\tinternal\tok\t\\N\t${iso(s.t0 + 100)}\t${iso(s.t0 + 110)}\t10\t{"mini_agent.span.kind": "decision"}\n`,
  ].join(''),
  generations: (s) => `${spanId(s.t, 9)}\t${traceId(s.t)}\t${spanId(s.t, 0)}\tchat ${s.model}\t${s.model}\tbench\t[{"role": "system", "content": "You are the ${s.agent} agent."}, {"role": "user", "content": "task ${s.t}: read file-${s.t % 977}.txt and report"}]\t[{"role": "assistant", "content": "done: ${s.tools.length} tool calls"}]\t${(s.t * 7) % 4_000}\t${(s.t * 3) % 800}\t\\N\ttrue\t${iso(s.llmAt)}\t${iso(s.llmAt + s.llmMs)}\t${s.llmMs}\n`,
  decisions: (s) =>
    `${spanId(s.t, 10)}\t${traceId(s.t)}\t${spanId(s.t, 10)}\ttool_selection\t["read_file", "web_search"]\tread_file\tcheapest first\t${iso(s.t0 + 110)}\n` +
    `${spanId(s.t, 0)}:1\t${traceId(s.t)}\t${spanId(s.t, 0)}\tstop\t\\N\tanswer\t\\N\t${iso(s.end)}\n`,
  performance_metrics: (s) =>
    `${spanId(s.t, 0)}:0\t${traceId(s.t)}\t${spanId(s.t, 0)}\tmemory\t${(20 + ((s.t * 13) % 60)).toFixed(1)}\t%\t${iso(s.t0 + 1_000)}\n` +
    `${spanId(s.t, 0)}:2\t${traceId(s.t)}\t${spanId(s.t, 0)}\tmemory\t${2e8 + ((s.t * 7919) % 8e8)}\tBy\t${iso(s.t0 + 1_000)}\n`,
};
const COLUMNS = {
  traces: 'id, session_id, agent_name, agent_version, user_id, name, status, status_message, started_at, ended_at, complete, input',
  tool_executions: 'id, trace_id, parent_span_id, name, tool_name, category, input, output, success, error_message, started_at, ended_at, duration_ms',
  spans: 'span_id, trace_id, parent_span_id, name, kind, otel_kind, status, status_message, started_at, ended_at, duration_ms, attributes',
  generations: 'id, trace_id, parent_span_id, name, model, provider, input, output, input_tokens, output_tokens, total_tokens, success, started_at, ended_at, duration_ms',
  decisions: 'id, trace_id, span_id, decision_type, considered_options, chosen, reasoning, decided_at',
  performance_metrics: 'id, trace_id, span_id, metric_type, metric_value, unit, recorded_at',
};

async function copyTable(sql, table) {
  seed = 7; // the same sessions for every table
  const started = performance.now();
  const writable = await sql.unsafe(`COPY mini_agent_observability.${table} (${COLUMNS[table]}) FROM STDIN`).writable();
  async function* lines() {
    let chunk = '';
    for (const s of sessions()) {
      chunk += LINES[table](s);
      if (chunk.length > 1 << 16) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
  }
  await pipeline(Readable.from(lines()), writable);
  return performance.now() - started;
}

/**
 * The rows of --generator sql, made by the server: per chunk of sessions one INSERT … SELECT per
 * table (8 tools, an LLM call and 2 memory samples a session, as the default generator). The
 * rollup triggers are off while loading (session_replication_role), then rebuild_rollups() adds
 * everything up once.
 */
async function generateInSql(sql) {
  const CHUNK = 50_000;
  const S = 'mini_agent_observability';
  const tools = TOOLS.map(([name, category], k) => `(${k}, '${name}', '${category}')`).join(', ');
  const errors = ERRORS.map((e) => `'${e.replace(/'/g, "''")}'`).join(', ');
  const start = `(now() - interval '${days} days' + ((t + 0.5) / ${sessionCount}.0) * (interval '${days} days' - interval '2 minutes'))`;
  console.log(`generating ${sessionCount.toLocaleString('en')} sessions over ${days} days in SQL (chunks of ${CHUNK.toLocaleString('en')}, triggers off):`);
  await sql.unsafe('SET session_replication_role = replica');
  await sql.unsafe('SELECT setseed(0.7)');
  const began = performance.now();
  for (let from = 0; from < sessionCount; from += CHUNK) {
    const to = Math.min(from + CHUNK, sessionCount) - 1;
    await sql.unsafe(`
      INSERT INTO ${S}.traces (id, session_id, agent_name, agent_version, user_id, name, status, status_message, started_at, ended_at, complete, input)
      SELECT lpad(to_hex(t), 32, '0'), 'conversation-' || (t % 20000), (ARRAY['coder', 'researcher', 'support', 'ops'])[t % 4 + 1], '1.0.0',
             'user-' || (t % 997), 'session ' || t, CASE WHEN x.failed THEN 'error' ELSE 'ok' END, CASE WHEN x.failed THEN 'gave up' END,
             ${start}, ${start} + make_interval(secs => 20 + x.r * 100), true, jsonb_build_object('task', 'task ' || t)
        FROM generate_series(${from}::bigint, ${to}::bigint) t, LATERAL (SELECT random() < 0.06 + 0 * t AS failed, random() + 0 * t AS r) x`);
    await sql.unsafe(`
      WITH tool (k, name, category) AS (VALUES ${tools})
      INSERT INTO ${S}.tool_executions (id, trace_id, parent_span_id, name, tool_name, category, input, output, success, error_message, started_at, ended_at, duration_ms)
      SELECT lpad(to_hex(t * 16 + i + 1), 16, '0'), lpad(to_hex(t), 32, '0'), lpad(to_hex(t * 16), 16, '0'), tool.name, tool.name, tool.category,
             jsonb_build_object('path', '/srv/data/file-' || (t % 977) || '.txt', 'limit', i)
               || CASE WHEN t = ${NEEDLE_SESSION} AND i = 5 THEN jsonb_build_object('note', '${NEEDLE}') ELSE '{}'::jsonb END,
             CASE WHEN x.failed THEN NULL ELSE jsonb_build_object('bytes', (t * 31 + i) % 65536, 'ok', true) END,
             NOT x.failed, CASE WHEN x.failed THEN (ARRAY[${errors}])[1 + (t + i) % ${ERRORS.length}] END,
             ${start} + make_interval(secs => i * 2), ${start} + make_interval(secs => i * 2) + make_interval(secs => x.ms / 1000), x.ms
        FROM generate_series(${from}::bigint, ${to}::bigint) t, generate_series(0, ${TOOLS_PER_SESSION - 1}) i,
             LATERAL (SELECT random() < 0.05 + 0 * (t + i) AS failed, floor(random() * ${TOOLS.length} + 0 * (t + i))::int AS k,
                             round(exp(2.5 + 3 * random() * random() + 2.2 * random() + 0 * (t + i))::numeric, 2)::float8 AS ms) x
        JOIN tool ON tool.k = x.k`);
    await sql.unsafe(`
      INSERT INTO ${S}.generations (id, trace_id, parent_span_id, name, model, provider, input_tokens, output_tokens, success, started_at, ended_at, duration_ms)
      SELECT lpad(to_hex(t * 16 + 9), 16, '0'), lpad(to_hex(t), 32, '0'), lpad(to_hex(t * 16), 16, '0'), 'chat ' || m.model, m.model, 'bench',
             (t * 7) % 4000, (t * 3) % 800, true, ${start} + interval '17 seconds', ${start} + interval '17 seconds' + make_interval(secs => x.ms / 1000), x.ms
        FROM generate_series(${from}::bigint, ${to}::bigint) t, LATERAL (SELECT 300 + random() * 3000 + 0 * t AS ms) x,
             LATERAL (SELECT (ARRAY[${MODELS.map((m) => `'${m}'`).join(', ')}])[t % ${MODELS.length} + 1] AS model) m`);
    await sql.unsafe(`
      INSERT INTO ${S}.performance_metrics (id, trace_id, span_id, metric_type, metric_value, unit, recorded_at)
      SELECT lpad(to_hex(t * 16), 16, '0') || ':' || u.i, lpad(to_hex(t), 32, '0'), lpad(to_hex(t * 16), 16, '0'), 'memory',
             CASE WHEN u.unit = '%' THEN 20 + (t * 13) % 60 ELSE 2e8 + (t * 7919) % 8e8 END, u.unit, ${start} + interval '1 second'
        FROM generate_series(${from}::bigint, ${to}::bigint) t, (VALUES (0, '%'), (2, 'By')) u (i, unit)`);
    process.stdout.write(`\r  ${(to + 1).toLocaleString('en')} sessions, ${((performance.now() - began) / 1000).toFixed(0)} s`);
  }
  await sql.unsafe('SET session_replication_role = DEFAULT');
  const rebuild = performance.now();
  await sql.unsafe(`SELECT ${S}.rebuild_rollups()`);
  console.log(`\n  rollups rebuilt in ${((performance.now() - rebuild) / 1000).toFixed(1)} s`);
  let rows = 0;
  for (const table of ['traces', 'tool_executions', 'generations', 'performance_metrics', 'tool_rollup', 'latency_histogram']) {
    const [{ n }] = await sql.unsafe(`SELECT count(*)::int AS n FROM ${S}.${table}`);
    if (!table.includes('rollup') && !table.includes('histogram')) rows += n;
    console.log(`  ${table.padEnd(20)} ${n.toLocaleString('en').padStart(10)} rows`);
  }
  return rows;
}

async function timePage(url) {
  const response = await fetch(url);
  const body = await response.text();
  if (response.status !== 200) throw new Error(`${url}: HTTP ${response.status}\n${body.slice(0, 2_000)}`);
  const timing = response.headers.get('server-timing') ?? '';
  const read = (name) => Number(new RegExp(`${name};dur=([\\d.]+)`).exec(timing)?.[1]);
  return { total: read('total'), db: read('db'), bytes: body.length, body };
}

const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
const name = options.reuse ?? `mini_agent_dashboard_bench_${randomBytes(4).toString('hex')}`;
if (!/^\w+$/.test(name)) throw new Error(`not a database name: ${name}`);
if (!options.reuse) await admin.unsafe(`CREATE DATABASE ${name}`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
let dashboard;
try {
  const [{ version }] = await sql`SELECT version()`;
  console.log(`server: ${version}`);
  if (options.reuse) {
    const [{ n }] = await sql.unsafe('SELECT count(*)::int AS n FROM mini_agent_observability.traces');
    console.log(`reusing ${name}: ${n.toLocaleString('en')} sessions`);
  } else {
    await migrate(url.toString());
    let rows = 0;
    if (options.generator === 'sql') {
      rows = await generateInSql(sql);
    } else {
      console.log(`loading ${sessionCount.toLocaleString('en')} sessions over ${days} days (COPY, indexes and rollup triggers in place):`);
      for (const table of Object.keys(COLUMNS)) {
        const ms = await copyTable(sql, table);
        const [{ n }] = await sql.unsafe(`SELECT count(*)::int AS n FROM mini_agent_observability.${table}`);
        rows += n;
        console.log(`  ${table.padEnd(20)} ${n.toLocaleString('en').padStart(10)} rows  ${(ms / 1000).toFixed(1)} s`);
      }
    }
    const vacuum = performance.now();
    await sql`VACUUM ANALYZE`;
    console.log(`  ${'VACUUM ANALYZE'.padEnd(20)} ${rows.toLocaleString('en').padStart(10)} rows  ${((performance.now() - vacuum) / 1000).toFixed(1)} s`);
    if (!options.scan) {
      const built = await createSearchIndexes(url.toString());
      console.log(`  ${'search indexes'.padEnd(20)} ${built.indexes.join(', ') || `none (${built.notices.join('; ')})`}  ${(built.millis / 1000).toFixed(1)} s`);
    }
  }
  const [{ indexed }] = await sql`SELECT count(*)::int AS indexed FROM pg_indexes WHERE indexname LIKE '%search_idx'`;
  console.log(`search: ${indexed === 3 ? 'trigram indexes' : 'window scan (no search indexes)'}`);

  dashboard = await startDashboard({ databaseUrl: url.toString(), port: 0 });
  const [sample] = await sql`SELECT id FROM mini_agent_observability.traces WHERE status = 'error' ORDER BY started_at DESC LIMIT 1`;
  const pages = [
    ['overview, 24 h', '/'],
    ['overview, 7 days', '/?range=7d'],
    ['overview, 30 days (every row)', '/?range=30d'],
    ['tools, 24 h', '/tools'],
    ['tools, 7 days', '/tools?range=7d'],
    ['tools, 30 days (every row)', '/tools?range=30d'],
    ['tool read_file, 24 h', '/tools/read_file'],
    ['tool read_file, 30 days', '/tools/read_file?range=30d'],
    ['sessions, 24 h', '/sessions'],
    ['sessions, 30 days', '/sessions?range=30d'],
    ['sessions, 30 days, page 100', '/sessions?range=30d&page=100'],
    ['sessions, filtered (agent, failed)', '/sessions?range=30d&agent=ops&status=failed'],
    // A text in the tool inputs and LLM calls of ~100 sessions, and one in a single tool input.
    ['sessions, search, 24 h', '/sessions?q=file-976.txt'],
    ['sessions, search, 30 days', '/sessions?range=30d&q=file-976.txt'],
    ['sessions, search one tool input, 30 d', `/sessions?range=30d&q=${NEEDLE}`, { matching: 1, trace: traceId(NEEDLE_SESSION) }],
    ['sessions, search + filters, 30 days', '/sessions?range=30d&agent=ops&status=failed&q=file-976.txt'],
    ['sessions, search 2 characters, 24 h', '/sessions?q=ok'],
    ['users, 24 h', '/users'],
    ['users, 30 days', '/users?range=30d'],
    ['user user-42, 30 days', '/users/user-42?range=30d'],
    ['session detail (waterfall)', `/sessions/${sample.id}`],
    ['alerts (rules over 1 h)', '/alerts'],
  ];
  console.log(`\nserver-side render time per page, ${runs} runs after one warm-up (min / median / max ms):`);
  const verdicts = [];
  const wanted = [...(options.pages?.split(',') ?? []), ...(options.only ? [options.only] : [])].map((word) => word.trim()).filter(Boolean);
  for (const [label, path, expected] of pages.filter(([label]) => wanted.length === 0 || wanted.some((word) => label.includes(word)))) {
    const first = await timePage(new URL(path, dashboard.url));
    if (expected) {
      // The search must find exactly the one session, or its time means nothing.
      const matching = /id="matching" data-value="(\d+)"/.exec(first.body)?.[1];
      if (Number(matching) !== expected.matching || !first.body.includes(`data-trace="${expected.trace}"`)) {
        throw new Error(`${path}: expected ${expected.matching} session (${expected.trace}), the page says ${matching ?? 'none'}`);
      }
    }
    const times = [];
    let bytes = 0;
    for (let run = 0; run < runs; run++) {
      const t = await timePage(new URL(path, dashboard.url));
      times.push(t.total);
      bytes = t.bytes;
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    verdicts.push(median < 300);
    const [min, mid, max] = [times[0], median, times.at(-1)].map((ms) => ms.toFixed(0).padStart(6));
    console.log(`  ${label.padEnd(36)} ${min} ${mid} ${max}   ${(bytes / 1024).toFixed(0).padStart(4)} KiB  ${median < 300 ? 'under 300 ms' : 'OVER 300 ms'}`);
  }
  console.log(`\n${verdicts.filter(Boolean).length} of ${verdicts.length} pages render under 300 ms (median). Load average: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores.`);
} finally {
  await dashboard?.close();
  await sql.end();
  if (!options.keep && !options.reuse) await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  else console.log(`\nkept database ${name}`);
  await admin.end();
  throwaway?.stop();
}
