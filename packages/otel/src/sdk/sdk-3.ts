import { context, propagation, trace } from '@opentelemetry/api';
import type { PeerRequire, SpanExporter, SpanProcessor } from '@mini-agent/core';
import { loadPeer } from '@mini-agent/core';
import { CompositePropagator, getNumberFromEnv, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import type { BatchOptions, SdkTracerProvider, TraceSdk } from './types.js';

type SdkTrace = typeof import('@opentelemetry/sdk-trace');
type ContextAsyncHooks = typeof import('@opentelemetry/context-async-hooks');

/** The `OTEL_BSP_*` variables the 2.x `BatchSpanProcessor` read and the 3.x one no longer does. */
const BSP_VARIABLES = [
  ['maxExportBatchSize', 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE'],
  ['maxQueueSize', 'OTEL_BSP_MAX_QUEUE_SIZE'],
  ['scheduledDelayMillis', 'OTEL_BSP_SCHEDULE_DELAY'],
  ['exportTimeoutMillis', 'OTEL_BSP_EXPORT_TIMEOUT'],
] as const;

/**
 * The `TracerProvider` of `@opentelemetry/sdk-trace` (3.x, and 2.9+ where `sdk-trace-node` is
 * absent): no `register()`, so the globals are set here as `NodeTracerProvider.register()` set
 * them; processors take one options object, and the `OTEL_BSP_*` variables are applied here.
 */
export function sdk3(require: PeerRequire, packages: Record<string, string>, hint: string): TraceSdk {
  const sdk = loadPeer<SdkTrace>(require, '@opentelemetry/sdk-trace', hint);
  const { AsyncLocalStorageContextManager } = loadPeer<ContextAsyncHooks>(require, '@opentelemetry/context-async-hooks', hint);
  return {
    line: Number(packages['@opentelemetry/sdk-trace']?.split('.')[0]) >= 3 ? 3 : 2,
    packages,
    batchSpanProcessor: (exporter: SpanExporter, options: BatchOptions): SpanProcessor =>
      new sdk.BatchSpanProcessor({ ...withBspVariables(options), exporter }),
    simpleSpanProcessor: (exporter: SpanExporter): SpanProcessor => new sdk.SimpleSpanProcessor({ exporter }),
    registerTracerProvider({ resource, spanProcessors }): SdkTracerProvider {
      const provider = new sdk.TracerProvider({ resource, spanProcessors });
      trace.setGlobalTracerProvider(provider);
      context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
      propagation.setGlobalPropagator(
        new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
      );
      return provider;
    },
  };
}

/** Options given in code win; a variable fills only what is left unset, as on the 2.x line. */
export function withBspVariables(options: BatchOptions): BatchOptions {
  const filled: { -readonly [K in keyof BatchOptions]: BatchOptions[K] } = { ...options };
  for (const [option, variable] of BSP_VARIABLES) {
    if (filled[option] !== undefined) continue;
    const value = getNumberFromEnv(variable);
    if (value !== undefined) filled[option] = value;
  }
  return filled;
}
