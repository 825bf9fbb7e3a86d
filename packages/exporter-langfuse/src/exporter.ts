import { InterpretingExporter, type DeliveryOptions, type InterpretOptions, type SamplingOptions } from '@mini-agent/core';
import type { LangfuseOptions } from './options.js';
import { createLangfuseSink, type LangfuseSink } from './sink.js';

/** Options of {@link LangfuseExporter}: the sink's options plus how spans are interpreted. */
export interface LangfuseExporterOptions extends LangfuseOptions {
  /** Redaction and size limits of `interpret()` (secret redaction is on by default). */
  readonly interpretOptions?: InterpretOptions;
  /** The shared delivery pipeline in front of the sink: queue bounds, retries over long outages, durable spool. */
  readonly delivery?: DeliveryOptions;
  /** How long `forceFlush()` and `shutdown()` wait for deliveries. Default 10 s. */
  readonly flushTimeoutMs?: number;
  /** Session-level tail sampling (see `InterpretingExporterOptions.sampling`). Default: off. */
  readonly sampling?: SamplingOptions;
}

/**
 * A standard OpenTelemetry `SpanExporter` that sends agent spans to Langfuse: each span is
 * interpreted once (secrets redacted) and mapped to Langfuse traces and observations. Usable alone
 * with any SDK setup; with other sinks, prefer one `InterpretingExporter` and `createLangfuseSink()`.
 *
 * @example
 * ```ts
 * const provider = new NodeTracerProvider({
 *   spanProcessors: [new BatchSpanProcessor(new LangfuseExporter())], // keys from LANGFUSE_* variables
 * });
 * ```
 */
export class LangfuseExporter extends InterpretingExporter {
  /** The sink behind the exporter, for its counters (`exporter.langfuse.stats()`). */
  readonly langfuse: LangfuseSink;

  constructor(options: LangfuseExporterOptions = {}) {
    const sink = createLangfuseSink(options);
    super({
      sinks: [sink],
      ...(options.interpretOptions ? { interpretOptions: options.interpretOptions } : {}),
      ...(options.delivery ? { delivery: options.delivery } : {}),
      ...(options.flushTimeoutMs !== undefined ? { flushTimeoutMs: options.flushTimeoutMs } : {}),
      ...(options.sampling ? { sampling: options.sampling } : {}),
    });
    this.langfuse = sink;
  }
}
