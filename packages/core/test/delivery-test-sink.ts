// Test helpers of the delivery pipeline suites: a scripted sink, records, and the diag messages users see.
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import { DeliveryError, type AgentRecord, type RecordSink } from '../src/index.js';

const dirs: string[] = [];
/** Removes the folders `tempDir` made, the diag logger and the mocks: call it after each test. */
export function cleanUp(): void {
  diag.disable();
  vi.restoreAllMocks();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mini-agent-edges-'));
  dirs.push(dir);
  return dir;
}

export function metric(i: number, id = `m:${i}`): AgentRecord {
  return { type: 'metric', traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), id, metricType: 'latency', value: i, unit: 'ms', recordedAt: new Date(1_700_000_000_000 + i), metadata: {} };
}
export const metrics = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => metric(from + i));
export const ids = (records: readonly AgentRecord[]) => records.map((r) => (r as { id: string }).id);
export const fast = { retry: { initialDelayMs: 1, maxDelayMs: 10 } };
/** Backoff so long that no retry happens on its own during a test (flush and shutdown wake it). */
export const slow = { retry: { initialDelayMs: 60_000, maxDelayMs: 60_000 } };
export const refusedNet = () => new DeliveryError('connect ECONNREFUSED', true);

export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

export type Answer = (records: readonly AgentRecord[], sink: TestSink) => Promise<void> | void;
export const store: Answer = (records, sink) => void sink.stored.push(...records);
export const fail = (error: unknown): Answer => () => {
  throw error;
};
export const after = (gate: Promise<void>, then: Answer = store): Answer => async (records, sink) => {
  await gate;
  await then(records, sink);
};

/** A sink scripted write by write (`answers`, then `otherwise`); it keeps what it stored and what it was asked. */
export class TestSink implements RecordSink {
  readonly name = 'store';
  readonly stored: AgentRecord[] = [];
  readonly writes: string[][] = [];
  readonly answers: Answer[] = [];
  otherwise: Answer = store;
  active = 0;
  maxActive = 0;
  async write(records: readonly AgentRecord[]): Promise<void> {
    this.writes.push(ids(records));
    this.active += 1;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      await (this.answers.shift() ?? this.otherwise)(records, this);
    } finally {
      this.active -= 1;
    }
  }
  async shutdown(): Promise<void> {}
}

/** The mini-agent messages given to the diag logger, as `level message`. */
export function captureDiag(): string[] {
  const seen: string[] = [];
  const at = (level: string) => (message: string) => {
    if (message.startsWith('mini-agent:')) seen.push(`${level} ${message}`);
  };
  const logger: DiagLogger = { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug'), verbose: at('verbose') };
  diag.setLogger(logger, { logLevel: DiagLogLevel.ALL, suppressOverrideMessage: true });
  return seen;
}

export const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
