import { createRequire } from 'node:module';
import { loadPeer, type SpanExporter } from '@mini-agent/core';

// The OTLP exporter parts are experimental packages versioned with the SDK line: 0.2xx beside SDK
// 2.x, 0.30x beside SDK 3.x. Both lines export the same functions used here, so the application's
// own copy is loaded (a peer), once, when the first Langfuse OTLP exporter is built: an application
// that never sends to Langfuse over OTLP does not need them installed.
const require = createRequire(import.meta.url);
const HINT =
  '@mini-agent/exporter-langfuse sends to Langfuse with the OpenTelemetry OTLP exporter parts of your SDK line: ' +
  'npm install @opentelemetry/otlp-exporter-base@0.2xx @opentelemetry/otlp-transformer@0.2xx with SDK 2.x, ' +
  '@0.30x with SDK 3.x (@opentelemetry/exporter-trace-otlp-proto or @opentelemetry/sdk-node brings both).';

type ExporterBase = typeof import('@opentelemetry/otlp-exporter-base');
type NodeHttp = typeof import('@opentelemetry/otlp-exporter-base/node-http');
type Transformer = typeof import('@opentelemetry/otlp-transformer');

/** Where and how the OTLP/HTTP protobuf exporter sends. */
export interface OtlpProtobufOptions {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMillis: number;
}

/**
 * The standard OTLP/HTTP protobuf span exporter, assembled from the parts of
 * `@opentelemetry/exporter-trace-otlp-proto` (export delegate, protobuf serializer, retrying HTTP
 * transport) of whichever line the application installed. Throws `MissingPeerError` naming what
 * to install when the parts are missing.
 */
export function createOtlpProtobufExporter(options: OtlpProtobufOptions): SpanExporter {
  const { OTLPExporterBase } = loadPeer<ExporterBase>(require, '@opentelemetry/otlp-exporter-base', HINT);
  const { createOtlpHttpExportDelegate, httpAgentFactoryFromOptions } = loadPeer<NodeHttp>(require, '@opentelemetry/otlp-exporter-base/node-http', HINT);
  const { ProtobufTraceSerializer, TraceExporterMetricsHelper } = loadPeer<Transformer>(require, '@opentelemetry/otlp-transformer', HINT);
  const headers = { 'Content-Type': 'application/x-protobuf', ...options.headers };
  const delegate = createOtlpHttpExportDelegate(
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
  );
  return new OTLPExporterBase(delegate);
}
