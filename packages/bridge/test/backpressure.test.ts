import { DeliveryError, type AgentRecord, type RecordSink } from '@mini-agent/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBridge } from '../src/index.js';
import { manySpans, sendWithOtlpExporter } from './helpers.js';
import { post, statusOf } from './http.js';

/** A sink that holds every write until `open()` is called, and keeps what it stored. */
function gatedSink(): RecordSink & { stored: AgentRecord[]; open(): void; writes: number } {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const sink = {
    name: 'gated',
    stored: [] as AgentRecord[],
    writes: 0,
    open: () => release(),
    async write(records: readonly AgentRecord[]) {
      sink.writes += 1;
      await gate;
      sink.stored.push(...records);
    },
    async shutdown() {},
  };
  return sink;
}

/** A sink that fails (retryably, like a database that is down) until `recover()` is called. */
function flakySink(): RecordSink & { stored: AgentRecord[]; recover(): void; failures: number } {
  let down = true;
  const sink = {
    name: 'flaky',
    stored: [] as AgentRecord[],
    failures: 0,
    recover: () => (down = false),
    async write(records: readonly AgentRecord[]) {
      if (down) {
        sink.failures += 1;
        throw new DeliveryError('connection refused', true);
      }
      sink.stored.push(...records);
    },
    async shutdown() {},
  };
  return sink;
}

const storedSpanIds = (records: readonly AgentRecord[]) => new Set(records.filter((r) => r.type === 'span').map((r) => r.spanId));

describe('when the bridge cannot keep up, senders wait instead of losing spans', () => {
  it('a full queue answers 429 with Retry-After; every span answered 200 is stored once the sink catches up', async () => {
    const sink = gatedSink();
    const bridge = await createBridge({ sinks: [sink], port: 0, maxQueuedSpans: 20, maxExportBatchSize: 10, retryAfterSeconds: 3 });
    const accepted: string[] = [];
    for (let i = 0; i < 20 && bridge.health().ready; i++) {
      const spans = await manySpans(10, `batch-${i}`);
      expect((await sendWithOtlpExporter(bridge.tracesUrl, spans, { encoding: 'json' })).code).toBe(0);
      accepted.push(...spans.map((s) => s.spanContext().spanId));
    }
    const refused = await post(bridge.tracesUrl, '{"resourceSpans":[]}', { 'content-type': 'application/json' });
    expect(refused.status).toBe(429);
    expect(refused?.headers.get('retry-after')).toBe('3');
    expect(statusOf(refused)).toEqual({ code: 8, message: expect.stringContaining('queue is full') });
    expect(await (await fetch(`${bridge.url}/health`)).json()).toMatchObject({ ready: false, queue: { max: 20 } });

    sink.open();
    await bridge.flush();
    const stored = storedSpanIds(sink.stored);
    expect(accepted.length).toBeGreaterThanOrEqual(20);
    for (const id of accepted) expect(stored).toContain(id);
    await bridge.close();
  });

  it('while a sink is down the queue holds spans and fills up; when it recovers, everything accepted is stored', async () => {
    const sink = flakySink();
    const bridge = await createBridge({
      sinks: [sink],
      port: 0,
      maxQueuedSpans: 30,
      delivery: { retry: { initialDelayMs: 5, maxDelayMs: 20 } },
    });
    const accepted: string[] = [];
    for (let i = 0; i < 30 && bridge.health().ready; i++) {
      const spans = await manySpans(10, `down-${i}`);
      expect((await sendWithOtlpExporter(bridge.tracesUrl, spans, { encoding: 'protobuf' })).code).toBe(0);
      accepted.push(...spans.map((s) => s.spanContext().spanId));
    }
    expect(accepted.length).toBeGreaterThanOrEqual(30);
    expect((await post(bridge.tracesUrl, '{"resourceSpans":[]}', { 'content-type': 'application/json' })).status).toBe(429);
    expect(sink.failures).toBeGreaterThan(0);
    const health = (await (await fetch(`${bridge.url}/health`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'degraded', error: 'connection refused', sinks: { flaky: { healthy: false } } });

    sink.recover();
    await bridge.flush();
    const stored = storedSpanIds(sink.stored);
    for (const id of accepted) expect(stored).toContain(id);
    expect((await (await fetch(`${bridge.url}/health`)).json()) as Record<string, unknown>).toMatchObject({ status: 'ok', ready: true });
    await bridge.close();
  });

  it('with a durable spool, a sink that is down does not stop the bridge: spans go to disk, then to the sink', async () => {
    const sink = flakySink();
    const spoolDir = mkdtempSync(join(tmpdir(), 'bridge-spool-'));
    try {
      const bridge = await createBridge({
        sinks: [sink],
        port: 0,
        maxQueuedSpans: 30,
        delivery: { spoolDir, retry: { initialDelayMs: 5, maxDelayMs: 20 } },
      });
      const accepted: string[] = [];
      for (let i = 0; i < 10; i++) {
        const spans = await manySpans(10, `spooled-${i}`);
        expect((await sendWithOtlpExporter(bridge.tracesUrl, spans, { encoding: 'protobuf' })).code).toBe(0);
        accepted.push(...spans.map((s) => s.spanContext().spanId));
      }
      // Three times the queue's bound went through while the sink refused every write.
      expect(accepted).toHaveLength(100);
      expect(sink.stored).toEqual([]);
      expect(bridge.health()).toMatchObject({ status: 'degraded', ready: true });

      sink.recover();
      await bridge.flush();
      const stored = storedSpanIds(sink.stored);
      for (const id of accepted) expect(stored).toContain(id);
      await bridge.close();
    } finally {
      rmSync(spoolDir, { recursive: true, force: true });
    }
  });
});

describe('shutting down', () => {
  it('stops accepting, answers and exports what it already took, then closes the sinks', async () => {
    const sink = gatedSink();
    let shutDown = false;
    const bridge = await createBridge({ sinks: [{ ...sink, write: (r) => sink.write(r), shutdown: async () => void (shutDown = true) }], port: 0 });
    const spans = await manySpans(25, 'before-close');
    expect((await sendWithOtlpExporter(bridge.tracesUrl, spans, { encoding: 'protobuf', gzip: true })).code).toBe(0);

    const closed = bridge.close();
    expect(bridge.health()).toMatchObject({ status: 'shutting_down', ready: false });
    await expect(fetch(`${bridge.url}/health`)).rejects.toThrow();
    sink.open();
    await closed;

    expect(shutDown).toBe(true);
    const stored = storedSpanIds(sink.stored);
    for (const span of spans) expect(stored).toContain(span.spanContext().spanId);
  });

  it('reports starting until its sinks are ready, and stays live throughout', async () => {
    let ready!: () => void;
    const bridge = await createBridge({ sinks: [gatedSink()], port: 0, ready: [new Promise<void>((r) => (ready = r))] });
    expect(await (await fetch(`${bridge.url}/health`)).json()).toMatchObject({ status: 'starting', live: true });
    expect((await fetch(`${bridge.url}/health/live`)).status).toBe(200);
    ready();
    await new Promise((r) => setImmediate(r));
    expect(await (await fetch(`${bridge.url}/health`)).json()).toMatchObject({ status: 'ok', ready: true });
    await bridge.close();
  });
});
