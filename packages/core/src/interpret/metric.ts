import { ATTR_METRIC_TYPE, ATTR_METRIC_UNIT, ATTR_METRIC_VALUE } from '@mini-agent/semconv';
import type { Attributes } from '@opentelemetry/api';
import type { JsonObject, MetricRecord } from '../records.js';
import { nullableName, optionalString, type RecordContext } from './shared.js';

/** The metric record of a `mini_agent.metric` event (the `index`-th event of its span). */
export function metricRecord(ctx: RecordContext, base: { traceId: string; spanId: string }, index: number, recordedAt: Date, a: Attributes): MetricRecord {
  const s = ctx.sanitizer;
  const raw = a[ATTR_METRIC_VALUE];
  const numeric = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
  const value = Number.isFinite(numeric) ? numeric : null;
  const metadata: JsonObject = {};
  if (value === null) {
    ctx.counters.add('non_finite_number');
    metadata.invalid_value = raw === undefined ? null : s.string(String(raw));
  }
  return {
    traceId: base.traceId,
    spanId: base.spanId,
    type: 'metric',
    id: `${base.spanId}:${index}`,
    metricType: s.name(optionalString(a[ATTR_METRIC_TYPE]) ?? 'custom'),
    value,
    unit: nullableName(optionalString(a[ATTR_METRIC_UNIT]), s),
    recordedAt,
    metadata,
  };
}
