import { createRequire } from 'node:module';
import { loadPeer, type SpanExporter } from '@mini-agent/core';

type ExporterTraceOtlpProto = typeof import('@opentelemetry/exporter-trace-otlp-proto');

const require = createRequire(import.meta.url);
const HINT =
  'registerMiniAgentTracing() sends raw spans to a collector (the otlp option or OTEL_EXPORTER_OTLP_ENDPOINT) with it: ' +
  'npm install @opentelemetry/exporter-trace-otlp-proto@0.2xx with SDK 2.x, @0.30x with SDK 3.x.';

/**
 * The standard OTLP/HTTP protobuf trace exporter of the application's SDK line (0.2xx beside 2.x,
 * 0.30x beside 3.x: the same class), loaded only when a collector is configured.
 */
export function otlpTraceExporter(options?: { readonly url?: string; readonly headers?: Record<string, string> }): SpanExporter {
  const { OTLPTraceExporter } = loadPeer<ExporterTraceOtlpProto>(require, '@opentelemetry/exporter-trace-otlp-proto', HINT);
  return new OTLPTraceExporter(options);
}
