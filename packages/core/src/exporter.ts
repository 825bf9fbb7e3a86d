import { diag } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { DeliveryPipeline, type DeliveryOptions, type DeliveryStats } from './delivery/pipeline.js';
import { Interpreter, type InterpretOptions } from './interpret.js';
import type { AgentRecord, InterpretableSpan } from './records.js';
import type { RecordSink } from './sink.js';

/** Options of {@link InterpretingExporter}. */
export interface InterpretingExporterOptions {
  /** Where records go. Each gets every batch, through its own delivery pipeline. */
  readonly sinks: readonly RecordSink[];
  /** Redaction, limits and counters of the interpretation step. */
  readonly interpretOptions?: InterpretOptions;
  /** Retries, memory bounds and the durable spool. Default: retries with a bounded in-memory queue. */
  readonly delivery?: DeliveryOptions;
  /** How long `forceFlush()` and `shutdown()` wait for deliveries. Default 10 s. */
  readonly flushTimeoutMs?: number;
}

/** Counters of an {@link InterpretingExporter}: what came in, what each sink got, what was changed. */
export interface ExporterStats {
  spans: { received: number; interpreted: number; rejected: number };
  /** Per sink name: accepted, delivered, retried, spooled, dropped and rejected records. */
  sinks: Record<string, DeliveryStats>;
  /** Values sanitized, truncated or redacted, by reason. */
  sanitized: Record<string, number>;
}

/**
 * A standard OpenTelemetry `SpanExporter` that interprets each span once and hands the records to
 * every sink through a delivery pipeline (retries, bounded queue, optional durable spool). Use it
 * with any SDK setup (`BatchSpanProcessor`, `NodeSDK`); sinks never see raw attributes. Never
 * throws: failures are reported through the export callback and counted in {@link stats}.
 *
 * @example
 * ```ts
 * const exporter = new InterpretingExporter({ sinks: [createPostgresSink()] });
 * provider = new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
 * ```
 */
export class InterpretingExporter implements SpanExporter {
  readonly sinks: readonly RecordSink[];
  private readonly pipelines: readonly DeliveryPipeline[];
  private readonly interpreter: Interpreter;
  private readonly pending = new Set<Promise<unknown>>();
  private readonly spanCounts = { received: 0, interpreted: 0, rejected: 0 };
  private readonly flushTimeoutMs: number;
  private isShutdown = false;

  constructor(options: InterpretingExporterOptions) {
    this.sinks = options.sinks;
    this.pipelines = options.sinks.map((sink) => new DeliveryPipeline(sink, options.delivery));
    this.interpreter = new Interpreter(options.interpretOptions);
    this.flushTimeoutMs = options.flushTimeoutMs ?? 10_000;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this.isShutdown) {
      resultCallback({ code: ExportResultCode.FAILED, error: new Error('Exporter has been shut down') });
      return;
    }
    void this.exportSpans(spans).then(resultCallback);
  }

  /**
   * Interprets spans and hands the records to every sink. Resolves (never rejects) once each
   * sink stored them or safely queued them; FAILED when any sink refused or dropped them.
   */
  async exportSpans(spans: readonly InterpretableSpan[]): Promise<ExportResult> {
    return this.track(this.deliver(this.interpretAll(spans)));
  }

  /** Interprets already-decoded spans (e.g. from the OTLP bridge); spans that cannot be read are counted. */
  interpretAll(spans: readonly InterpretableSpan[]): AgentRecord[] {
    const records: AgentRecord[] = [];
    for (const span of spans) {
      this.spanCounts.received += 1;
      try {
        const out = this.interpreter.interpret(span);
        if (out.length === 0) this.spanCounts.rejected += 1;
        else this.spanCounts.interpreted += 1;
        for (const record of out) records.push(record);
      } catch (error) {
        // interpret() is written not to throw; if a span still manages it, it is counted, never fatal.
        this.spanCounts.rejected += 1;
        diag.error('mini-agent: a span could not be interpreted and was dropped', error);
      }
    }
    return records;
  }

  /** Hands records to every sink's pipeline; the result fails when any sink refused or dropped them. */
  async deliver(records: readonly AgentRecord[]): Promise<ExportResult> {
    if (records.length === 0) return { code: ExportResultCode.SUCCESS };
    const results = await Promise.allSettled(this.pipelines.map((pipeline) => pipeline.submit(records)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (!failed) return { code: ExportResultCode.SUCCESS };
    const error = failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
    return { code: ExportResultCode.FAILED, error };
  }

  /** Counters: spans received, what each sink delivered, retried, spooled or dropped, values sanitized. */
  stats(): ExporterStats {
    return {
      spans: { ...this.spanCounts },
      sinks: Object.fromEntries(this.pipelines.map((p) => [p.sink.name, p.stats()])),
      sanitized: this.interpreter.counters.toJSON() as Record<string, number>,
    };
  }

  /** Waits for exports in flight and for every pipeline to drain (bounded by `flushTimeoutMs`). */
  async forceFlush(): Promise<void> {
    await Promise.allSettled([...this.pending]);
    await Promise.allSettled(this.pipelines.map((p) => p.flush(this.flushTimeoutMs)));
    await Promise.allSettled(this.sinks.map((sink) => sink.forceFlush?.()));
  }

  /** Delivers or spools what it holds within `flushTimeoutMs`, then shuts every sink down. */
  async shutdown(): Promise<void> {
    if (this.isShutdown) return;
    this.isShutdown = true;
    await Promise.allSettled([...this.pending]);
    await Promise.allSettled(this.pipelines.map((p) => p.shutdown(this.flushTimeoutMs)));
    await Promise.allSettled(this.sinks.map((sink) => sink.shutdown()));
    for (const [name, s] of Object.entries(this.stats().sinks)) {
      const lost = Object.values(s.dropped).reduce((a, b) => a + b, 0);
      if (lost > 0) diag.warn(`mini-agent: sink ${name} dropped ${lost} records in total: ${JSON.stringify(s.dropped)}`);
    }
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.pending.add(promise);
    void promise.finally(() => this.pending.delete(promise)).catch(() => {});
    return promise;
  }
}
