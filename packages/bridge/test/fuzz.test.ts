import type { AgentRecord, RecordSink } from '@mini-agent/core';
import { seeded } from '@mini-agent/test-support';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBridge, type Bridge } from '../src/index.js';
import { capturedBody } from './captured-body.js';
import { agentRun, manySpans } from './helpers.js';
import { post } from './http.js';

/** A sink that counts and forgets, so memory measures the bridge and not what it stored. */
function countingSink(): RecordSink & { spans: number } {
  const sink = {
    name: 'counting',
    spans: 0,
    async write(records: readonly AgentRecord[]) {
      for (const r of records) if (r.type === 'span') sink.spans += 1;
    },
    async shutdown() {},
  };
  return sink;
}

interface Fuzzed {
  readonly body: Buffer;
  readonly headers: Record<string, string>;
  readonly kind: string;
}

/** Bodies a broken or hostile sender could post: random bytes, and valid requests mutated. */
class Fuzzer {
  private readonly random: () => number;
  constructor(
    seed: number,
    private readonly protobuf: Buffer[],
    private readonly json: unknown[],
  ) {
    this.random = seeded(seed);
  }

  private int(max: number): number {
    return Math.floor(this.random() * max);
  }

  private bytes(length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    for (let i = 0; i < length; i++) out[i] = this.int(256);
    return out;
  }

  /** Byte-level damage: flips, insertions, deletions, truncation, duplication. */
  private mutateBytes(source: Buffer): Buffer {
    let out = Buffer.from(source);
    for (let n = 1 + this.int(6); n > 0; n--) {
      const at = this.int(Math.max(1, out.length));
      switch (this.int(5)) {
        case 0:
          if (out.length > 0) out[at] = this.int(256);
          break;
        case 1:
          out = Buffer.concat([out.subarray(0, at), this.bytes(1 + this.int(16)), out.subarray(at)]);
          break;
        case 2:
          out = Buffer.concat([out.subarray(0, at), out.subarray(at + 1 + this.int(32))]);
          break;
        case 3:
          out = out.subarray(0, at);
          break;
        default:
          out = Buffer.concat([out, out.subarray(at, at + this.int(64))]);
      }
    }
    return out;
  }

  /** Structure-level damage to an OTLP/JSON document: any value replaced by one of another type. */
  private mutateJson(source: unknown): unknown {
    const doc = structuredClone(source) as unknown;
    const nasty = (): unknown =>
      [null, -1, 1e308, '', 'zz', '\u0000', '\uD800', [], {}, true, '18446744073709551616', -0.5, { stringValue: 5 }, [{ key: 1 }], 'x'.repeat(10_000)][this.int(15)];
    const walk = (value: unknown, depth: number): unknown => {
      if (value === null || typeof value !== 'object') return this.random() < 0.08 ? nasty() : value;
      if (this.random() < 0.03 && depth > 0) return nasty();
      if (Array.isArray(value)) return value.map((item) => walk(item, depth + 1));
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) if (this.random() > 0.05) out[k] = walk(v, depth + 1);
      return out;
    };
    return walk(doc, 0);
  }

  next(): Fuzzed {
    const roll = this.random();
    const gzip = this.random() < 0.15;
    let body: Buffer;
    let type: string;
    let kind: string;
    if (roll < 0.25) {
      body = this.bytes(this.int(4096));
      type = this.random() < 0.5 ? 'application/x-protobuf' : 'application/json';
      kind = 'random bytes';
    } else if (roll < 0.6) {
      body = this.mutateBytes(this.protobuf[this.int(this.protobuf.length)]!);
      type = 'application/x-protobuf';
      kind = 'mutated protobuf';
    } else if (roll < 0.85) {
      body = Buffer.from(JSON.stringify(this.mutateJson(this.json[this.int(this.json.length)])));
      type = 'application/json';
      kind = 'mutated JSON';
    } else {
      body = this.mutateBytes(Buffer.from(JSON.stringify(this.json[this.int(this.json.length)])));
      type = 'application/json';
      kind = 'mutated JSON text';
    }
    const headers: Record<string, string> = { 'content-type': type };
    if (gzip) {
      // Sometimes a real gzip of the damage, sometimes a gzip body damaged itself.
      body = this.random() < 0.5 ? gzipSync(body) : this.mutateBytes(gzipSync(body));
      headers['content-encoding'] = 'gzip';
    }
    return { body, headers, kind };
  }
}

/** Sends every body with at most `concurrency` in flight; returns the statuses by kind. */
async function sendAll(url: string, bodies: readonly Fuzzed[], concurrency: number, onProgress: () => void): Promise<Map<string, Map<number, number>>> {
  const byKind = new Map<string, Map<number, number>>();
  let next = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const fuzzed = bodies[next++]!;
      let status: number;
      try {
        status = (await post(url, fuzzed.body, fuzzed.headers)).status;
      } catch {
        status = 0; // no answer at all: the connection died
      }
      const counts = byKind.get(fuzzed.kind) ?? new Map<number, number>();
      counts.set(status, (counts.get(status) ?? 0) + 1);
      byKind.set(fuzzed.kind, counts);
      onProgress();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return byKind;
}

