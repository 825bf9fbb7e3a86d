import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader, type DataPoint } from '@opentelemetry/sdk-metrics';
import { recordSpans } from '@mini-agent/test-support';
import { describe, expect, it } from 'vitest';
import { DeliveryError, EXPORTER_METRICS, InterpretingExporter, type AgentRecord, type RecordSink } from '../src/index.js';

/** A sink that stores until it is told the database went away. */
class Sink implements RecordSink {
  readonly stored: AgentRecord[] = [];
  down = false;
  constructor(readonly name: string) {}
  async write(records: readonly AgentRecord[]): Promise<void> {
    if (this.down) throw new DeliveryError('connect ECONNREFUSED', true);
    this.stored.push(...records);
  }
  async shutdown(): Promise<void> {}
}

/** Collects once through a real metric reader and returns the points of one metric. */
async function collect(reader: PeriodicExportingMetricReader, memory: InMemoryMetricExporter, name: string): Promise<DataPoint<number>[]> {
  memory.reset();
  await reader.forceFlush();
  const metrics = memory.getMetrics().flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics));
  return metrics.filter((m) => m.descriptor.name === name).flatMap((m) => m.dataPoints as DataPoint<number>[]);
}

const valueOf = (points: DataPoint<number>[], attributes: Record<string, string>) =>
  points.find((p) => Object.entries(attributes).every(([k, v]) => p.attributes[k] === v))?.value;

describe('exporter counters as OpenTelemetry metrics', () => {
  it('a meter given to the exporter reports delivered, dropped, queue depth and health per sink', async () => {
    const memory = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter: memory, exportIntervalMillis: 60_000 });
    const provider = new MeterProvider({ readers: [reader] });
    const up = new Sink('postgres');
    const down = new Sink('langfuse');
    down.down = true;
    const exporter = new InterpretingExporter({
      sinks: [up, down],
      meter: provider.getMeter('mini-agent'),
      delivery: { retry: { initialDelayMs: 60_000, maxDelayMs: 60_000 }, maxQueuedRecords: 4 },
    });
    const spans = await recordSpans((tracer) => {
      for (let i = 0; i < 3; i++) tracer.startSpan(`step ${i}`, { attributes: { note: 'a\u0000b' } }).end();
    });
    await exporter.exportSpans(spans.slice(0, 2)); // 4 records: held in memory for the down sink
    await exporter.exportSpans(spans.slice(2)); // 2 more: over the bound, dropped for the down sink

    const records = await collect(reader, memory, EXPORTER_METRICS.records);
    expect(valueOf(records, { sink: 'postgres', outcome: 'delivered' })).toBe(6);
    expect(valueOf(records, { sink: 'langfuse', outcome: 'accepted' })).toBe(6);
    expect(valueOf(records, { sink: 'langfuse', outcome: 'delivered' })).toBe(0);
    expect(valueOf(await collect(reader, memory, EXPORTER_METRICS.dropped), { sink: 'langfuse', reason: 'queue_full' })).toBe(2);
    expect(valueOf(await collect(reader, memory, EXPORTER_METRICS.queued), { sink: 'langfuse' })).toBe(4);
    const health = await collect(reader, memory, EXPORTER_METRICS.healthy);
    expect(valueOf(health, { sink: 'postgres' })).toBe(1);
    expect(valueOf(health, { sink: 'langfuse' })).toBe(0);
    expect(valueOf(await collect(reader, memory, EXPORTER_METRICS.spans), { outcome: 'received' })).toBe(3);
    expect(valueOf(await collect(reader, memory, EXPORTER_METRICS.sanitized), { reason: 'nul_byte' })).toBe(3);

    // The metrics follow the sink as it recovers.
    down.down = false;
    await exporter.forceFlush();
    expect(valueOf(await collect(reader, memory, EXPORTER_METRICS.records), { sink: 'langfuse', outcome: 'delivered' })).toBe(4);
    expect(valueOf(await collect(reader, memory, EXPORTER_METRICS.healthy), { sink: 'langfuse' })).toBe(1);
    await exporter.shutdown();
    await provider.shutdown();
  });
});
