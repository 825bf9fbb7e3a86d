import { totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { MetricTypes } from '@mini-agent/semconv';
import type { MetricInput } from './metric.js';

/** The process's resource use at one moment. */
export interface ProcessSample {
  /** Resident set size, bytes. */
  readonly rssBytes: number;
  /** The memory the process may use: its cgroup limit when there is one, else the machine's RAM. */
  readonly memoryLimitBytes: number;
  /** User + system CPU time since the process started, microseconds. */
  readonly cpuMicros: number;
  /** A monotonic clock, milliseconds. */
  readonly wallMs: number;
}

/** Samples memory and CPU of this process. Cheap (a few microseconds): safe at every session start and end. */
export function sampleProcess(): ProcessSample {
  const cpu = process.cpuUsage();
  return {
    rssBytes: process.memoryUsage.rss(),
    memoryLimitBytes: memoryLimitBytes(),
    cpuMicros: cpu.user + cpu.system,
    wallMs: performance.now(),
  };
}

let cachedLimit: number | undefined;

/**
 * `process.constrainedMemory()` is the container's limit, but without one it reports 0 or a
 * huge sentinel (2^64) depending on the Node version and cgroup setup; the machine's RAM bounds it.
 * Read once: it does not change while the process runs, and reading the cgroup costs ~30 µs.
 */
function memoryLimitBytes(): number {
  cachedLimit ??= readMemoryLimitBytes();
  return cachedLimit;
}

function readMemoryLimitBytes(): number {
  const machine = totalmem();
  const constrained = (process as { constrainedMemory?: () => number | undefined }).constrainedMemory?.();
  return constrained && constrained > 0 && constrained < machine ? constrained : machine;
}

/** Memory in use: RSS in bytes, and as a percentage of the limit (what the 80 % alert reads). */
export function memoryMetrics(sample: ProcessSample): MetricInput[] {
  return [
    { type: MetricTypes.MEMORY, value: sample.rssBytes, unit: 'By' },
    { type: MetricTypes.MEMORY, value: round((sample.rssBytes / sample.memoryLimitBytes) * 100), unit: '%' },
  ];
}

/**
 * CPU used between two samples: milliseconds of CPU time, and as a percentage of one core over
 * the elapsed wall time (above 100 % when worker threads ran in parallel). The figure is
 * process-wide: sessions running concurrently share it.
 */
export function cpuMetrics(start: ProcessSample, end: ProcessSample): MetricInput[] {
  const cpuMs = (end.cpuMicros - start.cpuMicros) / 1000;
  const wallMs = end.wallMs - start.wallMs;
  return [
    { type: MetricTypes.CPU, value: round(cpuMs), unit: 'ms' },
    { type: MetricTypes.CPU, value: wallMs > 0 ? round((cpuMs / wallMs) * 100) : 0, unit: '%' },
  ];
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
