import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

/**
 * Standard OpenTelemetry setup, nothing mini-agent specific: a Node tracer provider exporting OTLP
 * (protobuf over HTTP) where the standard variables say — `OTEL_EXPORTER_OTLP_ENDPOINT` (a
 * Collector, `http://localhost:4318` by default) or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, with
 * `OTEL_EXPORTER_OTLP_HEADERS`. When sending straight to the bridge, `MINI_AGENT_BRIDGE_TOKEN`
 * becomes its `Authorization: Bearer` header.
 */
export function startTracing(serviceName: string): NodeTracerProvider {
  const token = process.env.MINI_AGENT_BRIDGE_TOKEN;
  const exporter = new OTLPTraceExporter({
    compression: 'gzip' as never,
    ...(token ? { headers: { Authorization: `Bearer ${token}` } } : {}),
  });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName, [ATTR_SERVICE_VERSION]: '1.0.0' }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  provider.register();
  return provider;
}
