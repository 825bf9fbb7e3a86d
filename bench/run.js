// pnpm bench: runs each benchmark in its own process (a clean heap, its own peak RSS, no global
// tracer left over from the previous one) against one PostgreSQL server, then prints every ratio
// next to its target. Results: bench/results/<name>.json.
//
//   pnpm bench                     all benchmarks (~15 minutes on 2 cores)
//   pnpm bench --quick             fewer rounds and spans (~4 minutes)
//   pnpm bench --only bridge,hot-path
//   pnpm bench --help
//
// The server: DATABASE_URL when set (a user allowed to CREATE DATABASE), else a throwaway cluster
// started from the installed PostgreSQL binaries, as the tests do.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { findPostgresBinaries, startThrowawayPostgres } from '@mini-agent/test-support';
import { parseCommandLine } from './lib/cli.js';
import { fmt, machine, RESULTS_DIR } from './lib/measure.js';

/** Benchmarks in run order, and the Node flags each process gets. */
const BENCHMARKS = [
  { name: 'hot-path', flags: ['--expose-gc'] },
  { name: 'postgres-sink', flags: [] },
  { name: 'pipeline-cpu', flags: [] },
  { name: 'langfuse-peer', flags: [] },
  { name: 'bridge', flags: [] },
  { name: 'bridge-workers', flags: [] },
  { name: 'outage', flags: [] },
  { name: 'scaling', flags: [] },
  { name: 'collector', flags: [] },
  { name: 'storage', flags: [] },
];

const { values: options } = parseCommandLine({
  name: 'pnpm bench',
  hint: ' (pnpm bench --help lists the options)',
  usage: `Usage: pnpm bench [--quick] [--only <name>[,<name>…]] [--cpu-prof]

  --quick      fewer rounds and spans (~4 minutes instead of ~15)
  --only       run only these benchmarks, in their usual order
  --cpu-prof   write a CPU profile of each benchmark process to bench/results/profiles/
  --help, -h   this text

Benchmarks: ${BENCHMARKS.map((b) => b.name).join(', ')}
The server: DATABASE_URL when set, else a throwaway cluster from the installed PostgreSQL binaries.
Results: bench/results/<name>.json; bench/README.md says what each one measures.`,
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
  },
});
const wanted = options.only ? options.only.split(',').map((s) => s.trim()) : BENCHMARKS.map((b) => b.name);
const unknown = wanted.filter((name) => !BENCHMARKS.some((b) => b.name === name));
if (unknown.length > 0) {
  console.error(`Unknown benchmark(s): ${unknown.join(', ')}. Known: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
  process.exit(2);
}

const started = Date.now();
const loads = [loadavg()[0]];
const loadTimer = setInterval(() => loads.push(loadavg()[0]), 5_000);
const m = machine();
console.log(`mini-agent-otel benchmarks${options.quick ? ' (quick)' : ''}: ${m.nproc} × ${m.cpu}, Node ${m.node}, load average ${m.loadavg.join(' ')}`);

const server = await postgresServer();
console.log(`PostgreSQL: ${server.label}\n`);
const outcomes = [];
try {
  for (const bench of BENCHMARKS.filter((b) => wanted.includes(b.name))) {
    const file = `${RESULTS_DIR}${bench.name}.json`;
    rmSync(file, { force: true });
    console.log(`▶ ${bench.name}`);
    const t0 = Date.now();
    const code = await runChild(bench, server.url);
    const seconds = (Date.now() - t0) / 1000;
    const result = code === 0 && existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
    outcomes.push({ name: bench.name, code, seconds, result });
    console.log(`${code === 0 ? '✔' : '✘'} ${bench.name} in ${seconds.toFixed(0)} s${code === 0 ? '' : ` (exit code ${code})`}\n`);
  }
} finally {
  server.stop();
  clearInterval(loadTimer);
}
printSummary(outcomes);
process.exitCode = outcomes.every((o) => o.code === 0) ? 0 : 1;

function runChild(bench, databaseUrl) {
  const script = fileURLToPath(new URL(`benchmarks/${bench.name}.js`, import.meta.url));
  const profile = options['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${RESULTS_DIR}profiles`] : [];
  const child = spawn(process.execPath, [...bench.flags, ...profile, script], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_DATABASE_URL: databaseUrl, BENCH_QUICK: options.quick ? '1' : '0', BENCH_CPU_PROF: options['cpu-prof'] ? '1' : '0' },
  });
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
}

async function postgresServer() {
  if (process.env.DATABASE_URL) {
    const url = process.env.DATABASE_URL;
    return { url, label: `DATABASE_URL (${url.replace(/:[^:@/]*@/, ':***@')})`, stop: () => {} };
  }
  const bin = findPostgresBinaries();
  if (!bin) {
    console.error('No DATABASE_URL and no PostgreSQL binaries (apt-get install postgresql, or set PG_BIN): the benchmarks need a server.');
    process.exit(2);
  }
  const pg = await startThrowawayPostgres(bin);
  const stop = () => pg.stop();
  process.once('SIGINT', () => (stop(), process.exit(130)));
  return { url: pg.url, label: `throwaway server from ${bin} on port ${pg.port} (fsync off)`, stop };
}

function printSummary(outcomes) {
  const rows = [['benchmark', 'measure', 'result', 'target', '']];
  for (const { name, code, result } of outcomes) {
    if (!result) {
      rows.push([name, 'failed', `exit code ${code}`, '', '✘']);
      continue;
    }
    for (const r of result.ratios) {
      const value = r.unit ? `${fmt(r.value)} ${r.unit}` : `${fmt(r.value)}×`;
      // A row without a target is a figure given for comparison only.
      const target = r.target === undefined ? '' : r.unit ? `${r.better === 'lower' ? '<' : '≥'} ${fmt(r.target)} ${r.unit}` : `${r.better === 'lower' ? '≤' : '≥'} ${fmt(r.target)}×`;
      const spread = r.spread ? ` ±${Math.round((r.spread * 100) / 2)}%` : '';
      rows.push([name, r.label, value + spread, r.informational && target ? `(${target})` : target, r.informational ? '' : r.met ? '✔' : '✘']);
    }
    for (const line of result.notes ?? []) rows.push([name, line, '', '', '']);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => String(row[i]).length)));
  const line = (row) => row.map((cell, i) => String(cell).padEnd(widths[i])).join('  ').trimEnd();
  console.log('Summary');
  console.log(line(rows[0]));
  console.log(widths.map((w) => '─'.repeat(w)).join('  '));
  for (const row of rows.slice(1)) console.log(line(row));
  const avg = loads.reduce((a, b) => a + b, 0) / loads.length;
  console.log(
    `\n${m.nproc} × ${m.cpu}; load average during the run: mean ${avg.toFixed(2)}, max ${Math.max(...loads).toFixed(2)}; ` +
      `${((Date.now() - started) / 60_000).toFixed(1)} minutes. Results in ${RESULTS_DIR}`,
  );
}
