import { trace, type AttributeValue, type Span } from '@opentelemetry/api';
import {
  ATTR_METRIC_TYPE,
  ATTR_METRIC_UNIT,
  ATTR_METRIC_VALUE,
  ATTR_SPAN_KIND,
  EVENT_METRIC,
  SpanKinds,
  type MetricType,
} from '@mini-agent/semconv';
import { quietly } from './guard.js';
import { SCOPE_NAME, VERSION } from './version.js';

/** One performance measurement. */
export interface MetricInput {
  /** `memory`, `cpu`, `latency`, `tokens`, or any custom name. */
  readonly type: MetricType;
  readonly value: number;
  /** UCUM-style unit: `ms`, `By`, `%`, `{token}`. */
  readonly unit?: string;
}

/**
 * Records a metric as a `mini_agent.metric` event on the active span (the current session, tool
 * or LLM call). Outside any span the metric gets a short span of its own, so it is not lost.
 * Never throws.
 *
 * @example
 * ```ts
 * recordMetric({ type: 'latency', value: 412, unit: 'ms' });
 * ```
 */
export function recordMetric(metric: MetricInput): void {
  quietly('recording a metric', () => {
    const active = trace.getActiveSpan();
    if (active) {
      addMetricEvent(active, metric);
      return;
    }
    const span = trace.getTracer(SCOPE_NAME, VERSION).startSpan(`metric ${String(metric.type)}`, {
      attributes: { [ATTR_SPAN_KIND]: SpanKinds.STEP },
    });
    addMetricEvent(span, metric);
    span.end();
  });
}

/** Adds one `mini_agent.metric` event to `span`. */
export function addMetricEvent(span: Span, metric: MetricInput): void {
  const attributes: Record<string, AttributeValue> = {
    [ATTR_METRIC_TYPE]: String(metric.type),
    // A non-number is passed on as text rather than dropped: interpret() keeps it visible.
    [ATTR_METRIC_VALUE]: typeof metric.value === 'number' ? metric.value : String(metric.value),
  };
  if (metric.unit !== undefined) attributes[ATTR_METRIC_UNIT] = String(metric.unit);
  span.addEvent(EVENT_METRIC, attributes);
}
