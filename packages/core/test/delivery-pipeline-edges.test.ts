// The delivery pipeline at its edges: the exact counters and reasons of stats(), the messages users
// see through the OpenTelemetry diag logger, the batch splitting on "too large", the memory bounds
// at their thresholds, ordering while a write is in flight, and shutdown. With a spool:
// delivery-spool-pipeline.test.ts.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeliveryError, DeliveryPipeline, estimateBytes } from '../src/index.js';
import { after, captureDiag, cleanUp, deferred, fail, fast, ids, metric, metrics, refusedNet, slow, store, tempDir, TestSink, tick } from './delivery-test-sink.js';

afterEach(cleanUp);

describe('submit', () => {
  it('an empty batch is not written', async () => {
    const sink = new TestSink();
    const pipeline = new DeliveryPipeline(sink, fast);
    await pipeline.submit([]);
    expect(sink.writes).toEqual([]);
    expect(pipeline.stats()).toMatchObject({ accepted: 0, splitBatches: 0 });
  });

  it('a batch within the limits is written once, as one batch, and not counted as split', async () => {
    const sink = new TestSink();
    const pipeline = new DeliveryPipeline(sink, fast);
    await pipeline.submit(metrics(0, 3));
    expect(sink.writes).toEqual([['m:0', 'm:1', 'm:2']]);
    expect(pipeline.stats()).toMatchObject({ accepted: 3, delivered: 3, splitBatches: 0, retried: 0, replayed: 0, spooled: 0, spoolTornFrames: 0, spoolBytes: 0 });
  });

  it('a batch over maxBatchRecords counts one split; a part refused for good fails the submit with the first error, the other parts still go', async () => {
    const sink = new TestSink();
    const pipeline = new DeliveryPipeline(sink, { ...fast, maxBatchRecords: 2 });
    sink.answers.push(fail(new DeliveryError('bad first part', false, { reason: 'http_400' })), store, fail(new DeliveryError('bad last part', false, { reason: 'http_422' })));
    await expect(pipeline.submit(metrics(0, 5))).rejects.toThrow('bad first part');
    expect(sink.writes).toEqual([['m:0', 'm:1'], ['m:2', 'm:3'], ['m:4']]);
    expect(ids(sink.stored)).toEqual(['m:2', 'm:3']);
    expect(pipeline.stats()).toMatchObject({ splitBatches: 1, delivered: 2, rejected: { http_400: 2, http_422: 1 }, lastRejection: 'bad last part' });
  });

  it('after shutdown, a batch is dropped as `shutdown` without reaching the sink, and nothing more is accepted', async () => {
    const sink = new TestSink();
    const pipeline = new DeliveryPipeline(sink, fast);
    await pipeline.shutdown(100);
    expect(pipeline.canAccept()).toBe(false);
    await expect(pipeline.submit([metric(1)])).rejects.toMatchObject({ reason: 'shutdown', dropped: true, retryable: false, message: 'dropped 1 records for sink store: shutdown' });
    expect(sink.writes).toEqual([]);
    expect(pipeline.stats()).toMatchObject({ accepted: 1, dropped: { shutdown: 1 } });

    const spooling = new DeliveryPipeline(sink, { ...fast, spoolDir: tempDir() });
    await spooling.shutdown(100);
    expect(spooling.canAccept()).toBe(false);
  });
});

