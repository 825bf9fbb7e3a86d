import { createRequire } from 'node:module';
import { loadPeer } from '@mini-agent/core';
import type { ExportResult } from '@opentelemetry/core';

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

/** An OTLP exporter of items its serializer turns into one request body each. */
export interface OtlpRequestExporter<T> {
  export(items: T[], resultCallback: (result: ExportResult) => void): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * The standard OTLP/HTTP protobuf trace exporter, assembled from the parts of
 * `@opentelemetry/exporter-trace-otlp-proto` (export delegate, retrying HTTP transport, response
 * deserializer) of whichever line the application installed, with `serializeRequest` encoding the
 * request body. Throws `MissingPeerError` naming what to install when the parts are missing.
 */
export function createOtlpProtobufExporter<T>(options: OtlpProtobufOptions, serializeRequest: (items: T[]) => Uint8Array): OtlpRequestExporter<T> {
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
    // The delegate is generic over what it sends; its trace typing names the SDK's spans alone.
    { serializeRequest: serializeRequest as never, deserializeResponse: ProtobufTraceSerializer.deserializeResponse },
    'otlp_http_span_exporter',
    TraceExporterMetricsHelper,
    undefined,
  );
  return new OTLPExporterBase(delegate as never) as unknown as OtlpRequestExporter<T>;
}
