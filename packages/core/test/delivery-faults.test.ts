import { mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryError, DeliveryPipeline, FileSpool, type AgentRecord, type RecordSink } from '../src/index.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mini-agent-faults-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function metric(i: number): AgentRecord {
  return { type: 'metric', traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), id: `m:${i}`, metricType: 'latency', value: i, unit: 'ms', recordedAt: new Date(1_700_000_000_000 + i), metadata: {} };
}
const metrics = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => metric(from + i));
const ids = (records: readonly AgentRecord[]) => records.map((r) => (r as { id: string }).id);
const fast = { retry: { initialDelayMs: 1, maxDelayMs: 10 } };

/** A store that keeps what it is given, can be taken down, and can refuse batches over a size. */
class Store implements RecordSink {
  readonly name = 'store';
  readonly stored: AgentRecord[] = [];
  readonly writes: number[] = [];
  down = false;
  hang = false;
  maxRecords = Infinity;
  /** Fails (retryably) the next write holding this record id, once. */
  failOnceOn: string | undefined;
  async write(records: readonly AgentRecord[]): Promise<void> {
    this.writes.push(records.length);
    if (this.hang) return new Promise(() => {});
    if (this.failOnceOn && ids(records).includes(this.failOnceOn)) {
      this.failOnceOn = undefined;
      throw new DeliveryError('connection reset', true);
    }
    if (this.down) throw new DeliveryError('connect ECONNREFUSED', true);
    if (records.length > this.maxRecords) throw new DeliveryError(`batch of ${records.length} records is too large`, false, { reason: 'too_large' });
    this.stored.push(...records);
  }
  async shutdown(): Promise<void> {}
}

describe('FileSpool under faults', () => {
  it('a corrupt frame in an older segment is skipped with the rest of that segment; later segments still replay', () => {
    const dir = tempDir();
    const spool = new FileSpool({ dir, segmentBytes: 40, fsync: false });
    for (let i = 0; i < 6; i++) spool.append(Buffer.from(`entry-${i}-${'x'.repeat(16)}`));
    spool.close();
    const first = join(dir, '00000000.seg');
    const bytes = readFileSync(first);
    bytes[bytes.length - 1] ^= 0xff; // flip a byte of the last payload of the first segment
    writeFileSync(first, bytes);
    const reopened = new FileSpool({ dir, segmentBytes: 40, fsync: false });
    const seen: string[] = [];
    for (let entry = reopened.peek(); entry; entry = reopened.peek()) {
      seen.push(entry.payload.toString().slice(0, 7));
      reopened.commit(entry.next);
    }
    expect(reopened.tornFrames).toBe(1);
    expect(seen).not.toContain('entry-0');
    expect(seen).toEqual(['entry-1', 'entry-2', 'entry-3', 'entry-4', 'entry-5']);
  });

  it('drop-oldest deletes whole old segments and hands back what they held, so it can be counted', () => {
    const spool = new FileSpool({ dir: tempDir(), maxBytes: 200, segmentBytes: 60, whenFull: 'drop-oldest', fsync: false });
    const dropped: string[] = [];
    for (let i = 0; i < 12; i++) {
      const result = spool.append(Buffer.from(`p${String(i).padStart(2, '0')}-${'y'.repeat(20)}`));
      expect(result.written).toBe(true);
      dropped.push(...result.dropped.map((b) => b.toString().slice(0, 3)));
    }
    const kept: string[] = [];
    for (let entry = spool.peek(); entry; entry = spool.peek()) {
      kept.push(entry.payload.toString().slice(0, 3));
      spool.commit(entry.next);
    }
    // Nothing vanished unaccounted: every payload was either kept or handed back as dropped, oldest first.
    expect([...dropped, ...kept]).toEqual(Array.from({ length: 12 }, (_, i) => `p${String(i).padStart(2, '0')}`));
    expect(dropped.length).toBeGreaterThan(0);
    expect(spool.pendingBytes).toBe(0);
  });

  it('keeps its byte count right across appends, commits, segment changes and a reopening', () => {
    const dir = tempDir();
    const spool = new FileSpool({ dir, segmentBytes: 100, fsync: false });
    for (let i = 0; i < 10; i++) spool.append(Buffer.alloc(30, i));
    expect(spool.pendingBytes).toBe(10 * 38);
    spool.commit(spool.peek()!.next);
    expect(spool.pendingBytes).toBe(9 * 38);
    spool.close();
    const reopened = new FileSpool({ dir, segmentBytes: 100, fsync: false });
    expect(reopened.pendingBytes).toBe(9 * 38);
    expect(reopened.peek()!.payload[0]).toBe(1);
  });
});