describe('errors a sink throws', () => {
  it('an unclassified error is retried, not rejected', async () => {
    const sink = new TestSink();
    sink.answers.push(fail(new Error('socket hang up')));
    const pipeline = new DeliveryPipeline(sink, fast);
    await pipeline.submit([metric(1)]);
    expect(await pipeline.flush(2_000)).toBe(true);
    expect(sink.writes).toEqual([['m:1'], ['m:1']]);
    expect(ids(sink.stored)).toEqual(['m:1']);
    expect(pipeline.stats()).toMatchObject({ delivered: 1, rejected: {} });
  });

  it('a permanent error without a reason is counted as `permanent`, and said once as an error', async () => {
    const seen = captureDiag();
    const sink = new TestSink();
    sink.otherwise = fail(new DeliveryError('no such table', false));
    const pipeline = new DeliveryPipeline(sink, fast);
    await expect(pipeline.submit(metrics(0, 2))).rejects.toThrow('no such table');
    expect(pipeline.stats()).toMatchObject({ rejected: { permanent: 2 }, lastRejection: 'no such table', lastError: 'no such table' });
    expect(seen).toEqual(['error mini-agent: sink store refused 2 records for good: no such table']);
  });

  it('a RangeError (the payload could not be built) splits the batch; one record alone is rejected as too_large', async () => {
    const sink = new TestSink();
    sink.otherwise = (records, s) => {
      if (records.length > 1) throw new RangeError('Invalid string length');
      if (ids(records)[0] === 'm:2') throw new RangeError('Invalid string length');
      store(records, s);
    };
    const pipeline = new DeliveryPipeline(sink, fast);
    await expect(pipeline.submit(metrics(0, 3))).rejects.toMatchObject({ message: 'batch too large for the sink: Invalid string length', retryable: false, reason: 'too_large' });
    expect(ids(sink.stored)).toEqual(['m:0', 'm:1']);
    // Only the record that could not be built alone is refused: the two stored count as delivered.
    expect(pipeline.stats()).toMatchObject({ delivered: 2, rejected: { too_large: 1 } });
  });

  it('a batch of two refused as too large is written again one record at a time', async () => {
    const sink = new TestSink();
    sink.otherwise = (records, s) => {
      if (records.length > 1) throw new DeliveryError('HTTP 413', false, { reason: 'too_large' });
      store(records, s);
    };
    const pipeline = new DeliveryPipeline(sink, fast);
    await pipeline.submit(metrics(0, 2));
    expect(sink.writes).toEqual([['m:0', 'm:1'], ['m:0'], ['m:1']]);
    expect(pipeline.stats()).toMatchObject({ delivered: 2, splitBatches: 1, rejected: {} });
  });

  it('a split batch whose second half fails retryably: only that half is retried, nothing is sent twice or lost', async () => {
    const sink = new TestSink();
    let outage = true;
    sink.otherwise = (records, s) => {
      if (records.length > 2) throw new DeliveryError('HTTP 413', false, { reason: 'too_large' });
      if (outage && ids(records).includes('m:3')) {
        outage = false;
        throw refusedNet();
      }
      store(records, s);
    };
    const pipeline = new DeliveryPipeline(sink, fast);
    await pipeline.submit(metrics(0, 4));
    expect(await pipeline.flush(2_000)).toBe(true);
    expect(sink.writes).toEqual([['m:0', 'm:1', 'm:2', 'm:3'], ['m:0', 'm:1'], ['m:2', 'm:3'], ['m:2', 'm:3']]);
    expect(ids(sink.stored)).toEqual(['m:0', 'm:1', 'm:2', 'm:3']);
    expect(pipeline.stats()).toMatchObject({ accepted: 4, delivered: 4, dropped: {}, rejected: {} });
  });

  it('a split batch whose first half fails retryably keeps that half and the untried one; a half that fails partly keeps what it names', async () => {
    const sink = new TestSink();
    let answer = 0;
    sink.otherwise = (records, s) => {
      if (records.length > 2) throw new DeliveryError('HTTP 413', false, { reason: 'too_large' });
      answer += 1;
      if (answer === 1) {
        // The first half: m:0 stored, m:1 to retry.
        s.stored.push(records[0]!);
        throw new DeliveryError('207: 1 of 2 failed', true, { remaining: [records[1]!] });
      }
      store(records, s);
    };
    const pipeline = new DeliveryPipeline(sink, fast);
    await pipeline.submit(metrics(0, 4));
    expect(await pipeline.flush(2_000)).toBe(true);
    expect(sink.writes).toEqual([['m:0', 'm:1', 'm:2', 'm:3'], ['m:0', 'm:1'], ['m:1', 'm:2', 'm:3'], ['m:1', 'm:2'], ['m:3']]);
    expect(ids(sink.stored)).toEqual(['m:0', 'm:1', 'm:2', 'm:3']);
    expect(pipeline.stats()).toMatchObject({ delivered: 4, dropped: {}, rejected: {} });
  });

  it('a half refused for good rejects the batch: it is not retried', async () => {
    const sink = new TestSink();
    sink.otherwise = (records, s) => {
      if (records.length > 2) throw new DeliveryError('HTTP 413', false, { reason: 'too_large' });
      if (ids(records).includes('m:3')) throw new DeliveryError('HTTP 400: bad m:3', false, { reason: 'http_400' });
      store(records, s);
    };
    const pipeline = new DeliveryPipeline(sink, fast);
    await expect(pipeline.submit(metrics(0, 4))).rejects.toThrow('HTTP 400: bad m:3');
    expect(await pipeline.flush(500)).toBe(true);
    expect(sink.writes).toEqual([['m:0', 'm:1', 'm:2', 'm:3'], ['m:0', 'm:1'], ['m:2', 'm:3']]);
    expect(pipeline.stats()).toMatchObject({ retried: 0, queuedRecords: 0, healthy: true, delivered: 2, rejected: { http_400: 2 } });
  });

  it('a first half refused for good does not stop the second half: it is written, and only the refused half is rejected', async () => {
    const sink = new TestSink();
    sink.otherwise = (records, s) => {
      if (records.length > 2) throw new DeliveryError('HTTP 413', false, { reason: 'too_large' });
      if (ids(records).includes('m:0')) throw new DeliveryError('HTTP 400: bad m:0', false, { reason: 'http_400' });
      store(records, s);
    };
    const pipeline = new DeliveryPipeline(sink, fast);
    await expect(pipeline.submit(metrics(0, 4))).rejects.toMatchObject({ message: 'HTTP 400: bad m:0', retryable: false, reason: 'http_400' });
    expect(sink.writes).toEqual([['m:0', 'm:1', 'm:2', 'm:3'], ['m:0', 'm:1'], ['m:2', 'm:3']]);
    expect(ids(sink.stored)).toEqual(['m:2', 'm:3']);
    expect(pipeline.stats()).toMatchObject({ accepted: 4, delivered: 2, rejected: { http_400: 2 }, dropped: {}, queuedRecords: 0 });
  });

  it('refusals deep in a split are counted record by record, each part keeping its own records', async () => {
    const sink = new TestSink();
    sink.otherwise = (records, s) => {
      if (records.length > 1) throw new DeliveryError('HTTP 413', false, { reason: 'too_large' });
      if (['m:1', 'm:4'].includes(ids(records)[0]!)) throw new DeliveryError(`HTTP 422: ${ids(records)[0]}`, false, { reason: 'http_422' });
      store(records, s);
    };
    const pipeline = new DeliveryPipeline(sink, fast);
    await expect(pipeline.submit(metrics(0, 6))).rejects.toThrow('HTTP 422: m:1');
    expect(ids(sink.stored)).toEqual(['m:0', 'm:2', 'm:3', 'm:5']);
    expect(pipeline.stats()).toMatchObject({ delivered: 4, rejected: { http_422: 2 }, lastRejection: 'HTTP 422: m:1' });
  });

  it('a first half refused for good and a second half failing retryably: the refusal is counted, only the second half is retried', async () => {
    const sink = new TestSink();
    let outage = true;
    sink.otherwise = (records, s) => {
      if (records.length > 2) throw new DeliveryError('HTTP 413', false, { reason: 'too_large' });
      if (ids(records).includes('m:0')) throw new DeliveryError('HTTP 400: bad m:0', false, { reason: 'http_400' });
      if (outage) {
        outage = false;
        throw refusedNet();
      }
      store(records, s);
    };
    const pipeline = new DeliveryPipeline(sink, fast);
    await pipeline.submit(metrics(0, 4));
    expect(pipeline.stats()).toMatchObject({ rejected: { http_400: 2 }, queuedRecords: 2, delivered: 0 });
    expect(await pipeline.flush(2_000)).toBe(true);
    expect(sink.writes).toEqual([['m:0', 'm:1', 'm:2', 'm:3'], ['m:0', 'm:1'], ['m:2', 'm:3'], ['m:2', 'm:3']]);
    expect(ids(sink.stored)).toEqual(['m:2', 'm:3']);
    expect(pipeline.stats()).toMatchObject({ accepted: 4, delivered: 2, rejected: { http_400: 2 }, dropped: {}, queuedRecords: 0 });
  });
});