const statusesOf = (byKind: Map<string, Map<number, number>>) => [...byKind.values()].flatMap((m) => [...m.entries()]);

describe('the bridge under fuzzed bodies and a burst of concurrent requests', () => {
  const sink = countingSink();
  let bridge: Bridge;
  let fuzzer: Fuzzer;
  let valid: Buffer;
  let rssPeak = 0;
  const rss = () => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss));

  beforeAll(async () => {
    bridge = await createBridge({ sinks: [sink], port: 0, token: false, maxBodyBytes: 1024 * 1024 });
    const runs = [await agentRun('fuzz-a'), await agentRun('fuzz-b'), await manySpans(50, 'fuzz-bulk')];
    const protobuf = await Promise.all(runs.map((spans) => capturedBody(spans, 'protobuf')));
    const json = (await Promise.all(runs.map((spans) => capturedBody(spans, 'json')))).map((b) => JSON.parse(b.toString('utf8')) as unknown);
    valid = protobuf[2]!;
    fuzzer = new Fuzzer(20261125, protobuf, json);
  });
  afterAll(() => bridge.close());

  it('answers each of 10,000 fuzzed bodies with a 2xx or 4xx, never crashes, and memory stays bounded', async () => {
    const baseline = process.memoryUsage().rss;
    const bodies = Array.from({ length: 10_000 }, () => fuzzer.next());
    const byKind = await sendAll(bridge.tracesUrl, bodies, 32, rss);
    await bridge.flush();
    const summary = Object.fromEntries([...byKind].map(([kind, counts]) => [kind, Object.fromEntries(counts)]));
    console.log(
      `[reliability] bridge fuzz: 10,000 bodies ${JSON.stringify(summary)}; ${sink.spans} spans stored from bodies that still decoded; ` +
        `RSS ${(baseline / 2 ** 20).toFixed(0)} MB before, peak ${(rssPeak / 2 ** 20).toFixed(0)} MB`,
    );
    const statuses = statusesOf(byKind);
    expect(statuses.reduce((n, [, count]) => n + count, 0)).toBe(10_000);
    expect(statuses.filter(([status]) => status < 200 || status >= 500 || (status >= 300 && status < 400))).toEqual([]);
    expect(statuses.some(([status]) => status === 200)).toBe(true);
    expect(statuses.some(([status]) => status === 400)).toBe(true);
    expect(rssPeak - baseline).toBeLessThan(512 * 2 ** 20);
    // Still healthy: a valid export afterwards is answered and stored.
    const before = sink.spans;
    expect((await post(bridge.tracesUrl, valid, { 'content-type': 'application/x-protobuf' })).status).toBe(200);
    await bridge.flush();
    expect(sink.spans).toBe(before + 50);
    expect(bridge.health()).toMatchObject({ live: true, ready: true });
  }, 300_000);

  it('answers 1,000 concurrent requests (valid and fuzzed) with a 2xx or 4xx each', async () => {
    const baseline = process.memoryUsage().rss;
    rssPeak = 0;
    const bodies = Array.from({ length: 1_000 }, (_, i) => (i % 2 === 0 ? { body: valid, headers: { 'content-type': 'application/x-protobuf' }, kind: 'valid' } : fuzzer.next()));
    const before = sink.spans;
    const byKind = await sendAll(bridge.tracesUrl, bodies, 1_000, rss);
    await bridge.flush();
    const statuses = statusesOf(byKind);
    const valid200 = byKind.get('valid')?.get(200) ?? 0;
    console.log(
      `[reliability] bridge burst: 1,000 concurrent requests ${JSON.stringify(Object.fromEntries([...byKind].map(([k, c]) => [k, Object.fromEntries(c)])))}; ` +
        `RSS ${(baseline / 2 ** 20).toFixed(0)} MB before, peak ${(rssPeak / 2 ** 20).toFixed(0)} MB`,
    );
    expect(statuses.reduce((n, [, count]) => n + count, 0)).toBe(1_000);
    expect(statuses.filter(([status]) => status < 200 || status >= 500 || (status >= 300 && status < 400))).toEqual([]);
    // Every valid request answered 200 was stored; the others were told to come back (429).
    expect(sink.spans - before).toBeGreaterThanOrEqual(valid200 * 50);
    expect(valid200 + (byKind.get('valid')?.get(429) ?? 0)).toBe(500);
    expect(rssPeak - baseline).toBeLessThan(512 * 2 ** 20);
  }, 300_000);
});
