import { diag } from '@opentelemetry/api';
import { join } from 'node:path';
import type { AgentRecord } from '../records.js';
import { DeliveryError, type RecordSink } from '../sink.js';
import { retryDelay, type RetryOptions } from './backoff.js';
import { decodeRecords, encodeRecords } from './record-codec.js';
import { FileSpool, type SpoolFullPolicy } from './spool.js';

/** How records reach a sink: in-memory queue bounds, retries, and an optional durable spool. */
export interface DeliveryOptions {
  /** `false`: one attempt per batch; a failure is counted and reported, never retried. */
  readonly retries?: boolean;
  readonly retry?: RetryOptions;
  /** Most records held in memory while the sink is slow or down. Default 100,000. */
  readonly maxQueuedRecords?: number;
  /** Most bytes (as JSON) held in memory while the sink is slow or down. Default 64 MiB. */
  readonly maxQueuedBytes?: number;
  /**
   * A folder for the durable spool. With it, a batch is acknowledged only once it is in the
   * sink or fsync'd to the spool, and it survives a crash or restart; without it, undelivered
   * records wait in memory and are lost if the process dies.
   */
  readonly spoolDir?: string;
  /** Most bytes in the spool (per sink). Default 1 GiB. */
  readonly spoolMaxBytes?: number;
  /** When the spool is full: `reject-new` (default) or `drop-oldest`. Either way, counted. */
  readonly spoolWhenFull?: SpoolFullPolicy;
}

/** Counters of one sink's delivery. `dropped` and `rejected` say why, by reason. */
export interface DeliveryStats {
  /** Records handed to the pipeline. */
  accepted: number;
  /** Records the sink stored. */
  delivered: number;
  /** Record deliveries tried again after a retryable failure. */
  retried: number;
  /** Records written to the durable spool. */
  spooled: number;
  /** Spooled records later delivered. */
  replayed: number;
  /** Records lost, by reason (`queue_full`, `spool_full`, `shutdown`). */
  dropped: Record<string, number>;
  /** Records the sink refused for good (a permanent error), by reason. */
  rejected: Record<string, number>;
  queuedRecords: number;
  spoolBytes: number;
  /** Whether the last delivery attempt succeeded. */
  healthy: boolean;
  lastError: string | null;
}