describe('partial failures', () => {
  it('what is in neither `remaining` nor `refused` counts as delivered; refused records are rejected by their reason', async () => {
    const seen = captureDiag();
    const sink = new TestSink();
    sink.answers.push((records, s) => {
      s.stored.push(records[0]!, records[3]!);
      throw new DeliveryError('207: 2 of 4 failed', true, { remaining: [records[1]!], refused: { records: [records[2]!], reason: 'invalid_event', message: 'event m:2 is invalid' } });
    });
    const pipeline = new DeliveryPipeline(sink, fast);
    await pipeline.submit(metrics(0, 4));
    expect(pipeline.stats()).toMatchObject({ delivered: 2, rejected: { invalid_event: 1 }, lastRejection: 'event m:2 is invalid', queuedRecords: 1 });
    expect(seen).toContain('error mini-agent: sink store refused 1 records for good: event m:2 is invalid');
    expect(await pipeline.flush(2_000)).toBe(true);
    expect(sink.writes).toEqual([['m:0', 'm:1', 'm:2', 'm:3'], ['m:1']]);
    expect(pipeline.stats()).toMatchObject({ delivered: 3, rejected: { invalid_event: 1 }, queuedRecords: 0 });
  });

  it('an empty `refused` list rejects nothing', async () => {
    const sink = new TestSink();
    sink.answers.push(() => {
      throw new DeliveryError('207', true, { remaining: [], refused: { records: [], reason: 'invalid_event', message: 'none' } });
    });
    const pipeline = new DeliveryPipeline(sink, fast);
    await pipeline.submit(metrics(0, 2));
    expect(pipeline.stats()).toMatchObject({ delivered: 2, rejected: {}, lastRejection: null });
  });

  it('a retry that fails partly keeps only what it names: queued count and next write shrink to it', async () => {
    const sink = new TestSink();
    const gate = deferred();
    sink.answers.push(fail(refusedNet()), (records, s) => {
      s.stored.push(records[0]!, records[2]!);
      throw new DeliveryError('207: 1 of 3 failed', true, { remaining: [records[1]!] });
    }, after(gate.promise));
    const pipeline = new DeliveryPipeline(sink, fast);
    await pipeline.submit(metrics(0, 3));
    await vi.waitFor(() => expect(sink.writes).toHaveLength(3), { timeout: 2_000, interval: 2 });
    expect(pipeline.stats()).toMatchObject({ queuedRecords: 1, delivered: 2 });
    gate.resolve();
    expect(await pipeline.flush(2_000)).toBe(true);
    expect(sink.writes).toEqual([['m:0', 'm:1', 'm:2'], ['m:0', 'm:1', 'm:2'], ['m:1']]);
    expect(pipeline.stats()).toMatchObject({ queuedRecords: 0, delivered: 3 });
  });
});

