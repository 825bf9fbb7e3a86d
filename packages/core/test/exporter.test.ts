import { ATTR_TOOL_NAME } from '@mini-agent/semconv';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { recordSpans } from '@mini-agent/test-support';
import { describe, expect, it } from 'vitest';
import { DeliveryError, InterpretingExporter, type AgentRecord, type RecordSink } from '../src/index.js';

/** A sink that keeps what it is given, the way a database would. */
class MemorySink implements RecordSink {
  readonly batches: AgentRecord[][] = [];
  shutdownCalls = 0;
  constructor(readonly name = 'memory') {}
  async write(records: readonly AgentRecord[]): Promise<void> {
    this.batches.push([...records]);
  }
  async shutdown(): Promise<void> {
    this.shutdownCalls += 1;
  }
}

/** A sink whose backend is down. */
class DownSink implements RecordSink {
  readonly name = 'down';
  async write(): Promise<void> {
    throw new DeliveryError('connect ECONNREFUSED 127.0.0.1:1', true);
  }
  async shutdown(): Promise<void> {}
}

const exportOnce = (exporter: InterpretingExporter, spans: Parameters<InterpretingExporter['export']>[0]) =>
  new Promise<ExportResult>((resolve) => exporter.export(spans, resolve));

describe('InterpretingExporter', () => {
  it('interprets each span once and gives every sink the same records', async () => {
    const spans = await recordSpans((tracer) => {
      tracer.startSpan('tool', { attributes: { [ATTR_TOOL_NAME]: 'grep' } }).end();
      tracer.startSpan('step').end();
    });
    const a = new MemorySink('a');
    const b = new MemorySink('b');
    const exporter = new InterpretingExporter({ sinks: [a, b] });
    const result = await exportOnce(exporter, spans);
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    expect(a.batches).toHaveLength(1);
    expect(a.batches[0]!.map((r) => r.type).sort()).toEqual(['span', 'span', 'tool', 'trace', 'trace']);
    expect(b.batches[0]).not.toBe(a.batches[0]); // each sink got its own array
    expect(b.batches[0]).toEqual(a.batches[0]);
    expect(exporter.stats()).toMatchObject({
      spans: { received: 2, interpreted: 2, rejected: 0 },
      sinks: { a: { batches: 1, records: 5, failedBatches: 0 }, b: { records: 5 } },
    });
  });

  it('a sink that is down fails the export through the callback, counts the drop, and never throws', async () => {
    const spans = await recordSpans((tracer) => tracer.startSpan('s').end());
    const up = new MemorySink();
    const exporter = new InterpretingExporter({ sinks: [up, new DownSink()] });
    const result = await exportOnce(exporter, spans);
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(result.error?.message).toContain('ECONNREFUSED');
    expect(up.batches).toHaveLength(1); // the healthy sink still got the batch
    expect(exporter.stats().sinks.down).toMatchObject({ failedBatches: 1, droppedRecords: { retryable: 2, permanent: 0 } });
    expect(exporter.stats().sinks.down!.lastError).toContain('ECONNREFUSED');
  });

  it('works as a plain SpanExporter under the SDK BatchSpanProcessor, and shuts its sinks down', async () => {
    const sink = new MemorySink();
    const exporter = new InterpretingExporter({ sinks: [sink] });
    const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
    const tracer = provider.getTracer('t');
    for (let i = 0; i < 10; i++) tracer.startSpan(`step ${i}`).end();
    await provider.forceFlush();
    expect(sink.batches.flat().filter((r) => r.type === 'span')).toHaveLength(10);
    await provider.shutdown();
    expect(sink.shutdownCalls).toBe(1);
    expect(await exportOnce(exporter, [])).toMatchObject({ code: ExportResultCode.FAILED });
  });

  it('counts sanitized values in stats()', async () => {
    const spans = await recordSpans((tracer) => tracer.startSpan('s', { attributes: { text: 'a\u0000b', key: 'sk-lf-abcdef123456' } }).end());
    const exporter = new InterpretingExporter({ sinks: [new MemorySink()] });
    await exportOnce(exporter, spans);
    expect(exporter.stats().sanitized).toMatchObject({ nul_byte: 1, redacted: 1 });
  });
});
