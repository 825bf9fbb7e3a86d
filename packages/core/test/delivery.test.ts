import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryError, DeliveryPipeline, FileSpool, retryDelay, type AgentRecord, type RecordSink } from '../src/index.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mini-agent-spool-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function metric(i: number): AgentRecord {
  return { type: 'metric', traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), id: `m:${i}`, metricType: 'latency', value: i, unit: 'ms', recordedAt: new Date(1_700_000_000_000 + i), metadata: {} };
}

/** A backend that can be switched down and up, and keeps what it stored, like a database. */
class SwitchableSink implements RecordSink {
  readonly name = 'db';
  readonly stored: AgentRecord[] = [];
  down = false;
  writes = 0;
  async write(records: readonly AgentRecord[]): Promise<void> {
    this.writes += 1;
    if (this.down) throw new DeliveryError('connect ECONNREFUSED', true);
    this.stored.push(...records);
  }
  async shutdown(): Promise<void> {}
}

const fast = { retry: { initialDelayMs: 1, maxDelayMs: 10 } };

describe('FileSpool', () => {
  it('gives back payloads in the order written, across segments and reopenings', () => {
    const dir = tempDir();
    const spool = new FileSpool({ dir, segmentBytes: 64, fsync: false });
    for (let i = 0; i < 10; i++) expect(spool.append(Buffer.from(`payload-${i}-${'x'.repeat(20)}`)).written).toBe(true);
    spool.close();
    expect(readdirSync(dir).filter((f) => f.endsWith('.seg')).length).toBeGreaterThan(1);
    const reopened = new FileSpool({ dir, segmentBytes: 64, fsync: false });
    const seen: string[] = [];
    for (let entry = reopened.peek(); entry; entry = reopened.peek()) {
      seen.push(entry.payload.toString().split('-x')[0]!);
      reopened.commit(entry.next);
    }
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => `payload-${i}`));
    expect(reopened.isEmpty).toBe(true);
  });

  it('a torn last record (the process died mid-write) is detected and skipped; earlier ones replay, later appends work', () => {
    const dir = tempDir();
    const spool = new FileSpool({ dir, fsync: false });
    spool.append(Buffer.from('first'));
    spool.append(Buffer.from('second'));
    spool.close();
    // Half a frame: a length header promising 100 bytes, then only 3.
    const header = Buffer.alloc(8);
    header.writeUInt32LE(100, 0);
    appendFileSync(join(dir, '00000000.seg'), Buffer.concat([header, Buffer.from('abc')]));
    const reopened = new FileSpool({ dir, fsync: false });
    expect(reopened.tornFrames).toBe(1);
    reopened.append(Buffer.from('third'));
    const seen: string[] = [];
    for (let entry = reopened.peek(); entry; entry = reopened.peek()) {
      seen.push(entry.payload.toString());
      reopened.commit(entry.next);
    }
    expect(seen).toEqual(['first', 'second', 'third']);
  });

  it('when full, rejects new payloads by default, and says so', () => {
    const spool = new FileSpool({ dir: tempDir(), maxBytes: 100, fsync: false });
    expect(spool.append(Buffer.alloc(60)).written).toBe(true);
    expect(spool.append(Buffer.alloc(60)).written).toBe(false);
  });
});