describe('retries off', () => {
  it('a retryable failure is dropped as failed_without_retry, with the sink error as detail; a partial one drops only what it names', async () => {
    const seen = captureDiag();
    const sink = new TestSink();
    sink.answers.push(fail(refusedNet()), (records, s) => {
      s.stored.push(records[0]!);
      throw new DeliveryError('207: 1 of 2 failed', true, { remaining: [records[1]!] });
    });
    const pipeline = new DeliveryPipeline(sink, { retries: false });
    await expect(pipeline.submit(metrics(0, 3))).rejects.toMatchObject({
      message: 'dropped 3 records for sink store: failed_without_retry (connect ECONNREFUSED)',
      reason: 'failed_without_retry',
      dropped: true,
      retryable: false,
    });
    expect(pipeline.stats()).toMatchObject({ dropped: { failed_without_retry: 3 }, lastError: 'connect ECONNREFUSED', queuedRecords: 0 });
    expect(seen).toEqual(['warn mini-agent: dropped 3 records for sink store: failed_without_retry (connect ECONNREFUSED)']);
    await expect(pipeline.submit(metrics(3, 5))).rejects.toThrow('dropped 1 records for sink store: failed_without_retry (207: 1 of 2 failed)');
    expect(pipeline.stats()).toMatchObject({ dropped: { failed_without_retry: 4 }, delivered: 1 });
    expect(sink.writes).toHaveLength(2);
  });
});

