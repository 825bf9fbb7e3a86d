import { DeliveryError, type AgentRecord, type RecordSink } from '@mini-agent/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBridge, type Bridge } from '../src/index.js';
import { capturedBody } from './captured-body.js';
import { agentRun } from './helpers.js';
import { partialSuccessOf, post } from './http.js';

/** A sink whose writes wait for `open()`, fail while `down`, or are refused for good while `refusing`. */
function controlledSink() {
  let release: () => void = () => {};
  let gate: Promise<void> | undefined;
  const sink = {
    name: 'store',
    stored: [] as AgentRecord[],
    down: false,
    refusing: false,
    writeStarted: undefined as (() => void) | undefined,
    hold() {
      gate = new Promise<void>((resolve) => (release = resolve));
    },
    open() {
      release();
      gate = undefined;
    },
    async write(records: readonly AgentRecord[]) {
      sink.writeStarted?.();
      if (gate) await gate;
      if (sink.refusing) throw new DeliveryError('HTTP 400: schema mismatch', false, { reason: 'http_400' });
      if (sink.down) throw new DeliveryError('connect ECONNREFUSED', true);
      sink.stored.push(...records);
    },
    async shutdown() {},
  } satisfies RecordSink & Record<string, unknown>;
  return sink;
}

const PROTO = { 'content-type': 'application/x-protobuf' };
let bridge: Bridge | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await bridge?.close();
  bridge = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function spoolingBridge(sink: RecordSink, spoolMaxBytes?: number): Promise<Bridge> {
  const spoolDir = mkdtempSync(join(tmpdir(), 'bridge-spool-'));
  dirs.push(spoolDir);
  return createBridge({
    sinks: [sink],
    port: 0,
    token: false,
    delivery: { spoolDir, retry: { initialDelayMs: 10, maxDelayMs: 50 }, ...(spoolMaxBytes ? { spoolMaxBytes } : {}) },
  });
}

describe('the bridge with a durable spool answers 200 only once the spans are stored or on disk', () => {
  it('while the sink is still writing, the sender has no answer; when the write completes, it gets 200', async () => {
    const sink = controlledSink();
    bridge = await spoolingBridge(sink);
    sink.hold();
    const writing = new Promise<void>((resolve) => (sink.writeStarted = resolve));
    const spans = await agentRun('held');
    const body = await capturedBody(spans);
    const bridgePort = Number(new URL(bridge.tracesUrl).port);
    // Which answers the bridge has finished, seen from the server side.
    const ended: string[] = [];
    const end = ServerResponse.prototype.end;
    const spy = vi.spyOn(ServerResponse.prototype, 'end').mockImplementation(function (this: ServerResponse, ...args: unknown[]) {
      if (this.req.socket.localPort === bridgePort) ended.push(`${this.req.method} ${this.req.url}`);
      return (end as (...a: unknown[]) => ServerResponse).apply(this, args);
    });
    try {
      let answered = false;
      const answer = post(bridge.tracesUrl, body, PROTO).then((a) => ((answered = true), a));
      await writing;
      // No sleep: a request the bridge handles after this one. By the time it is answered, a bridge
      // that did not wait for the write would have ended the first answer already.
      expect((await fetch(new URL('/health/live', bridge.tracesUrl))).status).toBe(200);
      expect(ended).toEqual(['GET /health/live']);
      expect(answered).toBe(false);
      sink.open();
      expect((await answer).status).toBe(200);
      expect(ended).toEqual(['GET /health/live', 'POST /v1/traces']);
    } finally {
      spy.mockRestore();
      sink.open();
    }
    expect(sink.stored.filter((r) => r.type === 'span')).toHaveLength(spans.length);
  });

  it('while the sink is down, 200 means the spans are in the spool, and they are delivered when it is back', async () => {
    const sink = controlledSink();
    sink.down = true;
    bridge = await spoolingBridge(sink);
    const spans = await agentRun('spooled');
    expect((await post(bridge.tracesUrl, await capturedBody(spans), PROTO)).status).toBe(200);
    const stats = (bridge.exporter as unknown as { stats(): { sinks: Record<string, { spooled: number; spoolBytes: number }> } }).stats().sinks.store!;
    expect(stats.spooled).toBeGreaterThan(0);
    expect(stats.spoolBytes).toBeGreaterThan(0);
    sink.down = false;
    await bridge.flush();
    expect(new Set(sink.stored.filter((r) => r.type === 'span').map((r) => r.spanId))).toEqual(new Set(spans.map((s) => s.spanContext().spanId)));
  });

  it('when the spool is full the sender gets 503 with Retry-After and keeps its spans', async () => {
    const sink = controlledSink();
    sink.down = true;
    bridge = await spoolingBridge(sink, 2_000);
    const answer = await post(bridge.tracesUrl, await capturedBody(await agentRun('too-much')), PROTO);
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe('1');
    // The sender keeps its spans because the bridge took none of them: nothing spooled or queued,
    // and nothing of this request reaches the sink once it is back. A half-taken request would be
    // stored twice (or in part) after the sender resends it.
    const stats = () => (bridge!.exporter as unknown as { stats(): { sinks: Record<string, { spooled: number; spoolBytes: number; queuedRecords: number }> } }).stats().sinks.store!;
    expect(stats()).toMatchObject({ spooled: 0, spoolBytes: 0, queuedRecords: 0 });
    sink.down = false;
    await bridge.flush();
    expect(sink.stored).toEqual([]);
  });

  it('spans a sink refuses for good get 200 with the reason as a warning: sending them again cannot help', async () => {
    const sink = controlledSink();
    sink.refusing = true;
    bridge = await spoolingBridge(sink);
    const answer = await post(bridge.tracesUrl, await capturedBody(await agentRun('refused')), PROTO);
    expect(answer.status).toBe(200);
    expect(partialSuccessOf(answer)).toEqual({ rejectedSpans: 0, errorMessage: expect.stringContaining('schema mismatch') });
  });
});
