import type { PeerRequire, SpanExporter, SpanProcessor } from '@mini-agent/core';
import { loadPeer } from '@mini-agent/core';
import type { BatchOptions, SdkTracerProvider, TraceSdk } from './types.js';

type SdkTraceBase = typeof import('@opentelemetry/sdk-trace-base');
type SdkTraceNode = typeof import('@opentelemetry/sdk-trace-node');

/**
 * The 2.x line: `NodeTracerProvider.register()` sets the globals, and the processors of
 * `@opentelemetry/sdk-trace-base` read the `OTEL_BSP_*` variables themselves.
 */
export function sdk2(require: PeerRequire, packages: Record<string, string>, hint: string): TraceSdk {
  const base = loadPeer<SdkTraceBase>(require, '@opentelemetry/sdk-trace-base', hint);
  const { NodeTracerProvider } = loadPeer<SdkTraceNode>(require, '@opentelemetry/sdk-trace-node', hint);
  return {
    line: 2,
    packages,
    batchSpanProcessor: (exporter: SpanExporter, options: BatchOptions): SpanProcessor => new base.BatchSpanProcessor(exporter, { ...options }),
    simpleSpanProcessor: (exporter: SpanExporter): SpanProcessor => new base.SimpleSpanProcessor(exporter),
    registerTracerProvider({ resource, spanProcessors }): SdkTracerProvider {
      const provider = new NodeTracerProvider({ resource, spanProcessors });
      provider.register();
      return provider;
    },
  };
}
