import { diag } from '@opentelemetry/api';
import { join } from 'node:path';
import type { AgentRecord } from '../records.js';
import { DeliveryError, type RecordSink } from '../sink.js';
import { retryDelay, WakeableSleep } from './backoff.js';
import { asDeliveryError, batchBytes, splitBatch, type Batch } from './batches.js';
import { writeSplittingTooLarge } from './split-write.js';
import type { DeliveryOptions, DeliveryStats } from './delivery-options.js';
import { encodeRecords, recordCount } from './record-codec.js';
import { SpoolHead, type HeldBatch } from './spool-head.js';
import { FileSpool, type SpoolAppendResult } from './spool.js';

export { DEFAULT_SPOOL_DIR, type DeliveryOptions, type DeliveryStats } from './delivery-options.js';
export { estimateBytes } from './batches.js';

/**
 * Delivers record batches to one sink, in order, without ever losing one silently: retries with
 * exponential backoff and jitter (honouring Retry-After), splits retryable from permanent errors,
 * bounds memory, and spools to disk when configured. The agent never waits on it beyond the
 * sink's own write time.
 */
export class DeliveryPipeline {
  private readonly queue: Batch[] = [];
  private readonly spool: FileSpool | undefined;
  private readonly counters: DeliveryStats;
  private readonly idleWaiters = new Set<() => void>();
  private readonly failureWaiters = new Set<() => void>();
  private queuedBytes = 0;
  private busy = false;
  private draining = false;
  private attempt = 0;
  /** The retry loop's wait between attempts, which flush and shutdown cut short. */
  private readonly backoff = new WakeableSleep();
  private closed = false;
  /** Records of the write the submit path is making right now (for shutdown). */
  private inFlight: readonly AgentRecord[] | undefined;
  private readonly spoolHead: SpoolHead | undefined;

  constructor(
    readonly sink: RecordSink,
    private readonly options: DeliveryOptions = {},
  ) {
    this.counters = {
      accepted: 0,
      delivered: 0,
      retried: 0,
      spooled: 0,
      replayed: 0,
      dropped: {},
      rejected: {},
      splitBatches: 0,
      queuedRecords: 0,
      spoolBytes: 0,
      spoolTornFrames: 0,
      healthy: true,
      lastError: null,
      lastRejection: null,
    };
    if (options.spoolDir) {
      this.spool = new FileSpool({
        dir: join(options.spoolDir, sink.name),
        maxBytes: options.spoolMaxBytes,
        whenFull: options.spoolWhenFull,
      });
      this.spoolHead = new SpoolHead(this.spool, () => {
        this.addTo('dropped', 'spool_undecodable', 1);
        diag.error(`mini-agent: a spooled batch of sink ${this.sink.name} does not decode; skipped`);
      });
      if (!this.spool.isEmpty) {
        // Left over from an earlier run: replay it before anything new.
        this.counters.healthy = false;
        this.startDraining();
      }
    }
  }