interface Batch {
  records: readonly AgentRecord[];
  bytes: number;
}

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
  private queuedBytes = 0;
  private busy = false;
  private draining = false;
  private attempt = 0;
  private wakeUp: (() => void) | undefined;
  private closed = false;

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
      queuedRecords: 0,
      spoolBytes: 0,
      healthy: true,
      lastError: null,
    };
    if (options.spoolDir) {
      this.spool = new FileSpool({
        dir: join(options.spoolDir, sink.name),
        maxBytes: options.spoolMaxBytes,
        whenFull: options.spoolWhenFull,
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
    const backlog = this.busy || this.queue.length > 0 || (this.spool !== undefined && !this.spool.isEmpty);
    if (!this.counters.healthy || backlog) return this.hold(records);
    this.busy = true;
    try {
      await this.sink.write(records);
      this.delivered(records.length);
    } catch (error) {
      const failure = asDeliveryError(error);
      if (!failure.retryable) return this.reject(records, failure);
      if (this.options.retries === false) return this.drop(records, 'failed_without_retry', failure.message);
      this.unhealthy(failure);
      return this.hold(failure.remaining ?? records, true);
    } finally {
      this.busy = false;
      this.notifyIdle();
    }
  }

  /** Waits until everything held is delivered, or `timeoutMs` passes. Wakes a sleeping retry. */
  async flush(timeoutMs = 10_000): Promise<boolean> {
    if (this.isIdle()) return true;
    this.wakeUp?.();
    return new Promise<boolean>((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.idleWaiters.delete(onIdle);
        resolve(ok);
      };
      const onIdle = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      timer.unref?.();
      this.idleWaiters.add(onIdle);
    });
  }

  /**
   * Delivers what it can within `timeoutMs`, then stops. What is still held in memory is
   * counted as dropped (`shutdown`); what is spooled stays on disk for the next start.
   */
  async shutdown(timeoutMs = 10_000): Promise<void> {
    await this.flush(timeoutMs);
    this.closed = true;
    this.wakeUp?.();
    for (const batch of this.queue.splice(0)) this.addTo('dropped', 'shutdown', batch.records.length);
    this.counters.queuedRecords = 0;
    this.queuedBytes = 0;
    this.spool?.close();
  }

  stats(): DeliveryStats {
    return {
      ...this.counters,
      dropped: { ...this.counters.dropped },
      rejected: { ...this.counters.rejected },
      spoolBytes: this.spool?.pendingBytes ?? 0,
    };
  }

  /** Keeps a batch for later: on disk when spooling, else in memory within the bounds. */
  private hold(records: readonly AgentRecord[], atFront = false): void {
    if (this.spool) {
      const { written, droppedSegments } = this.spool.append(encodeRecords(records));
      if (droppedSegments > 0) this.addTo('dropped', 'spool_full_oldest_segments', droppedSegments);
      if (!written) return this.drop(records, 'spool_full');
      this.counters.spooled += records.length;
    } else {
      const bytes = Buffer.byteLength(JSON.stringify(records));
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
    void this.drain().finally(() => {
      this.draining = false;
      this.notifyIdle();
    });
  }

  /** Delivers held batches oldest first; sleeps between failed attempts. */
  private async drain(): Promise<void> {
    while (!this.closed) {
      if (this.busy) {
        await this.sleep(5);
        continue;
      }
      const next = this.next();
      if (!next) {
        this.counters.healthy = true;
        return;
      }
      this.busy = true;
      try {
        await this.sink.write(next.records);
        this.delivered(next.records.length);
        if (next.fromSpool) this.counters.replayed += next.records.length;
        next.done();
      } catch (error) {
        const failure = asDeliveryError(error);
        if (!failure.retryable) {
          this.reject(next.records, failure, false);
          next.done();
          continue;
        }
        this.unhealthy(failure);
        if (failure.remaining) next.replace(failure.remaining);
        this.counters.retried += next.records.length;
        this.attempt += 1;
        this.busy = false;
        await this.sleep(retryDelay(this.attempt, this.options.retry, failure.retryAfterMs));
      } finally {
        this.busy = false;
      }
    }
  }

  private next():
    | { records: readonly AgentRecord[]; fromSpool: boolean; done: () => void; replace: (r: readonly AgentRecord[]) => void }
    | undefined {
    const head = this.queue[0];
    if (head) {
      return {
        records: head.records,
        fromSpool: false,
        done: () => {
          this.queue.shift();
          this.counters.queuedRecords -= head.records.length;
          this.queuedBytes -= head.bytes;
        },
        replace: (records) => {
          this.counters.queuedRecords -= head.records.length - records.length;
          head.records = records;
        },
      };
    }
    const entry = this.spool?.peek();
    if (!entry) return undefined;
    let records: readonly AgentRecord[];
    try {
      records = decodeRecords(entry.payload);
    } catch {
      // A frame that passed its checksum but does not decode: count it and move on.
      this.addTo('dropped', 'spool_undecodable', 1);
      this.spool!.commit(entry.next);
      return this.next();
    }
    const self = this;
    return {
      get records() {
        return records;
      },
      fromSpool: true,
      done: () => self.spool!.commit(entry.next),
      replace: (remaining) => {
        records = remaining;
      },
    };
  }

  private delivered(n: number): void {
    this.counters.delivered += n;
    if (!this.counters.healthy) diag.info(`mini-agent: sink ${this.sink.name} is delivering again`);
    this.counters.healthy = true;
    this.counters.lastError = null;
    this.attempt = 0;
  }

  private unhealthy(failure: DeliveryError): void {
    if (this.counters.healthy) diag.warn(`mini-agent: sink ${this.sink.name} failed, retrying with backoff: ${failure.message}`);
    this.counters.healthy = false;
    this.counters.lastError = failure.message;
  }

  private reject(records: readonly AgentRecord[], failure: DeliveryError, rethrow = true): void {
    const reason = failure.reason ?? 'permanent';
    this.addTo('rejected', reason, records.length);
    this.counters.lastError = failure.message;
    diag.error(`mini-agent: sink ${this.sink.name} refused ${records.length} records for good: ${failure.message}`);
    if (rethrow) throw failure;
  }

  private drop(records: readonly AgentRecord[], reason: string, detail?: string): never {
    this.addTo('dropped', reason, records.length);
    const message = `dropped ${records.length} records for sink ${this.sink.name}: ${reason}${detail ? ` (${detail})` : ''}`;
    if (detail) this.counters.lastError = detail;
    diag.warn(`mini-agent: ${message}`);
    throw new DeliveryError(message, false, { reason });
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

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeUp = undefined;
        resolve();
      }, ms);
      timer.unref?.();
      this.wakeUp = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
    });
  }
}

function asDeliveryError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  // An error the sink did not classify: assume the backend may recover (a network blip).
  return new DeliveryError(error instanceof Error ? error.message : String(error), true, { cause: error });
}
