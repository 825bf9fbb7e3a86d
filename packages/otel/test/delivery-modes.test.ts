import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeliveryError, type AgentRecord, type RecordSink } from '@mini-agent/core';
import { afterEach, describe, expect, it } from 'vitest';
import { registerMiniAgentTracing, withSession, withTool, type MiniAgentTracing } from '../src/index.js';

const isolated = { postgres: false, langfuse: false, otlp: false, exitHooks: false } as const;

/** A sink whose writes can be held back or refused, and that says when a write arrives. */
class ControlledSink implements RecordSink {
  readonly name = 'controlled';
  readonly records: AgentRecord[] = [];
  down = false;
  private release: (() => void) | undefined;
  private gate: Promise<void> | undefined;
  private arrived: ((n: number) => void)[] = [];
  holdWrites(): void {
    this.gate = new Promise((resolve) => (this.release = resolve));
  }
  releaseWrites(): void {
    this.release?.();
    this.gate = undefined;
  }
  /** Resolves at the next write. */
  nextWrite(): Promise<number> {
    return new Promise((resolve) => this.arrived.push(resolve));
  }
  async write(records: readonly AgentRecord[]): Promise<void> {
    for (const wake of this.arrived.splice(0)) wake(records.length);
    if (this.gate) await this.gate;
    if (this.down) throw new DeliveryError('connect ECONNREFUSED', true);
    this.records.push(...records);
  }
  async shutdown(): Promise<void> {}
  tools(): string[] {
    return this.records.filter((r): r is Extract<AgentRecord, { type: 'tool' }> => r.type === 'tool').map((r) => r.toolName);
  }
}

let current: MiniAgentTracing | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await current?.shutdown();
  current = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("registerMiniAgentTracing({ mode: 'immediate' })", () => {
  it('exports each span as it ends, with no batching delay and no flush', async () => {
    const sink = new ControlledSink();
    current = registerMiniAgentTracing({ ...isolated, mode: 'immediate', sinks: [sink], batch: { scheduledDelayMillis: 600_000 } });
    const written = sink.nextWrite();
    withTool({ name: 'lambda_step', category: 'core' }, () => 'done');
    expect(await written).toBeGreaterThan(0); // arrived although the batch delay is ten minutes and nobody flushed
  });

  it('forceFlush() waits for every export still in flight, as a serverless handler must before it returns', async () => {
    const sink = new ControlledSink();
    current = registerMiniAgentTracing({ ...isolated, mode: 'immediate', sinks: [sink] });
    sink.holdWrites();
    const written = sink.nextWrite();
    await withSession({ name: 'request' }, async () => withTool({ name: 'handler', category: 'core' }, async () => 1));
    await written;
    let flushed = false;
    const flushing = current.forceFlush().then(() => (flushed = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(flushed).toBe(false); // the sink has not finished: the flush is still waiting
    sink.releaseWrites();
    await flushing;
    expect(sink.tools()).toEqual(['handler']);
  });
});

describe('registerMiniAgentTracing with a durable spool', () => {
  it('spans ended while the sink is down are on disk at shutdown and delivered by the next start', async () => {
    const spoolDir = mkdtempSync(join(tmpdir(), 'otel-spool-'));
    dirs.push(spoolDir);
    const sink = new ControlledSink();
    sink.down = true;
    current = registerMiniAgentTracing({ ...isolated, sinks: [sink], delivery: { spoolDir, retry: { initialDelayMs: 5, maxDelayMs: 20 } }, flushTimeoutMillis: 200 });
    await withSession({ name: 'before crash' }, async () => withTool({ name: 'spooled_tool', category: 'file' }, async () => 'ok'));
    await current.shutdown();
    const stats = current.stats().sinks.controlled!;
    expect(stats).toMatchObject({ delivered: 0, dropped: {} });
    expect(stats.spooled).toBe(stats.accepted);
    expect(stats.spoolBytes).toBeGreaterThan(0);

    sink.down = false;
    current = registerMiniAgentTracing({ ...isolated, sinks: [sink], delivery: { spoolDir } });
    await current.forceFlush();
    expect(sink.tools()).toEqual(['spooled_tool']);
    expect(current.stats().sinks.controlled).toMatchObject({ replayed: stats.accepted, spoolBytes: 0 });
  });
});