describe('what users see while a sink fails and recovers', () => {
  it('one warning when it starts failing, one info when it delivers again; retries count each record tried again', async () => {
    const seen = captureDiag();
    const sink = new TestSink();
    sink.answers.push(fail(refusedNet()), fail(refusedNet()), fail(refusedNet()));
    const pipeline = new DeliveryPipeline(sink, fast);
    await pipeline.submit(metrics(0, 2));
    expect(pipeline.stats()).toMatchObject({ healthy: false, lastError: 'connect ECONNREFUSED' });
    expect(await pipeline.flush(2_000)).toBe(true);
    expect(seen).toEqual(['warn mini-agent: sink store failed, retrying with backoff: connect ECONNREFUSED', 'info mini-agent: sink store is delivering again']);
    // The first write is not a retry; the drain's two failed attempts are, 2 records each.
    expect(pipeline.stats()).toMatchObject({ healthy: true, lastError: null, delivered: 2, retried: 4, replayed: 0 });
    await pipeline.submit([metric(9)]);
    expect(seen).toHaveLength(2);
  });

  it('retries on its own after the backoff, without a flush', async () => {
    const sink = new TestSink();
    sink.answers.push(fail(refusedNet()), fail(refusedNet()));
    const pipeline = new DeliveryPipeline(sink, fast);
    await pipeline.submit([metric(1)]);
    await vi.waitFor(() => expect(ids(sink.stored)).toEqual(['m:1']), { timeout: 2_000, interval: 5 });
  });

  it('the backoff grows from one attempt to the next', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(1);
    const sink = new TestSink();
    const times: number[] = [];
    sink.otherwise = (records, s) => {
      times.push(performance.now());
      if (times.length < 4) throw refusedNet();
      store(records, s);
    };
    const pipeline = new DeliveryPipeline(sink, { retry: { initialDelayMs: 10, multiplier: 4, maxDelayMs: 1_000 } });
    await pipeline.submit([metric(1)]);
    await vi.waitFor(() => expect(times).toHaveLength(4), { timeout: 2_000, interval: 2 });
    // Attempt 1 waits 10 ms, attempt 2 waits 40 ms.
    expect(times[3]! - times[2]!).toBeGreaterThanOrEqual(35);
  });

  it('flush wakes a retry sleeping through a long backoff', async () => {
    const sink = new TestSink();
    sink.answers.push(fail(refusedNet()), fail(refusedNet()));
    const pipeline = new DeliveryPipeline(sink, slow);
    await pipeline.submit([metric(1)]);
    // The failed write, then the retry loop's first attempt; then it sleeps a minute.
    await vi.waitFor(() => expect(sink.writes).toHaveLength(2), { timeout: 2_000, interval: 2 });
    const started = Date.now();
    expect(await pipeline.flush(2_000)).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(ids(sink.stored)).toEqual(['m:1']);
  });

  it('flush waits through failed attempts until everything is delivered', async () => {
    const sink = new TestSink();
    sink.answers.push(fail(refusedNet()), fail(refusedNet()), fail(refusedNet()), fail(refusedNet()));
    const pipeline = new DeliveryPipeline(sink, fast);
    await pipeline.submit([metric(1)]);
    expect(await pipeline.flush(2_000)).toBe(true);
    expect(ids(sink.stored)).toEqual(['m:1']);
  });

  it('flush of an idle pipeline is true at once', async () => {
    const pipeline = new DeliveryPipeline(new TestSink(), fast);
    const started = Date.now();
    expect(await pipeline.flush(300)).toBe(true);
    expect(Date.now() - started).toBeLessThan(200);
  });

  it('a second outage after a recovery is held and delivered too (memory bound freed by the first)', async () => {
    const sink = new TestSink();
    const bytes = estimateBytes(metric(1)) * 2;
    const pipeline = new DeliveryPipeline(sink, { ...fast, maxQueuedBytes: bytes });
    for (const round of [0, 1, 2]) {
      sink.answers.push(fail(refusedNet()));
      await pipeline.submit(metrics(round * 2, round * 2 + 2));
      expect(pipeline.stats().queuedRecords).toBe(2);
      expect(await pipeline.flush(1_000)).toBe(true);
    }
    expect(ids(sink.stored)).toEqual(ids(metrics(0, 6)));
    expect(pipeline.stats()).toMatchObject({ dropped: {}, delivered: 6 });
  });

  it('while failing, a new batch waits for the retry: no extra attempt before the backoff ends', async () => {
    const sink = new TestSink();
    sink.otherwise = fail(refusedNet());
    const pipeline = new DeliveryPipeline(sink, slow);
    await pipeline.submit([metric(1)]);
    // The failed write, then the retry loop's first attempt; then it sleeps a minute.
    await vi.waitFor(() => expect(sink.writes).toHaveLength(2), { timeout: 2_000, interval: 2 });
    await pipeline.submit([metric(2)]);
    await pipeline.submit([metric(3)]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sink.writes).toHaveLength(2);
    expect(pipeline.stats()).toMatchObject({ queuedRecords: 3, healthy: false });
    sink.otherwise = store;
    expect(await pipeline.flush(1_000)).toBe(true);
    expect(ids(sink.stored)).toEqual(['m:1', 'm:2', 'm:3']);
  });

  it('after a failed batch was dropped (queue full), the next batch is held for the retry loop, not written ahead of it', async () => {
    const sink = new TestSink();
    sink.otherwise = fail(refusedNet());
    const pipeline = new DeliveryPipeline(sink, { ...slow, maxQueuedRecords: 1 });
    await expect(pipeline.submit(metrics(0, 2))).rejects.toThrow('dropped 2 records for sink store: queue_full');
    expect(sink.writes).toHaveLength(1);
    await pipeline.submit([metric(5)]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Held, and tried once by the retry loop (which then sleeps a minute).
    expect(sink.writes).toEqual([['m:0', 'm:1'], ['m:5']]);
    await pipeline.shutdown(10);
  });
});

