// The delivery pipeline with a durable spool, at its edges: what goes through the spool and what
// not, replay after a restart, the spool's bounds, shutdown, and a spool that cannot be written,
// read or decoded. Without a spool: delivery-pipeline-edges.test.ts.
import { appendFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeliveryError, DeliveryPipeline, FileSpool } from '../src/index.js';
import { after, captureDiag, cleanUp, deferred, fail, fast, ids, metric, metrics, refusedNet, slow, store, tempDir, TestSink } from './delivery-test-sink.js';

afterEach(cleanUp);

describe('with a spool', () => {
  it('a healthy sink is written directly: nothing goes through the spool', async () => {
    const sink = new TestSink();
    const pipeline = new DeliveryPipeline(sink, { ...fast, spoolDir: tempDir() });
    await pipeline.submit(metrics(0, 2));
    expect(ids(sink.stored)).toEqual(['m:0', 'm:1']);
    expect(pipeline.stats()).toMatchObject({ spooled: 0, delivered: 2, spoolBytes: 0 });
    await pipeline.shutdown(100);
  });

  it('a leftover spool: unhealthy until replayed, then replayed and said to deliver again', async () => {
    const spoolDir = tempDir();
    const sink = new TestSink();
    sink.otherwise = fail(refusedNet());
    const before = new DeliveryPipeline(sink, { ...fast, spoolDir });
    await before.submit(metrics(0, 2));
    await before.shutdown(10);
    sink.otherwise = store;
    const seen = captureDiag();
    const later = new DeliveryPipeline(sink, { ...fast, spoolDir });
    expect(later.stats().healthy).toBe(false);
    expect(await later.flush(2_000)).toBe(true);
    expect(later.stats()).toMatchObject({ healthy: true, replayed: 2, delivered: 2, spoolTornFrames: 0 });
    expect(seen).toEqual(['info mini-agent: sink store is delivering again']);
    await later.shutdown(100);
  });

  it('shutdown with a failing sink gives up at the next failed attempt instead of waiting for the timeout; the records stay spooled', async () => {
    const spoolDir = tempDir();
    const sink = new TestSink();
    sink.otherwise = fail(refusedNet());
    const pipeline = new DeliveryPipeline(sink, { ...slow, spoolDir });
    await pipeline.submit(metrics(0, 2));
    const started = Date.now();
    await pipeline.shutdown(3_000);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(pipeline.stats()).toMatchObject({ spooled: 2, dropped: {} });
    expect(pipeline.stats().spoolBytes).toBeGreaterThan(0);
  });

  it('without a spool, shutdown waits through failed attempts and delivers what it holds', async () => {
    const sink = new TestSink();
    sink.answers.push(fail(refusedNet()), fail(refusedNet()), fail(refusedNet()));
    const pipeline = new DeliveryPipeline(sink, fast);
    await pipeline.submit(metrics(0, 2));
    await pipeline.shutdown(2_000);
    expect(ids(sink.stored)).toEqual(['m:0', 'm:1']);
    expect(pipeline.stats()).toMatchObject({ dropped: {}, delivered: 2 });
  });

  it('a hung sink at shutdown with a spool: the records in flight are spooled, and said so', async () => {
    const seen = captureDiag();
    const sink = new TestSink();
    sink.otherwise = () => new Promise(() => {});
    const pipeline = new DeliveryPipeline(sink, { ...fast, spoolDir: tempDir() });
    void pipeline.submit(metrics(0, 3));
    await pipeline.shutdown(20);
    expect(pipeline.stats().spooled).toBe(3);
    expect(seen).toEqual(['warn mini-agent: sink store still writing 3 records at shutdown; spooled them for the next start']);
  });

  it('reject-new: a batch that does not fit is dropped as spool_full', async () => {
    const sink = new TestSink();
    sink.otherwise = fail(refusedNet());
    const pipeline = new DeliveryPipeline(sink, { ...slow, spoolDir: tempDir(), spoolMaxBytes: 600 });
    await pipeline.submit([metric(1)]);
    await pipeline.submit([metric(2)]);
    await expect(pipeline.submit([metric(3)])).rejects.toMatchObject({ message: 'dropped 1 records for sink store: spool_full', reason: 'spool_full', dropped: true });
    expect(pipeline.stats()).toMatchObject({ spooled: 2, dropped: { spool_full: 1 } });
    await pipeline.shutdown(10);
  });

  it('drop-oldest: says how many old records it dropped to make room', async () => {
    const seen = captureDiag();
    const sink = new TestSink();
    sink.otherwise = fail(refusedNet());
    const pipeline = new DeliveryPipeline(sink, { ...slow, spoolDir: tempDir(), spoolMaxBytes: 1_000, spoolWhenFull: 'drop-oldest' });
    for (let i = 0; i < 6; i++) await pipeline.submit([metric(i)]);
    const lost = pipeline.stats().dropped.spool_full_oldest!;
    expect(lost).toBeGreaterThan(0);
    expect(seen.filter((m) => m.includes('is full'))[0]).toMatch(/^warn mini-agent: spool of sink store is full: dropped the \d+ oldest records to make room$/);
    await pipeline.shutdown(10);
  });

  it('drop-oldest deleting the batch being replayed: that batch is counted once, as delivered when its write succeeds', async () => {
    for (const outcome of ['stored', 'failed'] as const) {
      const sink = new TestSink();
      const gate = deferred();
      sink.answers.push(fail(refusedNet()), after(gate.promise, outcome === 'stored' ? store : fail(refusedNet())));
      const pipeline = new DeliveryPipeline(sink, { ...fast, spoolDir: tempDir(), spoolMaxBytes: 1_000, spoolWhenFull: 'drop-oldest' });
      await pipeline.submit([metric(0)]);
      await vi.waitFor(() => expect(sink.active).toBe(1)); // the replay of m:0 is being written
      for (let i = 1; i < 8; i++) await pipeline.submit([metric(i)]);
      const whileWriting = pipeline.stats().dropped.spool_full_oldest ?? 0;
      expect(whileWriting).toBeGreaterThan(0); // m:0's segment and others were deleted meanwhile
      gate.resolve();
      expect(await pipeline.flush(2_000)).toBe(true);
      const { accepted, delivered, dropped } = pipeline.stats();
      const lost = dropped.spool_full_oldest!;
      // Every accepted record is counted exactly once: stored, or dropped.
      expect(sink.stored.length).toBe(delivered);
      expect(delivered + lost).toBe(accepted);
      expect(ids(sink.stored).includes('m:0')).toBe(outcome === 'stored');
      expect(lost).toBe(outcome === 'stored' ? whileWriting : whileWriting + 1);
      await pipeline.shutdown(100);
    }
  });

  it('drop-oldest deleting a batch that failed and waits for its retry: its records are counted as dropped', async () => {
    const sink = new TestSink();
    sink.answers.push(fail(refusedNet()), fail(refusedNet()));
    const pipeline = new DeliveryPipeline(sink, { retry: { initialDelayMs: 300, maxDelayMs: 300 }, spoolDir: tempDir(), spoolMaxBytes: 1_000, spoolWhenFull: 'drop-oldest' });
    await pipeline.submit([metric(0)]);
    await vi.waitFor(() => expect(sink.writes).toHaveLength(2)); // the replay of m:0 failed too; the loop sleeps
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (let i = 1; i < 8; i++) await pipeline.submit([metric(i)]);
    expect(await pipeline.flush(3_000)).toBe(true);
    const { accepted, delivered, dropped } = pipeline.stats();
    expect(ids(sink.stored)).not.toContain('m:0');
    expect(sink.stored.length).toBe(delivered);
    expect(delivered + dropped.spool_full_oldest!).toBe(accepted);
    await pipeline.shutdown(100);
  });

  it('drop-oldest deleting a batch of which a partial failure left a part: only that part is counted as dropped, and no other batch is taken for it', async () => {
    const sink = new TestSink();
    sink.answers.push(fail(refusedNet()), (records, s) => {
      s.stored.push(records[0]!);
      throw new DeliveryError('207: 1 of 3 stored', true, { remaining: records.slice(1) });
    });
    const pipeline = new DeliveryPipeline(sink, { retry: { initialDelayMs: 300, maxDelayMs: 300 }, spoolDir: tempDir(), spoolMaxBytes: 1_000, spoolWhenFull: 'drop-oldest' });
    await pipeline.submit(metrics(0, 3));
    await vi.waitFor(() => expect(sink.writes).toHaveLength(2));
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (let i = 3; i < 10; i++) await pipeline.submit([metric(i)]);
    expect(await pipeline.flush(3_000)).toBe(true);
    const { accepted, delivered, dropped } = pipeline.stats();
    const stored = ids(sink.stored);
    expect(stored.filter((id) => ['m:1', 'm:2'].includes(id))).toEqual([]);
    // Every batch written after the dropped one is a frame of its own, never the left-over part.
    for (const write of sink.writes.slice(2)) expect(write.some((id) => ['m:1', 'm:2'].includes(id))).toBe(false);
    expect(new Set(stored).size).toBe(stored.length);
    expect(sink.stored.length).toBe(delivered);
    expect(delivered + dropped.spool_full_oldest!).toBe(accepted);
    await pipeline.shutdown(100);
  });

  it('drop-oldest deleting the left-over part of a frame while that part is being written: each record counted once', async () => {
    for (const outcome of ['stored', 'failed'] as const) {
      const sink = new TestSink();
      const gate = deferred();
      sink.answers.push(
        fail(refusedNet()),
        (records, s) => {
          s.stored.push(records[0]!);
          throw new DeliveryError('207: 1 of 3 stored', true, { remaining: records.slice(1) });
        },
        after(gate.promise, outcome === 'stored' ? store : fail(refusedNet())),
      );
      const pipeline = new DeliveryPipeline(sink, { ...fast, spoolDir: tempDir(), spoolMaxBytes: 1_000, spoolWhenFull: 'drop-oldest' });
      await pipeline.submit(metrics(0, 3));
      await vi.waitFor(() => expect(sink.active).toBe(1)); // the retry of m:1 and m:2 is being written
      expect(sink.writes.at(-1)).toEqual(['m:1', 'm:2']);
      for (let i = 3; i < 10; i++) await pipeline.submit([metric(i)]);
      gate.resolve();
      expect(await pipeline.flush(2_000)).toBe(true);
      const { accepted, delivered, dropped } = pipeline.stats();
      expect(sink.stored.length).toBe(delivered);
      expect(delivered + dropped.spool_full_oldest!).toBe(accepted);
      expect(ids(sink.stored).includes('m:1')).toBe(outcome === 'stored');
      await pipeline.shutdown(100);
    }
  });

  it('a spool that cannot be written (its folder removed): the batch is dropped as spool_write_failed, with the error', async () => {
    const spoolDir = tempDir();
    const sink = new TestSink();
    const pipeline = new DeliveryPipeline(sink, { ...slow, spoolDir });
    rmSync(spoolDir, { recursive: true, force: true });
    sink.otherwise = fail(refusedNet());
    const error = await pipeline.submit([metric(1)]).catch((e: unknown) => e as DeliveryError);
    expect(error).toMatchObject({ reason: 'spool_write_failed', dropped: true });
    expect((error as DeliveryError).message).toMatch(/^dropped 1 records for sink store: spool_write_failed \(ENOENT/);
    expect(pipeline.stats()).toMatchObject({ dropped: { spool_write_failed: 1 } });
    expect(pipeline.stats().lastError).toMatch(/^ENOENT/);
  });

  it('a spooled batch that does not decode is counted and skipped; the next one is delivered', async () => {
    const spoolDir = tempDir();
    const spool = new FileSpool({ dir: join(spoolDir, 'store'), fsync: false });
    spool.append(Buffer.from('[{"type":"metric", not json'));
    spool.append(Buffer.from(JSON.stringify([metric(1)])));
    spool.close();
    const seen = captureDiag();
    const sink = new TestSink();
    const pipeline = new DeliveryPipeline(sink, { ...fast, spoolDir });
    expect(await pipeline.flush(2_000)).toBe(true);
    expect(ids(sink.stored)).toEqual(['m:1']);
    expect(pipeline.stats()).toMatchObject({ dropped: { spool_undecodable: 1 }, replayed: 1 });
    expect(seen).toContain('error mini-agent: a spooled batch of sink store does not decode; skipped');
    await pipeline.shutdown(100);
  });

  it('a batch refused for good on replay is rejected and skipped: the retry loop goes on with the next', async () => {
    const seen = captureDiag();
    const sink = new TestSink();
    sink.answers.push(fail(refusedNet()), fail(new DeliveryError('HTTP 400: bad', false, { reason: 'http_400' })));
    const pipeline = new DeliveryPipeline(sink, { ...fast, spoolDir: tempDir() });
    await pipeline.submit([metric(1)]);
    await pipeline.submit([metric(2)]);
    expect(await pipeline.flush(2_000)).toBe(true);
    expect(ids(sink.stored)).toEqual(['m:2']);
    expect(pipeline.stats()).toMatchObject({ rejected: { http_400: 1 }, replayed: 1, lastRejection: 'HTTP 400: bad' });
    expect(seen).toContain('error mini-agent: sink store refused 1 records for good: HTTP 400: bad');
    expect(seen.some((m) => m.includes('stopped unexpectedly'))).toBe(false);
    await pipeline.shutdown(100);
  });

  it('a replay that fails partly resends only what the sink named; delivered counts each record once', async () => {
    const sink = new TestSink();
    sink.answers.push(fail(refusedNet()), (records, s) => {
      s.stored.push(records[0]!);
      throw new DeliveryError('207: 2 of 3 failed', true, { remaining: [records[2]!], refused: { records: [records[1]!], reason: 'invalid_event', message: 'm:1 is invalid' } });
    });
    const pipeline = new DeliveryPipeline(sink, { ...fast, spoolDir: tempDir() });
    await pipeline.submit(metrics(0, 3));
    expect(await pipeline.flush(2_000)).toBe(true);
    expect(sink.writes).toEqual([['m:0', 'm:1', 'm:2'], ['m:0', 'm:1', 'm:2'], ['m:2']]);
    expect(ids(sink.stored)).toEqual(['m:0', 'm:2']);
    expect(pipeline.stats()).toMatchObject({ accepted: 3, delivered: 2, rejected: { invalid_event: 1 }, spoolBytes: 0 });
    await pipeline.shutdown(100);
  });

  it('retried counts the records tried again, the same with a spool as in memory', async () => {
    const script = (sink: TestSink) =>
      sink.answers.push(fail(refusedNet()), (records, s) => {
        s.stored.push(records[0]!);
        throw new DeliveryError('207: 1 of 3 stored', true, { remaining: records.slice(1) });
      }, fail(refusedNet()));
    const counts = [];
    for (const spoolDir of [undefined, tempDir()]) {
      const sink = new TestSink();
      script(sink);
      const pipeline = new DeliveryPipeline(sink, { ...fast, ...(spoolDir ? { spoolDir } : {}) });
      await pipeline.submit(metrics(0, 3));
      expect(await pipeline.flush(2_000)).toBe(true);
      expect(ids(sink.stored)).toEqual(['m:0', 'm:1', 'm:2']);
      counts.push(pipeline.stats().retried);
      await pipeline.shutdown(100);
    }
    // Memory: the held batch's attempts fail with 3 left, then 2; the spooled batch the same.
    expect(counts).toEqual([4, 4]);
  });

  it('a spool that cannot record a delivered batch is not a sink failure: the batch is sent again, nothing lost', async () => {
    const seen = captureDiag();
    const sink = new TestSink();
    sink.answers.push(fail(refusedNet()));
    const pipeline = new DeliveryPipeline(sink, { ...fast, spoolDir: tempDir() });
    const commit = vi.spyOn(FileSpool.prototype, 'commit').mockImplementationOnce(() => {
      throw new Error('EIO: i/o error, write');
    });
    await pipeline.submit(metrics(0, 2));
    expect(await pipeline.flush(2_000)).toBe(true);
    commit.mockRestore();
    expect(sink.writes).toEqual([['m:0', 'm:1'], ['m:0', 'm:1'], ['m:0', 'm:1']]);
    expect(pipeline.stats()).toMatchObject({ healthy: true, lastError: null, spoolBytes: 0 });
    expect(seen).toContain('error mini-agent: spool of sink store could not record a delivered batch; it will be sent again: EIO: i/o error, write');
    expect(seen.filter((m) => m.includes('failed, retrying'))).toHaveLength(1);
    await pipeline.shutdown(100);
  });

  it('canAccept: no once the spool holds 90 % of spoolMaxBytes', async () => {
    // A frame is the payload (the records' JSON) and an 8-byte header.
    const frame = Buffer.byteLength(JSON.stringify([metric(1)])) + 8;
    for (const [max, expected] of [
      [Math.ceil(frame / 0.9) + 1, true],
      [frame / 0.9, false],
    ] as const) {
      const sink = new TestSink();
      sink.otherwise = fail(refusedNet());
      const pipeline = new DeliveryPipeline(sink, { ...slow, spoolDir: tempDir(), spoolMaxBytes: max });
      await pipeline.submit([metric(1)]);
      expect(pipeline.stats().spoolBytes).toBe(frame);
      expect(pipeline.canAccept()).toBe(expected);
      await pipeline.shutdown(10);
    }
  });

  it('counts the torn frames it found in a leftover spool', async () => {
    const spoolDir = tempDir();
    const spool = new FileSpool({ dir: join(spoolDir, 'store'), fsync: false });
    spool.append(Buffer.from(JSON.stringify([metric(1)])));
    spool.close();
    const header = Buffer.alloc(8);
    header.writeUInt32LE(100, 0);
    appendFileSync(join(spoolDir, 'store', '00000000.seg'), Buffer.concat([header, Buffer.from('abc')]));
    const sink = new TestSink();
    const pipeline = new DeliveryPipeline(sink, { ...fast, spoolDir });
    expect(await pipeline.flush(2_000)).toBe(true);
    expect(pipeline.stats()).toMatchObject({ spoolTornFrames: 1, replayed: 1 });
    await pipeline.shutdown(100);
  });

  it('a spool that cannot be read (a segment removed): the sink counts as failing, with the error, until it can', async () => {
    const seen = captureDiag();
    const spoolDir = tempDir();
    const sink = new TestSink();
    sink.otherwise = fail(refusedNet());
    // Segments of a quarter of spoolMaxBytes: each batch below gets a segment of its own.
    const pipeline = new DeliveryPipeline(sink, { ...slow, spoolDir, spoolMaxBytes: 1_000 });
    await pipeline.submit([metric(1)]);
    await vi.waitFor(() => expect(sink.writes).toHaveLength(2), { timeout: 2_000, interval: 2 });
    await pipeline.submit([metric(2)]);
    rmSync(join(spoolDir, 'store', '00000001.seg'));
    sink.otherwise = store;
    expect(await pipeline.flush(100)).toBe(false);
    expect(ids(sink.stored)).toEqual(['m:1']);
    const { healthy, lastError } = pipeline.stats();
    expect(healthy).toBe(false);
    expect(lastError).toMatch(/^spool of sink store cannot be read: ENOENT/);
    expect(seen.at(-1)).toMatch(/^warn mini-agent: sink store failed, retrying with backoff: spool of sink store cannot be read: ENOENT/);
  });

  it('a retry loop that stops on an error of its own (the spool folder removed under it) says so', async () => {
    const seen = captureDiag();
    const spoolDir = tempDir();
    const sink = new TestSink();
    sink.otherwise = fail(refusedNet());
    const pipeline = new DeliveryPipeline(sink, { ...slow, spoolDir });
    await pipeline.submit([metric(1)]);
    await vi.waitFor(() => expect(sink.writes).toHaveLength(2), { timeout: 2_000, interval: 2 });
    rmSync(spoolDir, { recursive: true, force: true });
    sink.otherwise = fail(new DeliveryError('HTTP 400: bad', false, { reason: 'http_400' }));
    await pipeline.flush(100);
    await vi.waitFor(() => expect(seen).toContain('error mini-agent: delivery to sink store stopped unexpectedly'), { timeout: 1_000, interval: 2 });
  });

  it('a batch submitted at any moment of a replay is stored after the spooled ones', async () => {
    for (let hops = 0; hops < 12; hops++) {
      const spoolDir = tempDir();
      const down = new TestSink();
      down.otherwise = fail(refusedNet());
      const before = new DeliveryPipeline(down, { ...slow, spoolDir });
      await before.submit([metric(1)]);
      await before.submit([metric(2)]);
      await before.shutdown(10);

      const sink = new TestSink();
      const holder: { pipeline?: DeliveryPipeline; submitted?: Promise<void> } = {};
      sink.answers.push((records, s) => {
        store(records, s);
        // Submit a few microtasks after this write ends: between two replayed batches.
        let chain = Promise.resolve();
        for (let i = 0; i < hops; i++) chain = chain.then(() => {});
        void chain.then(() => (holder.submitted = holder.pipeline!.submit([metric(3)])));
      });
      holder.pipeline = new DeliveryPipeline(sink, { ...fast, spoolDir });
      await vi.waitFor(() => expect(holder.submitted).toBeDefined(), { timeout: 1_000, interval: 1 });
      await holder.submitted;
      expect(await holder.pipeline.flush(2_000)).toBe(true);
      expect(ids(sink.stored), `submitted ${hops} microtasks after the first replayed write`).toEqual(['m:1', 'm:2', 'm:3']);
      await holder.pipeline.shutdown(100);
    }
  });

  it('a spool that keeps failing to be read is tried again with a growing backoff', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(1);
    const failedReads: number[] = [];
    const peek = FileSpool.prototype.peek;
    vi.spyOn(FileSpool.prototype, 'peek').mockImplementation(function (this: FileSpool) {
      try {
        return peek.call(this);
      } catch (error) {
        failedReads.push(performance.now());
        throw error;
      }
    });
    const spoolDir = tempDir();
    const sink = new TestSink();
    sink.otherwise = fail(refusedNet());
    const pipeline = new DeliveryPipeline(sink, { retry: { initialDelayMs: 10, multiplier: 4, maxDelayMs: 1_000 }, spoolDir, spoolMaxBytes: 1_000 });
    await pipeline.submit([metric(1)]);
    await pipeline.submit([metric(2)]);
    rmSync(join(spoolDir, 'store', '00000001.seg'));
    sink.otherwise = store;
    await vi.waitFor(() => expect(failedReads).toHaveLength(3), { timeout: 2_000, interval: 2 });
    expect(ids(sink.stored)).toEqual(['m:1']);
    // Read attempt 1 waits 10 ms, attempt 2 waits 40 ms.
    expect(failedReads[2]! - failedReads[1]!).toBeGreaterThanOrEqual(35);
    await pipeline.shutdown(10);
  });
});
