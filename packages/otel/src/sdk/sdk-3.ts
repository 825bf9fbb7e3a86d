import { context, propagation, trace } from '@opentelemetry/api';
import type { PeerRequire, SpanExporter, SpanProcessor } from '@mini-agent/core';
import { loadPeer } from '@mini-agent/core';
import { CompositePropagator, getNumberFromEnv, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { samplerFromEnv } from './sampler-env.js';
import type { BatchOptions, SdkTracerProvider, TraceSdk } from './types.js';

type SdkTrace = typeof import('@opentelemetry/sdk-trace');
type Sampler = import('@opentelemetry/sdk-trace').Sampler;
type ContextAsyncHooks = typeof import('@opentelemetry/context-async-hooks');

/** The `OTEL_BSP_*` variables the 2.x `BatchSpanProcessor` read and the 3.x one no longer does. */
const BSP_VARIABLES = [
  ['maxExportBatchSize', 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE'],
  ['maxQueueSize', 'OTEL_BSP_MAX_QUEUE_SIZE'],
  ['scheduledDelayMillis', 'OTEL_BSP_SCHEDULE_DELAY'],
  ['exportTimeoutMillis', 'OTEL_BSP_EXPORT_TIMEOUT'],
] as const;

/**
 * The span limit variables the 2.x `BasicTracerProvider` read and the 3.x `TracerProvider` no
 * longer does: each limit, then the general `OTEL_ATTRIBUTE_*` one where the 2.x line fell back.
 */
const SPAN_LIMIT_VARIABLES = [
  ['attributeCountLimit', 'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', 'OTEL_ATTRIBUTE_COUNT_LIMIT'],
  ['attributeValueLengthLimit', 'OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT', 'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT'],
  ['eventCountLimit', 'OTEL_SPAN_EVENT_COUNT_LIMIT'],
  ['linkCountLimit', 'OTEL_SPAN_LINK_COUNT_LIMIT'],
  ['attributePerEventCountLimit', 'OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT'],
  ['attributePerLinkCountLimit', 'OTEL_LINK_ATTRIBUTE_COUNT_LIMIT'],
] as const;

type SpanLimits = Partial<Record<(typeof SPAN_LIMIT_VARIABLES)[number][0], number>>;

/**
 * The `TracerProvider` of `@opentelemetry/sdk-trace` (3.x, and 2.9+ where `sdk-trace-node` is
 * absent): no `register()`, so the globals are set here as `NodeTracerProvider.register()` set
 * them; processors take one options object, and the `OTEL_BSP_*`, span limit and sampler
 * (`OTEL_TRACES_SAMPLER`) variables are applied here: an app that sets them gets the same spans on
 * both lines.
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
      const sampler = samplerFromEnv<Sampler>(sdk);
      const provider = new sdk.TracerProvider({ resource, spanProcessors, spanLimits: spanLimitsFromEnv(), ...(sampler ? { sampler } : {}) });
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

/** The span limits the environment sets (see {@link SPAN_LIMIT_VARIABLES}); the SDK's defaults for the rest. */
export function spanLimitsFromEnv(): SpanLimits {
  const limits: SpanLimits = {};
  for (const [limit, variable, general] of SPAN_LIMIT_VARIABLES) {
    const value = getNumberFromEnv(variable) ?? (general === undefined ? undefined : getNumberFromEnv(general));
    if (value !== undefined) limits[limit] = value;
  }
  return limits;
}
