import type { Attributes, BatchObservableResult, Meter, Observable } from '@opentelemetry/api';
import type { ExporterStats } from './exporter.js';

/** The metric names {@link observeExporterStats} reports, for dashboards and alerts. */
export const EXPORTER_METRICS = {
  spans: 'mini_agent.exporter.spans',
  records: 'mini_agent.delivery.records',
  dropped: 'mini_agent.delivery.dropped',
  rejected: 'mini_agent.delivery.rejected',
  queued: 'mini_agent.delivery.queued',
  spoolSize: 'mini_agent.delivery.spool.size',
  healthy: 'mini_agent.delivery.healthy',
  sanitized: 'mini_agent.sanitized',
} as const;

/**
 * Reports an exporter's `stats()` as OpenTelemetry metrics through any `Meter`: monotonic counts as
 * observable counters, queue depth, spool size and health as observable gauges. Observable
 * instruments read the counters only when a metric reader collects, so nothing is added to the
 * export path. Returns a function that stops reporting.
 *
 * @example
 * ```ts
 * const exporter = new InterpretingExporter({ sinks, meter: metrics.getMeter('mini-agent') });
 * ```
 */
export function observeExporterStats(meter: Meter, stats: () => ExporterStats): () => void {
  const spans = meter.createObservableCounter(EXPORTER_METRICS.spans, {
    description: 'Spans handed to the exporter, by outcome (received, interpreted, rejected) and rejection reason',
    unit: '{span}',
  });
  const records = meter.createObservableCounter(EXPORTER_METRICS.records, {
    description: 'Records per sink by outcome: accepted, delivered, retried, spooled, replayed',
    unit: '{record}',
  });
  const dropped = meter.createObservableCounter(EXPORTER_METRICS.dropped, { description: 'Records lost per sink, by reason', unit: '{record}' });
  const rejected = meter.createObservableCounter(EXPORTER_METRICS.rejected, {
    description: 'Records a sink refused for good, by reason',
    unit: '{record}',
  });
  const queued = meter.createObservableGauge(EXPORTER_METRICS.queued, { description: 'Records waiting in memory per sink', unit: '{record}' });
  const spoolSize = meter.createObservableGauge(EXPORTER_METRICS.spoolSize, { description: 'Bytes waiting in the durable spool per sink', unit: 'By' });
  const healthy = meter.createObservableGauge(EXPORTER_METRICS.healthy, { description: '1 when the last delivery to the sink worked, else 0' });
  const sanitized = meter.createObservableCounter(EXPORTER_METRICS.sanitized, {
    description: 'Values changed on their way to the sinks (sanitized, truncated, redacted), by reason',
    unit: '{value}',
  });
  const instruments: Observable[] = [spans, records, dropped, rejected, queued, spoolSize, healthy, sanitized];

  const callback = (result: BatchObservableResult): void => {
    const s = stats();
    result.observe(spans, s.spans.received, { outcome: 'received' });
    result.observe(spans, s.spans.interpreted, { outcome: 'interpreted' });
    for (const [reason, n] of Object.entries(s.spans.rejectedBy)) result.observe(spans, n, { outcome: 'rejected', reason });
    for (const [sink, d] of Object.entries(s.sinks)) {
      const at = (extra: Attributes = {}): Attributes => ({ sink, ...extra });
      for (const outcome of ['accepted', 'delivered', 'retried', 'spooled', 'replayed'] as const) {
        result.observe(records, d[outcome], at({ outcome }));
      }
      for (const [reason, n] of Object.entries(d.dropped)) result.observe(dropped, n, at({ reason }));
      for (const [reason, n] of Object.entries(d.rejected)) result.observe(rejected, n, at({ reason }));
      result.observe(queued, d.queuedRecords, at());
      result.observe(spoolSize, d.spoolBytes, at());
      result.observe(healthy, d.healthy ? 1 : 0, at());
    }
    for (const [reason, n] of Object.entries(s.sanitized)) result.observe(sanitized, n, { reason });
  };
  meter.addBatchObservableCallback(callback, instruments);
  return () => meter.removeBatchObservableCallback(callback, instruments);
}
