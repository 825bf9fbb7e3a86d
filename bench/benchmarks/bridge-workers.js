// P4w. `mini-agent-otel serve --workers 2` against `serve` (one process): wall-clock spans/s of
// the workload's OTLP protobuf requests stored in PostgreSQL (durable spool on, so a 200 means
// stored or spooled), 4 requests in flight. Also the CPU a span of the serve processes and of the
// database's backends: with PostgreSQL on the same cores, their sum bounds what more workers win.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, formatStat, interleave, pairedRatio, progress, QUICK, wallMs, writeResult } from '../lib/measure.js';
import { backendCpuMs, connectDriver, countRows, createDatabase, truncateAll } from '../lib/postgres.js';
import { captureBodies, postAll } from '../lib/otlp-bodies.js';
import { recordWorkload } from '../lib/workload.js';

const NAME = 'bridge-workers';
const SPANS = QUICK ? 6_000 : 16_000;
const ROUNDS = QUICK ? 3 : 5;
const TARGET = 1.6;
const CLI = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));
const TICK_MS = 10;

progress(NAME, `recording ${SPANS.toLocaleString('en-US')} spans and encoding them with the OTLP proto exporter (untimed)`);
const bodies = await captureBodies(recordWorkload(SPANS));
const spanCount = bodies.reduce((n, b) => n + b.spans, 0);
const database = await createDatabase('bridgew');
const admin = connectDriver(database.url);

/** Starts `serve --workers n` and resolves once it is ready; `pids()` lists its processes. */
async function startServe(workers) {
  const spoolDir = mkdtempSync(join(tmpdir(), `bench-serve-${workers}-`));
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--no-langfuse', '--database-url', database.url, '--spool-dir', spoolDir, '--workers', String(workers)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, MINI_AGENT_BRIDGE_TOKEN: '' },
  });
  let stdout = '';
  const url = await new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (text) => {
      stdout += text;
      const match = /^mini-agent bridge listening on (http:\/\/\S+)$/m.exec(stdout);
      if (match) resolve(match[1]);
    });
    child.on('exit', (code) => reject(new Error(`serve --workers ${workers} ended (exit ${code}): ${stdout}`)));
  });
  child.stdout.resume();
  for (;;) {
    const health = await fetch(new URL('/health/ready', url)).then((r) => r.json(), () => undefined);
    if (health?.ready && (health.workers ?? [{ ready: true }]).every((w) => w.ready) && health.status === 'ok') break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const health = await fetch(new URL('/health', url)).then((r) => r.json());
  const pids = [child.pid, ...(health.workers ?? []).map((w) => w.pid)];
  return {
    url,
    cpuMs: () => pids.reduce((sum, pid) => sum + processCpuMs(pid), 0),
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.on('close', resolve));
      rmSync(spoolDir, { recursive: true, force: true });
    },
  };
}

function processCpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

const groups = { one: await startServe(1), two: await startServe(2) };

const variant = (name) => async () => {
  const group = groups[name];
  await truncateAll(admin);
  const cpu0 = group.cpuMs();
  const db0 = await backendCpuMs(admin, database.name);
  const w0 = wallMs();
  const retries = await postAll(group.url.replace(/\/v1\/traces$/, '') + '/v1/traces', bodies);
  const elapsed = wallMs() - w0;
  const db1 = await backendCpuMs(admin, database.name);
  const rows = await countRows(admin);
  if (rows.spans !== spanCount) throw new Error(`${name}: expected ${spanCount} span rows, found ${rows.spans}`);
  return { units: spanCount, wallMs: elapsed, cpuMs: group.cpuMs() - cpu0, dbCpuMs: db0 === null || db1 === null ? null : db1 - db0, retries };
};

progress(NAME, `${ROUNDS} rounds of ${spanCount.toLocaleString('en-US')} spans, 4 requests at a time, serve with 1 and 2 workers`);
const results = await interleave(NAME, { one: variant('one'), two: variant('two') }, { warmup: 1, rounds: ROUNDS, unit: 'span' });
for (const group of Object.values(groups)) await group.stop();
await admin.end();
await database.drop();

const speedup = pairedRatio(results.two, results.one, (s) => s.units / s.wallMs);
const dbUs = (name) => {
  const samples = results[name].rounds.filter((s) => s.dbCpuMs !== null);
  return samples.length ? samples.reduce((n, s) => n + (s.dbCpuMs * 1000) / s.units, 0) / samples.length : null;
};
for (const name of ['one', 'two']) {
  progress(
    NAME,
    `${name}: ${formatStat(results[name].unitsPerSecond, ' spans/s wall', 0)}, serve ${formatStat(results[name].cpuUsPerUnit, ' µs CPU/span', 1)}, PostgreSQL backends ${fmt(dbUs(name) ?? NaN, 1)} µs CPU/span`,
  );
}
const perSpanAll = (name) => results[name].cpuUsPerUnit.median + (dbUs(name) ?? 0);
const bound = (cpus().length * 1e6) / perSpanAll('two');
writeResult(NAME, {
  title: 'serve --workers 2 against one worker: wall-clock spans/s into PostgreSQL',
  baseline: '`serve` with one worker, same requests, same database, interleaved rounds',
  spans: spanCount,
  results,
  postgresBackendUsPerSpan: { one: dbUs('one'), two: dbUs('two') },
  ratios: [{ label: 'serve --workers 2 / 1, wall spans/s', value: speedup.median, spread: speedup.spread, target: TARGET, better: 'higher', unit: '×' }],
  notes: [
    `1 worker ${fmt(results.one.unitsPerSecond.median, 0)} spans/s, 2 workers ${fmt(results.two.unitsPerSecond.median, 0)} spans/s wall`,
    `serve + PostgreSQL CPU a span with 2 workers: ${fmt(perSpanAll('two'), 1)} µs; on ${cpus().length} cores shared with the database (and the machine's other load) that bounds the group at ${fmt(bound, 0)} spans/s`,
  ],
});