  /**
   * Hands a batch over. Resolves once the sink stored it, or it is safely queued (spooled to
   * disk when a spool is configured, else held in memory); rejects with a permanent
   * {@link DeliveryError} when the sink refused it, or when it had to be dropped.
   */
  async submit(records: readonly AgentRecord[]): Promise<void> {
    if (records.length === 0) return;
    this.counters.accepted += records.length;
    if (this.closed) return this.drop(records, 'shutdown');
    const chunks = splitBatch(records, this.options.maxBatchRecords ?? 10_000, this.options.maxBatchBytes ?? 16 * 1024 ** 2);
    if (chunks.length === 1) return this.submitChunk(chunks[0]!);
    this.counters.splitBatches += 1;
    let failure: unknown;
    for (const chunk of chunks) {
      try {
        await this.submitChunk(chunk);
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== undefined) throw failure;
  }

  private async submitChunk({ records, bytes }: Batch): Promise<void> {
    const backlog = this.busy || this.queue.length > 0 || (this.spool !== undefined && !this.spool.isEmpty);
    if (!this.counters.healthy || backlog) return this.hold(records, bytes);
    this.busy = true;
    this.inFlight = records;
    try {
      await this.write(records);
      this.delivered(records.length);
    } catch (error) {
      const failure = asDeliveryError(error);
      if (!failure.retryable) return this.reject(records, failure);
      this.countPartial(records, failure);
      if (this.options.retries === false) return this.drop(failure.remaining ?? records, 'failed_without_retry', failure.message);
      this.unhealthy(failure);
      const remaining = failure.remaining ?? records;
      return this.hold(remaining, remaining === records ? bytes : batchBytes(remaining), true);
    } finally {
      this.busy = false;
      this.inFlight = undefined;
      this.notifyIdle();
    }
  }

  /** One write to the sink; a batch it finds too large is written in halves (see {@link writeSplittingTooLarge}). */
  private write(records: readonly AgentRecord[]): Promise<void> {
    return writeSplittingTooLarge((batch) => this.sink.write(batch), records, () => {
      this.counters.splitBatches += 1;
    });
  }

  /** Waits until everything held is delivered, or `timeoutMs` passes. Wakes a sleeping retry. */
  flush(timeoutMs = 10_000): Promise<boolean> {
    return this.waitIdle(timeoutMs, false);
  }

  /** Resolves true once idle; false at the timeout, or (with `stopAtFailure`) at the next failed attempt. */
  private waitIdle(timeoutMs: number, stopAtFailure: boolean): Promise<boolean> {
    if (this.isIdle()) return Promise.resolve(true);
    this.backoff.wakeUp();
    return new Promise<boolean>((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.idleWaiters.delete(onIdle);
        this.failureWaiters.delete(onFailure);
        resolve(ok);
      };
      const onIdle = () => done(true);
      const onFailure = () => done(false);
      // Not unref'd: whoever awaits a flush (a shutdown at exit) is kept alive until it is done or times out.
      const timer = setTimeout(() => done(false), timeoutMs);
      this.idleWaiters.add(onIdle);
      if (stopAtFailure) this.failureWaiters.add(onFailure);
    });
  }

  /**
   * Delivers what it can within `timeoutMs`, then stops. What is still held in memory is
   * counted as dropped (`shutdown`); what is spooled stays on disk for the next start.
   */
  async shutdown(timeoutMs = 10_000): Promise<void> {
    // With a spool, what is held is already on disk: one more try, and a sink that still fails
    // leaves it there for the next start instead of holding the process for the whole timeout.
    const flushed = await this.waitIdle(timeoutMs, this.spool !== undefined);
    this.closed = true;
    this.backoff.wakeUp();
    for (const batch of this.queue.splice(0)) this.addTo('dropped', 'shutdown', batch.records.length);
    this.counters.queuedRecords = 0;
    this.queuedBytes = 0;
    const stuck = this.inFlight;
    if (!flushed && stuck) {
      // A write to a hung sink is still running: with a spool its records go to disk too, to be
      // replayed on the next start (delivering them twice is harmless: writes are idempotent).
      if (this.spool && this.spool.append(encodeRecords(stuck)).written) {
        this.counters.spooled += stuck.length;
        diag.warn(`mini-agent: sink ${this.sink.name} still writing ${stuck.length} records at shutdown; spooled them for the next start`);
      } else {
        // Counted as lost now: the process is about to end, and what ends with it is never known.
        this.addTo('dropped', 'in_flight_at_shutdown', stuck.length);
        diag.warn(
          `mini-agent: sink ${this.sink.name} still writing ${stuck.length} records at shutdown; counted as dropped (in_flight_at_shutdown), though the write may still complete`,
        );
      }
    }
    this.spool?.close();
  }

  /**
   * Whether a new batch can be taken without waiting in memory behind a failure: the sink is
   * healthy, or a spool holds what it cannot take and has room (a tenth of its bound left).
   */
  canAccept(): boolean {
    if (this.closed) return false;
    if (this.spool) return this.spool.pendingBytes < (this.options.spoolMaxBytes ?? 1024 ** 3) * 0.9;
    const maxRecords = this.options.maxQueuedRecords ?? 100_000;
    return this.counters.healthy && this.counters.queuedRecords < maxRecords * 0.9;
  }

  /** Counters since the pipeline started, and what it holds now. */
  stats(): DeliveryStats {
    return {
      ...this.counters,
      dropped: { ...this.counters.dropped },
      rejected: { ...this.counters.rejected },
      spoolBytes: this.spool?.pendingBytes ?? 0,
      spoolTornFrames: this.spool?.tornFrames ?? 0,
    };
  }

