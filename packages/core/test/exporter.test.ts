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

/** A sink whose backend fails a given number of writes, then recovers. */
class FlakySink implements RecordSink {
  readonly name = 'flaky';
  readonly stored: AgentRecord[] = [];
  constructor(private failures: number) {}
  async write(records: readonly AgentRecord[]): Promise<void> {
    if (this.failures-- > 0) throw new DeliveryError('503 Service Unavailable', true);
    this.stored.push(...records);
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
      sinks: { a: { accepted: 5, delivered: 5, dropped: {}, healthy: true }, b: { delivered: 5 } },
    });
  });

  it('with retries off, a sink that is down fails the export through the callback and counts the drop', async () => {
    const spans = await recordSpans((tracer) => tracer.startSpan('s').end());
    const up = new MemorySink();
    const exporter = new InterpretingExporter({ sinks: [up, new DownSink()], delivery: { retries: false } });
    const result = await exportOnce(exporter, spans);
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(result.error?.message).toContain('failed_without_retry');
    expect(up.batches).toHaveLength(1); // the healthy sink still got the batch
    expect(exporter.stats().sinks.down).toMatchObject({ accepted: 2, delivered: 0, dropped: { failed_without_retry: 2 } });
    expect(exporter.stats().sinks.down!.lastError).toContain('ECONNREFUSED');
  });

  it('by default, a sink that is down gets the batch later: the export is accepted and retried in the background', async () => {
    const spans = await recordSpans((tracer) => tracer.startSpan('s').end());
    const flaky = new FlakySink(3);
    const exporter = new InterpretingExporter({ sinks: [flaky], delivery: { retry: { initialDelayMs: 1, maxDelayMs: 5 } } });
    const result = await exportOnce(exporter, spans);
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    await exporter.forceFlush();
    expect(flaky.stored).toHaveLength(2);
    expect(exporter.stats().sinks.flaky).toMatchObject({ accepted: 2, delivered: 2, retried: 4, healthy: true, dropped: {} });
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

  it("leaves interpretation off the agent's stack when a span end fills the processor's batch", async () => {
    const sink = new MemorySink();
    const exporter = new InterpretingExporter({ sinks: [sink] });
    // A full batch makes the BatchSpanProcessor call export() from inside span.end().
    const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter, { maxExportBatchSize: 2 })] });
    const tracer = provider.getTracer('t');
    tracer.startSpan('first').end();
    tracer.startSpan('second').end();
    expect(exporter.stats().spans.received).toBe(0);
    expect(sink.batches).toHaveLength(0);
    await provider.forceFlush();
    await exporter.forceFlush();
    expect(exporter.stats().spans).toMatchObject({ received: 2, interpreted: 2 });
    expect(sink.batches.flat().filter((r) => r.type === 'span').map((r) => r.type === 'span' && r.name)).toEqual(['first', 'second']);
    await provider.shutdown();
  });

  it('with deferExport: false (a caller that is no agent, like the bridge) interprets at once, on the caller\'s stack', async () => {
    const spans = await recordSpans((tracer) => tracer.startSpan('now').end());
    const exporter = new InterpretingExporter({ sinks: [new MemorySink()], deferExport: false });
    const done = new Promise((resolve) => exporter.export([...spans], resolve));
    expect(exporter.stats().spans).toMatchObject({ received: 1, interpreted: 1 });
    expect(await done).toMatchObject({ code: ExportResultCode.SUCCESS });
    await exporter.shutdown();
  });

  it('counts sanitized values in stats()', async () => {
    const spans = await recordSpans((tracer) => tracer.startSpan('s', { attributes: { text: 'a\u0000b', key: 'sk-lf-abcdef123456' } }).end());
    const exporter = new InterpretingExporter({ sinks: [new MemorySink()] });
    await exportOnce(exporter, spans);
    expect(exporter.stats().sanitized).toMatchObject({ nul_byte: 1, redacted: 1 });
  });
});
