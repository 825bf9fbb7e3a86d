import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import { createOtlpHttpExportDelegate, httpAgentFactoryFromOptions } from '@opentelemetry/otlp-exporter-base/node-http';
import { ProtobufTraceSerializer, TraceExporterMetricsHelper } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

/** Where and how {@link LangfuseOtlpSpanExporter} sends. */
export interface LangfuseOtlpSpanExporterOptions {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMillis: number;
}

/**
 * The standard OTLP/HTTP protobuf span exporter of OpenTelemetry, assembled from the same parts as
 * `OTLPTraceExporter` of `@opentelemetry/exporter-trace-otlp-proto` (export delegate, protobuf
 * serializer, retrying HTTP transport), but configured from these options alone. The packaged class
 * also merges every `OTEL_EXPORTER_OTLP_*` variable, which configure the application's own
 * collector: their headers (often a vendor's API key) would be sent to Langfuse, and a collector's
 * CA certificate would replace the trust roots of the connection to Langfuse Cloud.
 */
export class LangfuseOtlpSpanExporter extends OTLPExporterBase<ReadableSpan[]> implements SpanExporter {
  constructor(options: LangfuseOtlpSpanExporterOptions) {
    const headers = { 'Content-Type': 'application/x-protobuf', ...options.headers };
    super(
      createOtlpHttpExportDelegate(
        {
          url: options.url,
          headers: async () => headers,
          timeoutMillis: options.timeoutMillis,
          concurrencyLimit: 30,
          compression: 'none',
          agentFactory: httpAgentFactoryFromOptions({ keepAlive: true }),
        },
        ProtobufTraceSerializer,
        'otlp_http_span_exporter',
        TraceExporterMetricsHelper,
        undefined,
      ),
    );
  }
}
