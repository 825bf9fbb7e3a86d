import { diag } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@mini-agent/core';

/** Options of {@link SpanQueue}. */
export interface SpanQueueOptions {
  readonly exporter: SpanExporter;
  /** Spans held at most; a request arriving while the queue is at or above this is refused. */
  readonly maxQueuedSpans: number;
  /** Spans handed to the exporter in one `export()` call at most. */
  readonly maxExportBatchSize: number;
  /** `export()` calls in flight at once. */
  readonly maxConcurrentExports: number;
  /** An export that has not called back after this long counts as failed, so one stuck call cannot stall the queue. */
  readonly exportTimeoutMillis: number;
  /**
   * Whether the exporter can take more now. While it says no (a sink is down and retrying), spans
   * stay in this queue, which then fills and makes senders wait, instead of piling up downstream.
   */
  readonly canExport?: () => boolean;
}

/** A request whose spans are being exported, waiting for the outcome of all of them. */
interface Waiter {
  left: number;
  error: Error | undefined;
  done: (result: ExportResult) => void;
}

/** Spans of one request still in the queue (a request may be split over several batches). */
interface Entry {
  spans: ReadableSpan[];
  waiter: Waiter | undefined;
}

/** How often a paused queue asks `canExport` again. */
const RESUME_CHECK_MILLIS = 50;

/** What the queue has done since it started. */
export interface SpanQueueStats {
  /** Spans waiting, and being exported right now. */
  queued: number;
  inFlight: number;
  /** Spans accepted into the queue. */
  accepted: number;
  /** Spans whose export succeeded. */
  exported: number;
  /** Spans whose export failed (the exporter's own counters say which sink and why). */
  failed: number;
  batches: number;
  failedBatches: number;
  lastError: string | null;
}

/**
 * The bridge's bounded, in-memory hand-off between HTTP requests and the exporter: requests add
 * their spans and are answered at once; a drain loop exports them in batches of up to
 * `maxExportBatchSize`, so many small requests become few large writes. Spans that arrive while an
 * export runs wait and join the next batch.
 */
export class SpanQueue {
  private readonly pending: Entry[] = [];
  private queuedCount = 0;
  private inFlightCount = 0;
  private exportsRunning = 0;
  private idleWaiters: (() => void)[] = [];
  private resumeTimer: NodeJS.Timeout | undefined;
  private forced = false;
  private readonly counters = { accepted: 0, exported: 0, failed: 0, batches: 0, failedBatches: 0, lastError: null as string | null };

  constructor(private readonly options: SpanQueueOptions) {}

  /** Spans waiting to be exported. */
  get size(): number {
    return this.queuedCount;
  }

  /** Whether a request may be accepted now. */
  get hasRoom(): boolean {
    return this.queuedCount < this.options.maxQueuedSpans;
  }

  /**
   * Takes a request's spans, or returns `false` when the queue is full. The check is made before
   * the spans are added, so the queue holds at most `maxQueuedSpans` plus one request.
   */
  offer(spans: ReadableSpan[]): boolean {
    return this.add(spans, undefined);
  }

  /**
   * Like {@link offer}, and also reports when the exporter is done with these spans: SUCCESS once
   * every batch holding one of them was exported successfully, else the first failure. Returns
   * `false` when the queue is full. Used to answer a sender only once its spans are safe.
   */
  offerAndWait(spans: ReadableSpan[]): Promise<ExportResult> | false {
    if (!this.hasRoom) return false;
    if (spans.length === 0) return Promise.resolve({ code: ExportResultCode.SUCCESS });
    let waiter: Waiter | undefined;
    const outcome = new Promise<ExportResult>((done) => (waiter = { left: spans.length, error: undefined, done }));
    this.add(spans, waiter);
    return outcome;
  }

  private add(spans: ReadableSpan[], waiter: Waiter | undefined): boolean {
    if (!this.hasRoom) return false;
    if (spans.length === 0) return true;
    this.pending.push({ spans, waiter });
    this.queuedCount += spans.length;
    this.counters.accepted += spans.length;
    this.drain();
    return true;
  }