  /** Keeps a batch for later: on disk when spooling, else in memory within the bounds. */
  private hold(records: readonly AgentRecord[], bytes: number, atFront = false): void {
    if (this.spool) {
      let appended: SpoolAppendResult;
      try {
        appended = this.spool.append(encodeRecords(records));
      } catch (error) {
        // The disk is full or the folder went away: nothing was acknowledged, so the caller hears of it.
        return this.drop(records, 'spool_write_failed', error instanceof Error ? error.message : String(error));
      }
      const { written, dropped } = appended;
      if (dropped.length > 0) {
        // A frame being written as it was deleted is counted by how that write ends, not here.
        const lost = dropped.reduce((n, payload) => n + recordCount(payload), 0) - (this.spoolHead?.claimEvicted() ?? 0);
        this.addTo('dropped', 'spool_full_oldest', lost);
        diag.warn(`mini-agent: spool of sink ${this.sink.name} is full: dropped the ${lost} oldest records to make room`);
      }
      if (!written) return this.drop(records, 'spool_full');
      this.counters.spooled += records.length;
    } else {
      const maxRecords = this.options.maxQueuedRecords ?? 100_000;
      const maxBytes = this.options.maxQueuedBytes ?? 64 * 1024 ** 2;
      if (this.counters.queuedRecords + records.length > maxRecords || this.queuedBytes + bytes > maxBytes) {
        return this.drop(records, 'queue_full');
      }
      if (atFront) this.queue.unshift({ records, bytes });
      else this.queue.push({ records, bytes });
      this.counters.queuedRecords += records.length;
      this.queuedBytes += bytes;
    }
    this.startDraining();
  }

  private startDraining(): void {
    if (this.draining || this.closed) return;
    this.draining = true;
    void this.drain()
      .catch((error: unknown) => diag.error(`mini-agent: delivery to sink ${this.sink.name} stopped unexpectedly`, error))
      .finally(() => {
        this.draining = false;
        this.notifyIdle();
      });
  }

  /** Delivers held batches oldest first; sleeps between failed attempts. Never rejects. */
  private async drain(): Promise<void> {
    while (!this.closed) {
      if (this.busy) {
        await this.backoff.sleep(5);
        continue;
      }
      const delay = await this.deliverNext();
      if (delay === undefined) return;
      if (delay > 0) await this.backoff.sleep(delay);
    }
  }

  /**
   * One attempt at the oldest held batch: undefined when nothing is held, else how long to wait
   * before the next attempt (0: at once). In its own frame so that nothing of the batch stays
   * reachable while the loop sleeps: a spooled batch is read again from disk at the next attempt,
   * instead of a decoded copy of it living through a long outage (and being promoted to V8's old space).
   */
  private async deliverNext(): Promise<number | undefined> {
    let next: HeldBatch | undefined;
    try {
      next = this.next();
    } catch (error) {
      // The spool could not be read (its folder removed, a disk error): report it and try again later.
      this.unhealthy(new DeliveryError(`spool of sink ${this.sink.name} cannot be read: ${(error as Error).message}`, true));
      this.attempt += 1;
      return retryDelay(this.attempt, this.options.retry);
    }
    if (!next) {
      this.counters.healthy = true;
      return undefined;
    }
    this.busy = true;
    try {
      await this.write(next.records);
    } catch (error) {
      const failure = asDeliveryError(error);
      if (!failure.retryable) {
        this.reject(next.records, failure, false);
        next.done();
        return 0;
      }
      this.unhealthy(failure);
      this.countPartial(next.records, failure);
      const retrying = failure.remaining ?? next.records;
      if (next.evicted) {
        // drop-oldest deleted it from the spool during this write, leaving it uncounted: lost now.
        this.addTo('dropped', 'spool_full_oldest', retrying.length);
        return 0;
      }
      if (failure.remaining) next.replace(failure.remaining);
      this.counters.retried += retrying.length;
      this.attempt += 1;
      return retryDelay(this.attempt, this.options.retry, failure.retryAfterMs);
    } finally {
      this.busy = false;
      next.settle();
    }
    this.delivered(next.records.length);
    if (next.fromSpool) this.counters.replayed += next.records.length;
    try {
      next.done();
    } catch (error) {
      // Stored, but the spool's cursor could not be moved past it (a disk error): not a sink failure.
      // The frame is still the oldest, so it is written again (harmless: writes are idempotent).
      diag.error(`mini-agent: spool of sink ${this.sink.name} could not record a delivered batch; it will be sent again: ${(error as Error).message}`);
      this.attempt += 1;
      return retryDelay(this.attempt, this.options.retry);
    }
    return 0;
  }

