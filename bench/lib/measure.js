// Measuring: rounds with warm-up, medians and spread, CPU and wall time, progress lines, results.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

export const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

/** Options every benchmark reads from the environment the runner sets. */
export const QUICK = process.env.BENCH_QUICK === '1';

/** Wall clock in milliseconds (monotonic). */
export const wallMs = () => Number(process.hrtime.bigint()) / 1e6;

/** CPU time of this process (user + system, every thread) in milliseconds. */
export function cpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

const SCHEDSTAT = `/proc/${process.pid}/task/${process.pid}/schedstat`;
const hasSchedstat = (() => {
  try {
    readFileSync(SCHEDSTAT, 'utf8');
    return true;
  } catch {
    return false;
  }
})();

/**
 * CPU time of this process's main thread in milliseconds (nanosecond precision, from Linux's
 * schedstat): what the agent's own thread spent, without the GC and I/O helper threads.
 * Elsewhere it falls back to the process's CPU time.
 */
export function mainThreadCpuMs() {
  if (!hasSchedstat) return cpuMs();
  // schedstat shows the running thread's time as of the scheduler's last update (a tick, 4 ms at
  // HZ=250): a 4 ms block read it ~40 % short. getrusage() makes the kernel account the pending
  // time first (thread_group_cputime updates the current task), so the read below is exact.
  process.cpuUsage();
  const text = readFileSync(SCHEDSTAT, 'utf8');
  return Number(text.slice(0, text.indexOf(' '))) / 1e6;
}

/** Wall and CPU time of `fn`, in milliseconds. */
export async function timed(fn) {
  const w0 = wallMs();
  const c0 = cpuMs();
  const value = await fn();
  return { wallMs: wallMs() - w0, cpuMs: cpuMs() - c0, value };
}

/** Median, min, max and spread ((max - min) / median) of numbers. */
export function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  const median = n === 0 ? NaN : n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  return { median, min: sorted[0], max: sorted[n - 1], spread: n > 1 ? (sorted[n - 1] - sorted[0]) / median : 0, n, samples };
}

/** `12.3 µs ±4%` */
export function formatStat(stat, unit = '', digits = 2) {
  return `${fmt(stat.median, digits)}${unit} ±${Math.round((stat.spread * 100) / 2)}%`;
}

export function fmt(n, digits = 2) {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString('en-US');
  if (Math.abs(n) >= 100) return n.toFixed(Math.max(0, digits - 2));
  if (Math.abs(n) >= 10) return n.toFixed(Math.max(0, digits - 1));
  return n.toFixed(digits);
}

/** A progress line, prefixed with the benchmark name. */
export function progress(name, message) {
  process.stdout.write(`  [${name}] ${message}\n`);
}

/**
 * Runs `variants` (name → async () => { units, wallMs, cpuMs, ...extra }) interleaved, round after
 * round, so both see the same machine: neighbours' load hits every variant alike. `warmup` rounds
 * are run and thrown away first. Returns per variant the samples and the per-unit statistics.
 */
export async function interleave(name, variants, { warmup = 1, rounds = 5, unit = 'unit' } = {}) {
  const names = Object.keys(variants);
  const raw = Object.fromEntries(names.map((v) => [v, []]));
  for (let r = -warmup; r < rounds; r++) {
    // Alternate the order too: whoever runs first after a pause is not always the same variant.
    const order = r % 2 === 0 ? names : [...names].reverse();
    const parts = [];
    for (const variant of order) {
      const sample = await variants[variant](r);
      if (r >= 0) raw[variant].push(sample);
      parts.push(`${variant} ${fmt((sample.cpuMs * 1000) / sample.units)} µs CPU/${unit}`);
    }
    progress(name, `${r < 0 ? 'warm-up' : `round ${r + 1}/${rounds}`}: ${parts.join(', ')}`);
  }
  const out = {};
  for (const variant of names) {
    const samples = raw[variant];
    out[variant] = {
      rounds: samples,
      cpuUsPerUnit: summarize(samples.map((s) => (s.cpuMs * 1000) / s.units)),
      wallUsPerUnit: summarize(samples.map((s) => (s.wallMs * 1000) / s.units)),
      unitsPerSecond: summarize(samples.map((s) => s.units / (s.wallMs / 1000))),
      unitsPerCpuSecond: summarize(samples.map((s) => s.units / (s.cpuMs / 1000))),
    };
  }
  return out;
}

/**
 * The ratio of two variants' per-round values, as the median of the per-round ratios: each round's
 * pair ran back to back under the same load, so their ratio is steadier than the ratio of medians.
 */
export function pairedRatio(a, b, pick) {
  const ratios = a.rounds.map((sa, i) => pick(sa) / pick(b.rounds[i]));
  return summarize(ratios);
}

/** The machine as the results describe it. */
export function machine() {
  return { nproc: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version, loadavg: loadavg().map((l) => Number(l.toFixed(2))) };
}

/**
 * Writes `bench/results/<name>.json`. `ratios`: [{ label, value, target, better: 'lower' | 'higher', spread? }].
 */
export function writeResult(name, result) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const ratios = (result.ratios ?? []).map((r) => ({ ...r, met: r.better === 'lower' ? r.value <= r.target : r.value >= r.target }));
  const body = { name, quick: QUICK, finishedAt: new Date().toISOString(), machine: machine(), ...result, ratios };
  writeFileSync(`${RESULTS_DIR}${name}.json`, `${JSON.stringify(body, null, 2)}\n`);
  return body;
}
