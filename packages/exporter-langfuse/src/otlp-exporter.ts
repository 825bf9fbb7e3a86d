import type { ExportResult } from '@opentelemetry/core';
import { encodeTraceRequest, type OtlpSpanData } from './otlp-protobuf.js';
import { EXPORTER_SCOPE } from './otlp-spans.js';
import { createOtlpProtobufExporter, type OtlpProtobufOptions, type OtlpRequestExporter } from './sdk/otlp.js';

/** Where and how {@link LangfuseOtlpSpanExporter} sends. */
export type LangfuseOtlpSpanExporterOptions = OtlpProtobufOptions;

/**
 * OpenTelemetry's standard OTLP/HTTP protobuf exporter (the parts of `OTLPTraceExporter` of
 * `@opentelemetry/exporter-trace-otlp-proto`: its export delegate, retrying HTTP transport and
 * response handling), sending observations encoded by this package's writer (`otlp-protobuf.ts`),
 * and configured from these options alone. The packaged class also merges every
 * `OTEL_EXPORTER_OTLP_*` variable, which configure the application's own collector: their headers
 * (often a vendor's API key) would be sent to Langfuse, and a collector's CA certificate would
 * replace the trust roots of the connection to Langfuse Cloud.
 */
export class LangfuseOtlpSpanExporter {
  private readonly otlp: OtlpRequestExporter<OtlpSpanData>;

  constructor(options: LangfuseOtlpSpanExporterOptions) {
    this.otlp = createOtlpProtobufExporter<OtlpSpanData>(options, (spans) => encodeTraceRequest(spans, EXPORTER_SCOPE));
  }

  export(spans: OtlpSpanData[], resultCallback: (result: ExportResult) => void): void {
    this.otlp.export(spans, resultCallback);
  }

  forceFlush(): Promise<void> {
    return this.otlp.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.otlp.shutdown();
  }
}
