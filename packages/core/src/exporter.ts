import { diag } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { Interpreter, type InterpretOptions } from './interpret.js';
import type { AgentRecord, InterpretableSpan } from './records.js';
import { DeliveryError, type RecordSink } from './sink.js';

/** Options of {@link InterpretingExporter}. */
export interface InterpretingExporterOptions {
  /** Where records go. Each gets every batch. */
  readonly sinks: readonly RecordSink[];
  /** Redaction, limits and counters of the interpretation step. */
  readonly interpretOptions?: InterpretOptions;
}

/** What one sink has done since the exporter started. */
export interface SinkStats {
  batches: number;
  records: number;
  failedBatches: number;
  /** Records in batches the sink did not store, by reason (`retryable` or `permanent`). */
  droppedRecords: { retryable: number; permanent: number };
  lastError: string | null;
}

/** Counters of an {@link InterpretingExporter}: what came in, what each sink stored, what was changed. */
export interface ExporterStats {
  spans: { received: number; interpreted: number; rejected: number };
  sinks: Record<string, SinkStats>;
  /** Values sanitized, truncated or redacted, by reason. */
  sanitized: Record<string, number>;
}

/**
 * A standard OpenTelemetry `SpanExporter` that interprets each span once and hands the records to
 * every sink. Use it with any SDK setup (`BatchSpanProcessor`, `NodeSDK`); sinks never see raw
 * attributes. Never throws: failures are reported through the export callback and {@link stats}.
 *
 * @example
 * ```ts
 * const exporter = new InterpretingExporter({ sinks: [createPostgresSink()] });
 * provider = new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
 * ```
 */
export class InterpretingExporter implements SpanExporter {
  readonly sinks: readonly RecordSink[];
  private readonly interpreter: Interpreter;
  private readonly pending = new Set<Promise<unknown>>();
  private readonly counters: ExporterStats;
  private isShutdown = false;

  constructor(options: InterpretingExporterOptions) {
    this.sinks = options.sinks;
    this.interpreter = new Interpreter(options.interpretOptions);
    this.counters = { spans: { received: 0, interpreted: 0, rejected: 0 }, sinks: {}, sanitized: {} };
    for (const sink of this.sinks) this.counters.sinks[sink.name] = emptySinkStats();
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this.isShutdown) {
      resultCallback({ code: ExportResultCode.FAILED, error: new Error('Exporter has been shut down') });
      return;
    }
    const records = this.interpretAll(spans);
    const delivery = this.deliver(records).then(resultCallback, (error: unknown) =>
      resultCallback({ code: ExportResultCode.FAILED, error: toError(error) }),
    );
    this.track(delivery);
  }

  /** Interprets spans and delivers the records to every sink; resolves with the combined result. */
  async exportSpans(spans: readonly InterpretableSpan[]): Promise<ExportResult> {
    return this.track(this.deliver(this.interpretAll(spans)));
  }

  /** Interprets already-decoded spans (e.g. from the OTLP bridge); spans that cannot be read are counted. */
  interpretAll(spans: readonly InterpretableSpan[]): AgentRecord[] {
    const records: AgentRecord[] = [];
    for (const span of spans) {
      this.counters.spans.received += 1;
      try {
        const out = this.interpreter.interpret(span);
        if (out.length === 0) this.counters.spans.rejected += 1;
        else this.counters.spans.interpreted += 1;
        for (const record of out) records.push(record);
      } catch (error) {
        // interpret() is written not to throw; if a span still manages it, it is counted, never fatal.
        this.counters.spans.rejected += 1;
        diag.error('mini-agent: a span could not be interpreted and was dropped', error);
      }
    }
    return records;
  }

  /** Hands records to every sink; the result fails when any sink failed. */
  async deliver(records: readonly AgentRecord[]): Promise<ExportResult> {
    if (records.length === 0) return { code: ExportResultCode.SUCCESS };
    const results = await Promise.allSettled(this.sinks.map((sink) => sink.write(records)));
    let firstError: Error | undefined;
    results.forEach((result, i) => {
      const sink = this.sinks[i] as RecordSink;
      const stats = (this.counters.sinks[sink.name] ??= emptySinkStats());
      stats.batches += 1;
      if (result.status === 'fulfilled') {
        stats.records += records.length;
        return;
      }
      const error = toError(result.reason);
      const retryable = error instanceof DeliveryError ? error.retryable : true;
      stats.failedBatches += 1;
      stats.droppedRecords[retryable ? 'retryable' : 'permanent'] += records.length;
      stats.lastError = error.message;
      diag.warn(`mini-agent: sink ${sink.name} did not store ${records.length} records: ${error.message}`);
      firstError ??= error;
    });
    return firstError ? { code: ExportResultCode.FAILED, error: firstError } : { code: ExportResultCode.SUCCESS };
  }

  /** Counters: spans received, records each sink stored or dropped, values sanitized. */
  stats(): ExporterStats {
    return {
      spans: { ...this.counters.spans },
      sinks: Object.fromEntries(Object.entries(this.counters.sinks).map(([k, v]) => [k, { ...v, droppedRecords: { ...v.droppedRecords } }])),
      sanitized: this.interpreter.counters.toJSON() as Record<string, number>,
    };
  }

  async forceFlush(): Promise<void> {
    await Promise.allSettled([...this.pending]);
    await Promise.allSettled(this.sinks.map((sink) => sink.forceFlush?.()));
  }

  async shutdown(): Promise<void> {
    if (this.isShutdown) return;
    this.isShutdown = true;
    await this.forceFlush();
    await Promise.allSettled(this.sinks.map((sink) => sink.shutdown()));
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.pending.add(promise);
    void promise.finally(() => this.pending.delete(promise)).catch(() => {});
    return promise;
  }
}

function emptySinkStats(): SinkStats {
  return { batches: 0, records: 0, failedBatches: 0, droppedRecords: { retryable: 0, permanent: 0 }, lastError: null };
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
