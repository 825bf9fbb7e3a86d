// Benchmark, not a test: how long the analytics views and alert functions take on a million tool
// executions. Creates a throwaway database on the server of DATABASE_URL (which must be allowed to
// CREATE DATABASE), applies the core migrations from sql/, loads the rows with COPY, vacuums (as
// autovacuum would), then runs each query a few times and prints the times. The database is
// dropped at the end unless --keep is given. With --pglite the same runs on an in-memory PGlite.
//
//   DATABASE_URL=postgres://postgres@localhost:5432/postgres node bench/analytics-1m.mjs [--rows 1000000] [--keep]
//   node bench/analytics-1m.mjs --pglite [--rows 1000000]
//
// All rows fall inside the last 24 hours: the 24-hour views then read every row (the worst case).
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';

const { values: options } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '3' },
    keep: { type: 'boolean', default: false },
    pglite: { type: 'boolean', default: false },
  },
});
const toolRows = Number(options.rows);
const runs = Number(options.runs);
const adminUrl = process.env.DATABASE_URL;
if (!adminUrl && !options.pglite) {
  console.error('Set DATABASE_URL to a server where this user may CREATE DATABASE, or pass --pglite.');
  process.exit(2);
}

const sqlDir = new URL('../../../sql/', import.meta.url);
const toolsPerTrace = 10;
const traceRows = Math.ceil(toolRows / toolsPerTrace);
const tools = [
  ['read_file', 'file'], ['write_file', 'file'], ['list_dir', 'file'], ['web_search', 'mcp'], ['fetch_url', 'mcp'],
  ['query_db', 'mcp'], ['summarize', 'skill'], ['extract_table', 'document'], ['parse_pdf', 'document'], ['shell', 'core'],
  ['python', 'core'], ['calculator', 'core'], ['plan', 'skill'], ['send_email', 'other'], ['calendar', 'other'],
  ['git_diff', 'core'], ['grep', 'core'], ['translate', 'skill'], ['ocr', 'document'], ['vector_search', 'mcp'],
];
const errors = ['ENOENT: no such file or directory', 'timeout after 30s', 'HTTP 429 Too Many Requests', 'permission denied', 'invalid JSON in tool arguments'];
const models = ['gpt-5-mini', 'gpt-5', 'claude-sonnet-4.5', 'gemini-2.5-pro'];
const now = Date.now();
const dayMs = 86_400_000;

// Deterministic pseudo-random numbers, so two runs load the same data.
let seed = 42;
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
// Log-normal-ish latencies: mostly tens to hundreds of ms, a long tail into seconds.
const latency = () => Math.round(Math.exp(3 + 3.2 * random() * random() + 2 * random()) * 100) / 100;
const iso = (ms) => new Date(ms).toISOString();
const traceId = (n) => n.toString(16).padStart(32, '0');
const spanId = (n) => n.toString(16).padStart(16, '0');
// Sessions start evenly over the last 24 hours (ending two minutes ago, so their tools are in the past too).
const traceStart = (t) => now - dayMs + 60_000 + Math.floor((t / traceRows) * (dayMs - 180_000));

function* traceLines() {
  for (let t = 0; t < traceRows; t++) {
    const start = traceStart(t);
    const status = random() < 0.08 ? 'error' : 'ok';
    yield `${traceId(t)}\tsession-${t % 5000}\tbench-agent\t${status}\t${iso(start)}\t${iso(start + 30_000)}\ttrue\n`;
  }
}
function* toolLines() {
  for (let i = 0; i < toolRows; i++) {
    const t = Math.floor(i / toolsPerTrace);
    const [name, category] = tools[Math.floor(random() * tools.length)];
    const start = traceStart(t) + (i % toolsPerTrace) * 2_000;
    const ms = latency();
    const failed = random() < 0.05;
    const error = failed ? errors[Math.floor(random() * errors.length)] : '\\N';
    const input = `{"path": "/srv/data/file-${i % 977}.txt", "limit": ${i % 100}}`;
    const output = failed ? '\\N' : `{"bytes": ${i % 65_536}, "ok": true}`;
    yield `${spanId(i + 1)}\t${traceId(t)}\t${name}\t${name}\t${category}\t${input}\t${output}\t${!failed}\t${error}\t${iso(start)}\t${iso(start + ms)}\t${ms}\n`;
  }
}
function* metricLines() {
  for (let t = 0; t < traceRows; t++) {
    const start = traceStart(t);
    yield `${spanId(t + 1)}:0\t${traceId(t)}\t${spanId(t + 1)}\tmemory\t${(20 + random() * 60).toFixed(2)}\t%\t${iso(start + 1_000)}\n`;
    yield `${spanId(t + 1)}:1\t${traceId(t)}\t${spanId(t + 1)}\tmemory\t${Math.round(2e8 + random() * 8e8)}\tBy\t${iso(start + 1_000)}\n`;
  }
}
function* generationLines() {
  for (let t = 0; t < traceRows; t++) {
    const start = traceStart(t) + 500;
    const ms = 300 + random() * 4_000;
    yield `${spanId(t + 1)}\t${traceId(t)}\tchat\t${models[t % models.length]}\t${Math.round(random() * 4_000)}\t${Math.round(random() * 800)}\t${random() > 0.01}\t${iso(start)}\t${iso(start + ms)}\t${ms}\n`;
  }
}