describe('one write at a time, in order', () => {
  it('a batch submitted while a write is in flight waits for it; one held after a failure goes back to the front', async () => {
    const sink = new TestSink();
    const gate = deferred();
    sink.answers.push(after(gate.promise, fail(refusedNet())));
    const pipeline = new DeliveryPipeline(sink, fast);
    const first = pipeline.submit([metric(1)]);
    await pipeline.submit([metric(2)]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sink.writes).toEqual([['m:1']]);
    gate.resolve();
    await first;
    expect(await pipeline.flush(2_000)).toBe(true);
    expect(sink.maxActive).toBe(1);
    expect(ids(sink.stored)).toEqual(['m:1', 'm:2']);
  });

  it('a batch submitted just after a write finished still waits behind the ones held during it', async () => {
    const sink = new TestSink();
    const gate = deferred();
    sink.answers.push(after(gate.promise));
    const pipeline = new DeliveryPipeline(sink, fast);
    const first = pipeline.submit([metric(1)]);
    await pipeline.submit([metric(2)]);
    gate.resolve();
    await first;
    await pipeline.submit([metric(3)]);
    expect(await pipeline.flush(2_000)).toBe(true);
    expect(ids(sink.stored)).toEqual(['m:1', 'm:2', 'm:3']);
    expect(sink.maxActive).toBe(1);
  });

  it('flush resolves only once the held batches are delivered too, not when the write in flight ends', async () => {
    const sink = new TestSink();
    const gate = deferred();
    const second = deferred();
    sink.answers.push(after(gate.promise), after(second.promise));
    const pipeline = new DeliveryPipeline(sink, fast);
    void pipeline.submit([metric(1)]);
    await pipeline.submit([metric(2)]);
    let flushed: boolean | undefined;
    const flushing = pipeline.flush(2_000).then((ok) => (flushed = ok));
    gate.resolve();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(flushed).toBeUndefined();
    second.resolve();
    await flushing;
    expect(flushed).toBe(true);
    expect(ids(sink.stored)).toEqual(['m:1', 'm:2']);
  });
});

