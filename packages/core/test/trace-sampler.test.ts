import { SpanStatusCode, trace, context, type Tracer } from '@opentelemetry/api';
import { recordSpans } from '@mini-agent/test-support';
import { describe, expect, it } from 'vitest';
import { InterpretingExporter, type AgentRecord, type ReadableSpan, type RecordSink } from '../src/index.js';

/** A sink that keeps what it is given: the records a real store would get. */
function keepingSink(): RecordSink & { records: AgentRecord[] } {
  const records: AgentRecord[] = [];
  return { name: 'memory', records, write: async (batch) => void records.push(...batch), shutdown: async () => {} };
}

/** One session: a session span with a tool and an LLM call inside; failed or slow on request. */
function session(tracer: Tracer, i: number, how: 'ok' | 'failed' | 'slow'): void {
  const start = how === 'slow' ? Date.now() - 45_000 : Date.now();
  const root = tracer.startSpan(`session ${i}`, { attributes: { 'mini_agent.span.kind': 'session', 'mini_agent.session.id': `s-${i}` }, startTime: start });
  context.with(trace.setSpan(context.active(), root), () => {
    tracer.startSpan('execute_tool search', { attributes: { 'mini_agent.span.kind': 'tool', 'mini_agent.tool.name': 'search' } }).end();
    tracer.startSpan('chat', { attributes: { 'mini_agent.span.kind': 'llm', 'gen_ai.request.model': 'gpt-4o-mini' } }).end();
  });
  if (how === 'failed') root.setStatus({ code: SpanStatusCode.ERROR, message: 'tool failed' });
  root.end();
}

/** The ids of the sessions whose records reached the sink, with how many spans each. */
function spansPerTrace(records: readonly AgentRecord[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of records) if (r.type === 'span') counts.set(r.traceId, (counts.get(r.traceId) ?? 0) + 1);
  return counts;
}

describe('the session-level tail sampler over 1,000 sessions', () => {
  const RATE = 0.25;
  let spans: ReadableSpan[];
  const kinds = new Map<string, 'ok' | 'failed' | 'slow'>();

  it('keeps every failed and every slow session, about the rate of the others, each whole', async () => {
    spans = await recordSpans((tracer) => {
      for (let i = 0; i < 1_000; i++) session(tracer, i, i % 10 === 0 ? 'failed' : i % 50 === 1 ? 'slow' : 'ok');
    });
    for (const s of spans) if (s.name.startsWith('session ')) {
      const i = Number(s.name.slice(8));
      kinds.set(s.spanContext().traceId, i % 10 === 0 ? 'failed' : i % 50 === 1 ? 'slow' : 'ok');
    }
    const sink = keepingSink();
    const exporter = new InterpretingExporter({ sinks: [sink], sampling: { rate: RATE, slowMs: 30_000 } });
    // In batches of 64, as a BatchSpanProcessor would hand them over: sessions straddle batches.
    for (let i = 0; i < spans.length; i += 64) await exporter.exportSpans(spans.slice(i, i + 64));
    const stats = exporter.stats().sampling!;
    await exporter.shutdown();

    const kept = spansPerTrace(sink.records);
    const keptOf = (kind: string) => [...kinds].filter(([id, k]) => k === kind && kept.has(id)).length;
    expect(keptOf('failed')).toBe(100);
    expect(keptOf('slow')).toBe(20);
    // 880 ordinary sessions at 25 %: 220 expected, standard deviation 12.8; ±5 deviations never fails by chance (p < 1e-6).
    const ordinary = keptOf('ok');
    expect(ordinary).toBeGreaterThanOrEqual(220 - 64);
    expect(ordinary).toBeLessThanOrEqual(220 + 64);
    // Whole or not at all: three spans for every kept trace.
    expect([...kept.values()].every((n) => n === 3)).toBe(true);
    expect(stats).toEqual({ keptTraces: { error: 100, slow: 20, rate: ordinary }, droppedTraces: 880 - ordinary, droppedSpans: 3 * (880 - ordinary), bufferedSpans: 0 });
  });

  it('decides the same way for the same trace ids in another exporter (the rate is read from the trace id)', async () => {
    const first = keepingSink();
    const second = keepingSink();
    for (const sink of [first, second]) {
      const exporter = new InterpretingExporter({ sinks: [sink], sampling: { rate: RATE } });
      await exporter.exportSpans(spans);
      await exporter.shutdown();
    }
    expect([...spansPerTrace(first.records).keys()].sort()).toEqual([...spansPerTrace(second.records).keys()].sort());
  });
});

describe('the sampler’s bounded buffer', () => {
  it('keeps a trace it cannot hold until its session ends (never loses it) and counts it', async () => {
    const spans = await recordSpans((tracer) => {
      for (let i = 0; i < 3; i++) session(tracer, i, 'ok');
    });
    const sink = keepingSink();
    // Rate 0: only the buffer's overflow can keep an ordinary session.
    const exporter = new InterpretingExporter({ sinks: [sink], sampling: { rate: 0, maxBufferedSpans: 2 } });
    const children = spans.filter((s) => !s.name.startsWith('session '));
    await exporter.exportSpans(children);
    await exporter.exportSpans(spans.filter((s) => s.name.startsWith('session ')));
    const stats = exporter.stats().sampling!;
    await exporter.shutdown();
    // Two children a trace, three traces, a buffer of two spans: the first two traces overflow and are kept whole.
    expect(stats.keptTraces).toEqual({ overflow: 2 });
    expect(stats.droppedTraces).toBe(1);
    expect([...spansPerTrace(sink.records).values()]).toEqual([3, 3]);
  });

  it('keeps what still waits when the exporter shuts down', async () => {
    const spans = await recordSpans((tracer) => session(tracer, 0, 'ok'));
    const sink = keepingSink();
    const exporter = new InterpretingExporter({ sinks: [sink], sampling: { rate: 0 } });
    await exporter.exportSpans(spans.filter((s) => !s.name.startsWith('session ')));
    expect(sink.records).toEqual([]);
    await exporter.shutdown();
    expect(exporter.stats().sampling!.keptTraces).toEqual({ flush: 1 });
    expect(spansPerTrace(sink.records).size).toBe(1);
  });

  it('refuses a rate outside 0–1', () => {
    expect(() => new InterpretingExporter({ sinks: [], sampling: { rate: 1.5 } })).toThrow(/between 0 and 1/);
  });
});