const queries = [
  ['tool_stats_24h', 'SELECT * FROM mini_agent_observability.tool_stats_24h'],
  ['tool_stats(now() - 1 hour)', "SELECT * FROM mini_agent_observability.tool_stats(now() - interval '1 hour')"],
  ["tool_stats where tool_name = 'grep' (24 h)", "SELECT * FROM mini_agent_observability.tool_stats_24h WHERE tool_name = 'grep'"],
  ['category_stats_24h', 'SELECT * FROM mini_agent_observability.category_stats_24h'],
  ['session_stats_24h (all rows, summed)', 'SELECT count(*), sum(tool_count), max(peak_memory_pct) FROM mini_agent_observability.session_stats_24h'],
  ['session_stats_24h where failed', 'SELECT * FROM mini_agent_observability.session_stats_24h WHERE failed'],
  ['session_stats(now() - 1 hour)', "SELECT * FROM mini_agent_observability.session_stats(now() - interval '1 hour')"],
  ['session_totals_24h', 'SELECT * FROM mini_agent_observability.session_totals_24h'],
  ['top_errors_24h', 'SELECT * FROM mini_agent_observability.top_errors_24h'],
  ['model_usage_24h', 'SELECT * FROM mini_agent_observability.model_usage_24h'],
  ['metric_stats_24h', 'SELECT * FROM mini_agent_observability.metric_stats_24h'],
  ['active_alerts (1 h windows)', 'SELECT * FROM mini_agent_observability.active_alerts'],
  ['firing_alerts(now() - 24 hours)', "SELECT * FROM mini_agent_observability.firing_alerts(now() - interval '24 hours')"],
];

/** A throwaway server database: COPY FROM STDIN through the driver. */
async function openServer() {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  const name = `mini_agent_bench_${randomBytes(4).toString('hex')}`;
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
  return {
    query: async (text) => [...(await sql.unsafe(text))],
    exec: (script) => sql.unsafe(script),
    /** The server process serving this connection (max: 1 keeps it the same one). */
    backendPid: async () => (await sql`SELECT pg_backend_pid() AS pid`)[0].pid,
    async copy(table, columns, lines) {
      const writable = await sql.unsafe(`COPY mini_agent_observability.${table} (${columns}) FROM STDIN`).writable();
      await pipeline(Readable.from(lines, { objectMode: false }), writable);
    },
    async close() {
      await sql.end();
      if (!options.keep) await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      else console.log(`\nkept database ${name}`);
      await admin.end();
    },
  };
}

/** An in-memory PGlite: COPY FROM its virtual /dev/blob file. */
async function openPglite() {
  const db = await PGlite.create();
  return {
    query: async (text) => (await db.query(text)).rows,
    exec: (script) => db.exec(script),
    async copy(table, columns, lines) {
      const blob = new Blob([...lines]);
      await db.query(`COPY mini_agent_observability.${table} (${columns}) FROM '/dev/blob'`, [], { blob });
    },
    backendPid: async () => undefined,
    close: () => db.close(),
  };
}

/**
 * CPU time (ms) a local server process has used, from /proc; undefined when the server is not on
 * this machine. Wall time on a busy machine mostly measures the other processes; CPU time does not.
 */
function cpuMs(pid) {
  if (pid === undefined || !existsSync(`/proc/${pid}/stat`)) return undefined;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of the file, in clock ticks (100 a second on Linux).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const db = options.pglite ? await openPglite() : await openServer();
try {
  const [{ version }] = await db.query('SELECT version()');
  console.log(`database: ${version}`);
  for (const file of readdirSync(sqlDir).filter((f) => f.endsWith('.sql') && !f.includes('supabase')).sort()) {
    await db.exec(readFileSync(new URL(file, sqlDir), 'utf8'));
  }

  console.log(`loading ${toolRows.toLocaleString('en')} tool executions, ${traceRows.toLocaleString('en')} traces, ` +
    `${(2 * traceRows).toLocaleString('en')} metrics, ${traceRows.toLocaleString('en')} generations (COPY, indexes in place)`);
  const timed = async (label, work) => {
    const started = performance.now();
    await work();
    console.log(`  ${label.padEnd(28)} ${((performance.now() - started) / 1000).toFixed(1)} s`);
  };
  await timed('COPY traces', () => db.copy('traces', 'id, session_id, agent_name, status, started_at, ended_at, complete', traceLines()));
  await timed('COPY tool_executions', () => db.copy('tool_executions',
    'id, trace_id, name, tool_name, category, input, output, success, error_message, started_at, ended_at, duration_ms', toolLines()));
  await timed('COPY performance_metrics', () => db.copy('performance_metrics',
    'id, trace_id, span_id, metric_type, metric_value, unit, recorded_at', metricLines()));
  await timed('COPY generations', () => db.copy('generations',
    'id, trace_id, name, model, input_tokens, output_tokens, success, started_at, ended_at, duration_ms', generationLines()));
  await timed('VACUUM ANALYZE', () => db.exec('VACUUM ANALYZE'));

  const pid = await db.backendPid();
  const measuresCpu = cpuMs(pid) !== undefined;
  console.log(`\nquery times, ${runs} runs each: wall min / median / max (ms)` +
    `${measuresCpu ? ', server CPU per run (ms)' : ''}, rows returned:`);
  for (const [label, text] of queries) {
    const times = [];
    let rows = 0;
    const cpuBefore = cpuMs(pid);
    for (let run = 0; run < runs; run++) {
      const started = performance.now();
      rows = (await db.query(text)).length;
      times.push(performance.now() - started);
    }
    const cpu = measuresCpu ? `${String(Math.round((cpuMs(pid) - cpuBefore) / runs)).padStart(7)}` : '';
    times.sort((a, b) => a - b);
    const [min, median, max] = [times[0], times[Math.floor(times.length / 2)], times.at(-1)].map((ms) => ms.toFixed(0).padStart(6));
    console.log(`  ${label.padEnd(44)} ${min} ${median} ${max} ${cpu}   ${rows} rows`);
  }
} finally {
  await db.close();
}
