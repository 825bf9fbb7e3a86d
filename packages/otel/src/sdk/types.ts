import type { MeterProvider, TracerProvider } from '@opentelemetry/api';
import type { SpanExporter, SpanProcessor } from '@mini-agent/core';
import type { Resource } from '@opentelemetry/resources';

/** Batching of a `BatchSpanProcessor`, the same options on both SDK lines. */
export interface BatchOptions {
  /** Spans exported per batch at most. Default 512 (`OTEL_BSP_MAX_EXPORT_BATCH_SIZE`). */
  readonly maxExportBatchSize?: number;
  /** Milliseconds between two exports. Default 5000 (`OTEL_BSP_SCHEDULE_DELAY`). */
  readonly scheduledDelayMillis?: number;
  /** Milliseconds an export may take before it is cancelled. Default 30 000 (`OTEL_BSP_EXPORT_TIMEOUT`). */
  readonly exportTimeoutMillis?: number;
  /** Spans queued at most; more are dropped. Default 2048 (`OTEL_BSP_MAX_QUEUE_SIZE`). */
  readonly maxQueueSize?: number;
  /** Receives the SDK's own processor metrics. */
  readonly selfObsMeterProvider?: MeterProvider;
}

/** The SDK tracer provider {@link TraceSdk.registerTracerProvider} built and registered. */
export interface SdkTracerProvider extends TracerProvider {
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** What the two trace SDK lines (2.x, 3.x) do differently, behind one interface. */
export interface TraceSdk {
  /** Which line, and the packages that were loaded, with their versions (for messages). */
  readonly line: 2 | 3;
  readonly packages: Readonly<Record<string, string>>;
  batchSpanProcessor(exporter: SpanExporter, options: BatchOptions): SpanProcessor;
  simpleSpanProcessor(exporter: SpanExporter): SpanProcessor;
  /**
   * Builds a tracer provider and registers it globally, with an `AsyncLocalStorageContextManager`
   * and the W3C trace-context and baggage propagators: what `NodeTracerProvider.register()` does.
   */
  registerTracerProvider(options: { resource: Resource; spanProcessors: SpanProcessor[] }): SdkTracerProvider;
}