describe('DeliveryPipeline under faults', () => {
  it('a batch the sink refuses as too large is written again in halves; one record alone that is too large is rejected', async () => {
    const store = new Store();
    store.maxRecords = 3;
    const pipeline = new DeliveryPipeline(store, fast);
    await pipeline.submit(metrics(0, 10));
    expect(ids(store.stored)).toEqual(ids(metrics(0, 10)));
    expect(pipeline.stats()).toMatchObject({ delivered: 10, rejected: {}, dropped: {} });
    expect(pipeline.stats().splitBatches).toBeGreaterThan(0);

    store.maxRecords = 0;
    await expect(pipeline.submit([metric(99)])).rejects.toThrow('too large');
    expect(pipeline.stats().rejected).toEqual({ too_large: 1 });
  });

  it('a split batch that meets an outage half way is retried from where it failed: nothing lost, nothing sent twice', async () => {
    for (const failing of ['m:0', 'm:5']) {
      const store = new Store();
      store.maxRecords = 3;
      store.failOnceOn = failing;
      const pipeline = new DeliveryPipeline(store, fast);
      await pipeline.submit(metrics(0, 6));
      expect(await pipeline.flush(5_000)).toBe(true);
      expect(ids(store.stored).sort()).toEqual(ids(metrics(0, 6)).sort());
      expect(pipeline.stats()).toMatchObject({ accepted: 6, delivered: 6, dropped: {}, rejected: {} });
    }
  });

  it('splits batches over maxBatchRecords or maxBatchBytes before writing', async () => {
    const store = new Store();
    const byCount = new DeliveryPipeline(store, { ...fast, maxBatchRecords: 4 });
    await byCount.submit(metrics(0, 10));
    expect(store.writes).toEqual([4, 4, 2]);
    store.writes.length = 0;
    const bySize = new DeliveryPipeline(store, { ...fast, maxBatchBytes: 600 });
    await bySize.submit(metrics(0, 10));
    expect(store.writes.length).toBeGreaterThan(1);
    expect(store.writes.reduce((a, b) => a + b, 0)).toBe(10);
    expect(ids(store.stored)).toEqual([...ids(metrics(0, 10)), ...ids(metrics(0, 10))]);
  });

  it('a sink that hangs at shutdown: with a spool, the records being written go to disk and the next start delivers them', async () => {
    const spoolDir = tempDir();
    const store = new Store();
    store.hang = true;
    const before = new DeliveryPipeline(store, { ...fast, spoolDir });
    const submitted = before.submit(metrics(0, 3));
    await before.shutdown(50);
    expect(before.stats()).toMatchObject({ spooled: 3, dropped: {} });
    void submitted;

    store.hang = false;
    const after = new DeliveryPipeline(store, { ...fast, spoolDir });
    expect(await after.flush(5_000)).toBe(true);
    expect(ids(store.stored)).toEqual(['m:0', 'm:1', 'm:2']);
  });

  it('drop-oldest in a full spool counts the records it lost, by reason', async () => {
    const store = new Store();
    store.down = true;
    const pipeline = new DeliveryPipeline(store, { ...fast, spoolDir: tempDir(), spoolMaxBytes: 4_000, spoolWhenFull: 'drop-oldest' });
    for (let i = 0; i < 40; i++) await pipeline.submit([metric(i)]);
    const { spooled, dropped } = pipeline.stats();
    expect(spooled).toBe(40);
    expect(dropped.spool_full_oldest).toBeGreaterThan(0);
    store.down = false;
    await pipeline.flush(5_000);
    // Everything accepted is accounted for: stored, or counted as dropped.
    expect(store.stored.length + dropped.spool_full_oldest!).toBe(40);
    await pipeline.shutdown();
  });

  it('says whether it can take more: yes while healthy or spooling with room, no while failing into memory', async () => {
    const store = new Store();
    const memory = new DeliveryPipeline(store, fast);
    const spoolDir = tempDir();
    const spooling = new DeliveryPipeline(store, { ...fast, spoolDir });
    expect(memory.canAccept()).toBe(true);
    store.down = true;
    await memory.submit([metric(1)]);
    await spooling.submit([metric(1)]);
    expect(memory.canAccept()).toBe(false);
    expect(spooling.canAccept()).toBe(true);
    expect(readdirSync(join(spoolDir, 'store')).some((f) => f.endsWith('.seg'))).toBe(true);
    store.down = false;
    await memory.shutdown();
    await spooling.shutdown();
  });
});