describe('memory bounds', () => {
  const size = estimateBytes(metric(1));

  it('maxQueuedBytes: a batch that fills the bound exactly is held, one more byte is dropped as queue_full', async () => {
    const seen = captureDiag();
    const sink = new TestSink();
    sink.otherwise = fail(refusedNet());
    const pipeline = new DeliveryPipeline(sink, { ...slow, maxQueuedBytes: 3 * size });
    await pipeline.submit(metrics(0, 3));
    expect(pipeline.stats().queuedRecords).toBe(3);
    await expect(pipeline.submit([metric(3)])).rejects.toMatchObject({ message: 'dropped 1 records for sink store: queue_full', reason: 'queue_full', dropped: true, retryable: false });
    expect(pipeline.stats()).toMatchObject({ dropped: { queue_full: 1 }, queuedRecords: 3, lastError: 'connect ECONNREFUSED' });
    expect(seen).toContain('warn mini-agent: dropped 1 records for sink store: queue_full');
    await pipeline.shutdown(10);
  });

  it('maxQueuedBytes counts what a partial failure left, not the whole batch', async () => {
    const sink = new TestSink();
    sink.answers.push((records, s) => {
      s.stored.push(records[0]!, records[1]!);
      throw new DeliveryError('207', true, { remaining: [records[2]!] });
    });
    sink.otherwise = fail(refusedNet());
    const pipeline = new DeliveryPipeline(sink, { ...slow, maxQueuedBytes: 2 * size });
    await pipeline.submit(metrics(0, 3));
    expect(pipeline.stats()).toMatchObject({ queuedRecords: 1, dropped: {}, delivered: 2 });
    await pipeline.shutdown(10);
  });

  it('two held batches within the bound each, over it together: the second is dropped', async () => {
    const sink = new TestSink();
    sink.otherwise = fail(refusedNet());
    const pipeline = new DeliveryPipeline(sink, { ...slow, maxQueuedBytes: 3 * size });
    await pipeline.submit(metrics(0, 2));
    await expect(pipeline.submit(metrics(2, 4))).rejects.toThrow('queue_full');
    expect(pipeline.stats()).toMatchObject({ queuedRecords: 2, dropped: { queue_full: 2 } });
    await pipeline.shutdown(10);
  });

  it('canAccept: no once 90 % of maxQueuedRecords are held, even while healthy', async () => {
    const sink = new TestSink();
    const gate = deferred();
    sink.answers.push(after(gate.promise));
    const pipeline = new DeliveryPipeline(sink, { ...fast, maxQueuedRecords: 10 });
    const first = pipeline.submit([metric(0)]);
    await pipeline.submit(metrics(1, 9));
    expect(pipeline.stats()).toMatchObject({ queuedRecords: 8, healthy: true });
    expect(pipeline.canAccept()).toBe(true);
    await pipeline.submit([metric(9)]);
    expect(pipeline.stats().queuedRecords).toBe(9);
    expect(pipeline.canAccept()).toBe(false);
    gate.resolve();
    await first;
    expect(await pipeline.flush(2_000)).toBe(true);
    expect(pipeline.canAccept()).toBe(true);
  });

  it('shutdown while a retry is being written: the held records are dropped, and the write ending later changes no count', async () => {
    for (const ending of [store, fail(new DeliveryError('207', true, { remaining: [metric(1)] }))]) {
      const sink = new TestSink();
      const gate = deferred();
      sink.answers.push(fail(refusedNet()), after(gate.promise, ending));
      const pipeline = new DeliveryPipeline(sink, { ...fast, maxQueuedRecords: 5 });
      await pipeline.submit(metrics(0, 3));
      await vi.waitFor(() => expect(sink.writes).toHaveLength(2), { timeout: 2_000, interval: 2 });
      await pipeline.shutdown(10);
      expect(pipeline.stats()).toMatchObject({ queuedRecords: 0, dropped: { shutdown: 3 } });
      // Nothing is held any more, but the sink is still being written to.
      expect(await pipeline.flush(20)).toBe(false);
      gate.resolve();
      await tick();
      expect(pipeline.stats().queuedRecords).toBe(0);
      expect(await pipeline.flush(100)).toBe(true);
    }
  });

  it('a hung sink at shutdown without a spool: its records are said to be lost, and counted', async () => {
    const seen = captureDiag();
    const sink = new TestSink();
    sink.otherwise = () => new Promise(() => {});
    const pipeline = new DeliveryPipeline(sink, fast);
    void pipeline.submit(metrics(0, 2));
    await pipeline.shutdown(20);
    expect(seen).toEqual([
      'warn mini-agent: sink store still writing 2 records at shutdown; counted as dropped (in_flight_at_shutdown), though the write may still complete',
    ]);
    expect(pipeline.stats().dropped).toEqual({ in_flight_at_shutdown: 2 });
  });
});