  /** The oldest held batch: from memory, else from the spool. */
  private next(): HeldBatch | undefined {
    const head = this.queue[0];
    if (head) {
      return {
        records: head.records,
        fromSpool: false,
        evicted: false,
        settle: () => {},
        done: () => {
          // Shutdown may have emptied the queue while this batch was being written.
          if (this.queue[0] !== head) return;
          this.queue.shift();
          this.counters.queuedRecords -= head.records.length;
          this.queuedBytes -= head.bytes;
        },
        replace: (records) => {
          if (this.queue[0] !== head) return;
          this.counters.queuedRecords -= head.records.length - records.length;
          head.records = records;
        },
      };
    }
    return this.spoolHead?.next();
  }

  private delivered(n: number): void {
    this.counters.delivered += n;
    if (!this.counters.healthy) diag.info(`mini-agent: sink ${this.sink.name} is delivering again`);
    this.counters.healthy = true;
    this.counters.lastError = null;
    this.attempt = 0;
  }

  /** A partial failure: what is in neither `remaining` nor `refused` was stored; what was refused is counted. */
  private countPartial(records: readonly AgentRecord[], failure: DeliveryError): void {
    if (!failure.remaining) return;
    const refused = failure.refused;
    const stored = records.length - failure.remaining.length - (refused?.records.length ?? 0);
    if (stored > 0) this.counters.delivered += stored;
    if (refused && refused.records.length > 0) {
      this.addTo('rejected', refused.reason, refused.records.length);
      this.counters.lastRejection = refused.message;
      diag.error(`mini-agent: sink ${this.sink.name} refused ${refused.records.length} records for good: ${refused.message}`);
    }
  }

  private unhealthy(failure: DeliveryError): void {
    for (const waiter of [...this.failureWaiters]) waiter();
    if (this.counters.healthy) diag.warn(`mini-agent: sink ${this.sink.name} failed, retrying with backoff: ${failure.message}`);
    this.counters.healthy = false;
    this.counters.lastError = failure.message;
  }

  /**
   * A permanent failure. When it names the records refused (`refused`: a split batch of which
   * only some parts were refused), only those are rejected and the rest were stored.
   */
  private reject(records: readonly AgentRecord[], failure: DeliveryError, rethrow = true): void {
    const refused = failure.refused?.records.length ?? records.length;
    this.counters.delivered += records.length - refused;
    this.addTo('rejected', failure.refused?.reason ?? failure.reason ?? 'permanent', refused);
    this.counters.lastError = failure.message;
    this.counters.lastRejection = failure.message;
    diag.error(`mini-agent: sink ${this.sink.name} refused ${refused} records for good: ${failure.message}`);
    if (rethrow) throw failure;
  }

  private drop(records: readonly AgentRecord[], reason: string, detail?: string): never {
    this.addTo('dropped', reason, records.length);
    const message = `dropped ${records.length} records for sink ${this.sink.name}: ${reason}${detail ? ` (${detail})` : ''}`;
    if (detail) this.counters.lastError = detail;
    diag.warn(`mini-agent: ${message}`);
    throw new DeliveryError(message, false, { reason, dropped: true });
  }

  private addTo(kind: 'dropped' | 'rejected', reason: string, n: number): void {
    this.counters[kind][reason] = (this.counters[kind][reason] ?? 0) + n;
  }

  private isIdle(): boolean {
    return !this.busy && this.queue.length === 0 && (this.spool?.isEmpty ?? true);
  }

  private notifyIdle(): void {
    if (!this.isIdle()) return;
    for (const waiter of [...this.idleWaiters]) waiter();
  }
}