describe('DeliveryPipeline', () => {
  it('holds batches in memory while the sink is down and delivers all of them, in order, when it recovers', async () => {
    const sink = new SwitchableSink();
    const pipeline = new DeliveryPipeline(sink, fast);
    sink.down = true;
    for (let i = 0; i < 5; i++) await pipeline.submit([metric(i)]);
    expect(pipeline.stats()).toMatchObject({ accepted: 5, delivered: 0, queuedRecords: 5, healthy: false });
    sink.down = false;
    expect(await pipeline.flush(5_000)).toBe(true);
    expect(sink.stored.map((r) => (r as { id: string }).id)).toEqual(['m:0', 'm:1', 'm:2', 'm:3', 'm:4']);
    expect(pipeline.stats()).toMatchObject({ delivered: 5, queuedRecords: 0, healthy: true, dropped: {} });
  });

  it('drops what does not fit in memory, counts it by reason, and reports it to the caller', async () => {
    const sink = new SwitchableSink();
    const pipeline = new DeliveryPipeline(sink, { ...fast, maxQueuedRecords: 2 });
    sink.down = true;
    await pipeline.submit([metric(1)]);
    await pipeline.submit([metric(2)]);
    await expect(pipeline.submit([metric(3)])).rejects.toThrow(/queue_full/);
    expect(pipeline.stats().dropped).toEqual({ queue_full: 1 });
    await pipeline.shutdown(50);
    expect(pipeline.stats().dropped).toEqual({ queue_full: 1, shutdown: 2 });
  });

  it('a permanent error is not retried: the batch is rejected with the reason', async () => {
    const sink: RecordSink = {
      name: 'strict',
      write: async () => {
        throw new DeliveryError('HTTP 400: invalid body', false, { reason: 'http_400' });
      },
      shutdown: async () => {},
    };
    const pipeline = new DeliveryPipeline(sink, fast);
    await expect(pipeline.submit([metric(1)])).rejects.toThrow('invalid body');
    expect(pipeline.stats()).toMatchObject({ rejected: { http_400: 1 }, retried: 0, lastError: 'HTTP 400: invalid body' });
  });

  it('retries only the records a partial failure names', async () => {
    const seen: string[][] = [];
    let first = true;
    const sink: RecordSink = {
      name: 'partial',
      write: async (records) => {
        seen.push(records.map((r) => (r as { id: string }).id));
        if (first) {
          first = false;
          throw new DeliveryError('207: 1 of 3 failed', true, { remaining: [records[1]!] });
        }
      },
      shutdown: async () => {},
    };
    const pipeline = new DeliveryPipeline(sink, fast);
    await pipeline.submit([metric(1), metric(2), metric(3)]);
    await pipeline.flush(5_000);
    expect(seen).toEqual([['m:1', 'm:2', 'm:3'], ['m:2']]);
  });

  it('with a spool, batches survive a restart: a new pipeline replays what the old one could not deliver', async () => {
    const spoolDir = tempDir();
    const sink = new SwitchableSink();
    sink.down = true;
    const before = new DeliveryPipeline(sink, { ...fast, spoolDir });
    await before.submit([metric(1), metric(2)]);
    await before.submit([metric(3)]);
    expect(before.stats()).toMatchObject({ spooled: 3, delivered: 0 });
    expect(before.stats().spoolBytes).toBeGreaterThan(0);
    await before.shutdown(20); // the process ends with the sink still down
    expect(before.stats().dropped).toEqual({});

    sink.down = false;
    const after = new DeliveryPipeline(sink, { ...fast, spoolDir });
    expect(await after.flush(5_000)).toBe(true);
    expect(sink.stored.map((r) => (r as { id: string }).id)).toEqual(['m:1', 'm:2', 'm:3']);
    // Dates come back as Dates, so sinks store the same values as on the first try.
    expect((sink.stored[0] as { recordedAt: Date }).recordedAt).toEqual(new Date(1_700_000_000_001));
    expect(after.stats()).toMatchObject({ replayed: 3, spoolBytes: 0, healthy: true });
  });
});

describe('retryDelay', () => {
  it('grows exponentially with jitter, is capped, and honours Retry-After', () => {
    const low = () => 0;
    const high = () => 1;
    expect(retryDelay(1, { initialDelayMs: 100 }, undefined, high)).toBe(100);
    expect(retryDelay(1, { initialDelayMs: 100 }, undefined, low)).toBe(50);
    expect(retryDelay(4, { initialDelayMs: 100 }, undefined, high)).toBe(800);
    expect(retryDelay(30, { initialDelayMs: 100, maxDelayMs: 2_000 }, undefined, high)).toBe(2_000);
    expect(retryDelay(1, { initialDelayMs: 100 }, 3_000, high)).toBe(3_000);
  });
});
