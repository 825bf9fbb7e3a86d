import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@mini-agent/core';
import { createOtlpProtobufExporter, type OtlpProtobufOptions } from './sdk/otlp.js';

/** Where and how {@link LangfuseOtlpSpanExporter} sends. */
export type LangfuseOtlpSpanExporterOptions = OtlpProtobufOptions;

/**
 * The standard OTLP/HTTP protobuf span exporter of OpenTelemetry, assembled from the same parts as
 * `OTLPTraceExporter` of `@opentelemetry/exporter-trace-otlp-proto`, but configured from these
 * options alone. The packaged class also merges every `OTEL_EXPORTER_OTLP_*` variable, which
 * configure the application's own collector: their headers (often a vendor's API key) would be
 * sent to Langfuse, and a collector's CA certificate would replace the trust roots of the
 * connection to Langfuse Cloud.
 */
export class LangfuseOtlpSpanExporter implements SpanExporter {
  private readonly otlp: SpanExporter;

  constructor(options: LangfuseOtlpSpanExporterOptions) {
    this.otlp = createOtlpProtobufExporter(options);
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.otlp.export(spans, resultCallback);
  }

  forceFlush(): Promise<void> {
    return this.otlp.forceFlush?.() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    return this.otlp.shutdown();
  }
}
