import { createNoopMeter, type Attributes, type Context, type Counter, type Meter, type MeterOptions, type MeterProvider, type MetricOptions } from '@opentelemetry/api';

/**
 * The SDK's own metric (OpenTelemetry semantic conventions for SDK health) for spans its processor
 * finished; a failed or dropped span carries `error.type`.
 */
const SPANS_PROCESSED = 'otel.sdk.processor.span.processed';
/**
 * The one `error.type` that means the exporter never saw the span. Other errors are export
 * results: the exporter has those spans, and its own stats say what became of them.
 */
const QUEUE_FULL = 'queue_full';

/** What the span processor lost before the exporter saw it. */
export interface ProcessorStats {
  /** Spans the batch processor dropped, by reason: `queue_full` (the agent ended spans faster than they were exported). */
  dropped: Record<string, number>;
}

/**
 * Counts the spans the SDK's span processor drops. The `BatchSpanProcessor` drops spans when its
 * queue is full and reports that only through `diag` and its self-observability metrics, so this
 * meter provider is handed to it as `selfObsMeterProvider`: the processor's span counter is
 * watched, and every measurement still reaches the provider the user gave, if any.
 */
export class ProcessorDropCounter implements MeterProvider {
  private readonly dropped: Record<string, number> = {};

  constructor(private readonly downstream?: MeterProvider) {}

  getMeter(name: string, version?: string, options?: MeterOptions): Meter {
    const inner = this.downstream?.getMeter(name, version, options) ?? createNoopMeter();
    return {
      createGauge: (n, o) => inner.createGauge(n, o),
      createHistogram: (n, o) => inner.createHistogram(n, o),
      createUpDownCounter: (n, o) => inner.createUpDownCounter(n, o),
      createObservableGauge: (n, o) => inner.createObservableGauge(n, o),
      createObservableCounter: (n, o) => inner.createObservableCounter(n, o),
      createObservableUpDownCounter: (n, o) => inner.createObservableUpDownCounter(n, o),
      addBatchObservableCallback: (callback, observables) => inner.addBatchObservableCallback(callback, observables),
      removeBatchObservableCallback: (callback, observables) => inner.removeBatchObservableCallback(callback, observables),
      createCounter: <A extends Attributes>(metricName: string, metricOptions?: MetricOptions): Counter<A> => {
        const counter = inner.createCounter<A>(metricName, metricOptions);
        return metricName === SPANS_PROCESSED ? this.watch(counter) : counter;
      },
    };
  }

  /** A snapshot of what was dropped. */
  stats(): ProcessorStats {
    return { dropped: { ...this.dropped } };
  }

  private watch<A extends Attributes>(counter: Counter<A>): Counter<A> {
    return {
      add: (value: number, attributes?: A, context?: Context) => {
        counter.add(value, attributes, context);
        if (attributes?.['error.type'] === QUEUE_FULL) this.dropped[QUEUE_FULL] = (this.dropped[QUEUE_FULL] ?? 0) + value;
      },
    };
  }
}