  /** Resolves once every span accepted so far has been handed to the exporter and the export has ended. */
  async flush(): Promise<void> {
    if (this.isIdle()) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Hands everything over regardless of `canExport` (on shutdown: the exporter's own pipeline then
   * delivers, spools or counts what it cannot), and resolves when that is done.
   */
  async drainAll(): Promise<void> {
    this.forced = true;
    this.drain();
    await this.flush();
  }

  stats(): SpanQueueStats {
    return { queued: this.queuedCount, inFlight: this.inFlightCount, ...this.counters };
  }

  private isIdle(): boolean {
    return this.queuedCount === 0 && this.exportsRunning === 0;
  }

  private drain(): void {
    if (!this.forced && this.queuedCount > 0 && this.options.canExport && !this.options.canExport()) {
      this.resumeTimer ??= setTimeout(() => {
        this.resumeTimer = undefined;
        this.drain();
      }, RESUME_CHECK_MILLIS);
      this.resumeTimer.unref();
      return;
    }
    while (this.queuedCount > 0 && this.exportsRunning < this.options.maxConcurrentExports) {
      const { spans: batch, waiters } = this.takeBatch();
      this.exportsRunning += 1;
      this.inFlightCount += batch.length;
      void this.exportBatch(batch).then((result) => {
        this.exportsRunning -= 1;
        this.inFlightCount -= batch.length;
        this.count(batch.length, result);
        for (const [waiter, n] of waiters) settle(waiter, n, result);
        this.drain();
        if (this.isIdle()) this.wakeIdleWaiters();
      });
    }
  }

  /** The next batch, and how many of its spans belong to each waiting request. */
  private takeBatch(): { spans: ReadableSpan[]; waiters: Map<Waiter, number> } {
    const max = this.options.maxExportBatchSize;
    let batch: ReadableSpan[] = [];
    const waiters = new Map<Waiter, number>();
    while (this.pending.length > 0 && batch.length < max) {
      const next = this.pending[0]!;
      const room = max - batch.length;
      const taken = next.spans.length <= room ? next.spans : next.spans.slice(0, room);
      if (taken === next.spans) this.pending.shift();
      else next.spans = next.spans.slice(room);
      batch = batch.length === 0 ? taken : batch.concat(taken);
      if (next.waiter) waiters.set(next.waiter, (waiters.get(next.waiter) ?? 0) + taken.length);
    }
    this.queuedCount -= batch.length;
    return { spans: batch, waiters };
  }

  private exportBatch(batch: ReadableSpan[]): Promise<ExportResult> {
    return new Promise((resolve) => {
      let done = false;
      const finish = (result: ExportResult): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve(result);
      };
      const timer = setTimeout(
        () => finish({ code: ExportResultCode.FAILED, error: new Error(`export did not finish within ${this.options.exportTimeoutMillis} ms`) }),
        this.options.exportTimeoutMillis,
      );
      try {
        this.options.exporter.export(batch, finish);
      } catch (error) {
        // A SpanExporter must report through its callback; one that throws is still contained here.
        finish({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
      }
    });
  }

  private count(spans: number, result: ExportResult): void {
    this.counters.batches += 1;
    if (result.code === ExportResultCode.SUCCESS) {
      this.counters.exported += spans;
      return;
    }
    this.counters.failed += spans;
    this.counters.failedBatches += 1;
    this.counters.lastError = result.error?.message ?? 'export failed';
    diag.warn(`mini-agent bridge: an export of ${spans} spans failed: ${this.counters.lastError}`);
  }

  private wakeIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }
}

function settle(waiter: Waiter, spans: number, result: ExportResult): void {
  if (result.code !== ExportResultCode.SUCCESS) waiter.error ??= result.error ?? new Error('export failed');
  waiter.left -= spans;
  if (waiter.left > 0) return;
  waiter.done(waiter.error ? { code: ExportResultCode.FAILED, error: waiter.error } : { code: ExportResultCode.SUCCESS });
}
