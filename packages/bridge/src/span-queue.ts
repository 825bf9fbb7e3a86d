import { diag } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

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
  private readonly pending: ReadableSpan[][] = [];
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
    if (!this.hasRoom) return false;
    if (spans.length === 0) return true;
    this.pending.push(spans);
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
      const batch = this.takeBatch();
      this.exportsRunning += 1;
      this.inFlightCount += batch.length;
      void this.exportBatch(batch).then((result) => {
        this.exportsRunning -= 1;
        this.inFlightCount -= batch.length;
        this.count(batch.length, result);
        this.drain();
        if (this.isIdle()) this.wakeIdleWaiters();
      });
    }
  }

  private takeBatch(): ReadableSpan[] {
    const max = this.options.maxExportBatchSize;
    let batch: ReadableSpan[] = [];
    while (this.pending.length > 0 && batch.length < max) {
      const next = this.pending[0]!;
      const room = max - batch.length;
      if (next.length <= room) {
        this.pending.shift();
        batch = batch.length === 0 ? next : batch.concat(next);
      } else {
        batch = batch.concat(next.slice(0, room));
        this.pending[0] = next.slice(room);
      }
    }
    this.queuedCount -= batch.length;
    return batch;
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
