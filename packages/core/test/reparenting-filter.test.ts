import { context, ROOT_CONTEXT, trace, type Tracer } from '@opentelemetry/api';
import { W3CBaggagePropagator } from '@opentelemetry/core';
import { recordSpans } from '@mini-agent/test-support';
import { describe, expect, it } from 'vitest';
import {
  InterpretingExporter,
  PropagatedAttributesProcessor,
  spanVerdict,
  withIdentityBaggage,
  type AgentRecord,
  type RecordSink,
  type SpanFilterOption,
  type SpanRecord,
} from '../src/index.js';

function keepingSink(filter?: SpanFilterOption): RecordSink & { records: AgentRecord[] } {
  const records: AgentRecord[] = [];
  return { name: 'memory', ...(filter ? { filter } : {}), records, write: async (batch) => void records.push(...batch), shutdown: async () => {} };
}

const spansOf = (records: readonly AgentRecord[]) => records.filter((r): r is SpanRecord => r.type === 'span');

/** session → tool → HTTP client span → HTTP server span → LLM call: the LLM's two ancestors above it are noise. */
async function toolCallingAService() {
  return recordSpans((tracer: Tracer) => {
    const inside = <T>(span: ReturnType<Tracer['startSpan']>, fn: () => T) => context.with(trace.setSpan(context.active(), span), fn);
    const session = tracer.startSpan('answer', { attributes: { 'mini_agent.span.kind': 'session' } });
    inside(session, () => {
      const tool = tracer.startSpan('execute_tool search', { attributes: { 'mini_agent.span.kind': 'tool', 'mini_agent.tool.name': 'search' } });
      inside(tool, () => {
        const client = tracer.startSpan('GET', { attributes: { 'http.request.method': 'GET', 'url.full': 'http://127.0.0.1/search' } });
        inside(client, () => {
          const server = tracer.startSpan('GET /search', { attributes: { 'http.request.method': 'GET', 'http.route': '/search' } });
          inside(server, () => {
            tracer.startSpan('SELECT docs', { attributes: { 'db.system.name': 'postgresql', 'db.query.text': 'SELECT 1' } }).end();
            tracer.startSpan('chat', { attributes: { 'mini_agent.span.kind': 'llm', 'gen_ai.request.model': 'm' } }).end();
          });
          server.end();
        });
        client.end();
      });
      tool.end();
    });
    session.end();
  });
}

describe('a sink filter with reparenting', () => {
  it('attaches a kept span to its nearest kept ancestor when its parents arrive in later batches, one span a batch', async () => {
    const spans = await toolCallingAService();
    const sink = keepingSink('agent');
    const everything = keepingSink();
    const exporter = new InterpretingExporter({ sinks: [sink, everything] });
    // End order, each span its own export, as a SimpleSpanProcessor sends them: children first.
    for (const span of spans) await exporter.exportSpans([span]);
    const byName = (name: string) => spans.find((s) => s.name === name)!.spanContext().spanId;
    const kept = spansOf(sink.records);
    expect(kept.map((s) => s.name).sort()).toEqual(['answer', 'chat', 'execute_tool search']);
    expect(kept.find((s) => s.name === 'chat')!.parentSpanId).toBe(byName('execute_tool search'));
    // The sink without a filter got the tree as made.
    expect(spansOf(everything.records).find((s) => s.name === 'chat')!.parentSpanId).toBe(byName('GET /search'));
    expect(exporter.stats().filtered).toEqual({ memory: { dropped: { http: 2, db: 1 }, reparented: 1, unresolved: 0, held: 0 } });
    await exporter.shutdown();
  });

  it('waits at most holdMs for an ancestor that never comes, then sends the span with the one it waited for', async () => {
    const spans = await toolCallingAService();
    const sink = keepingSink('agent');
    const exporter = new InterpretingExporter({ sinks: [sink], reparenting: { holdMs: 50 } });
    await exporter.exportSpans(spans.filter((s) => s.name === 'chat'));
    expect(spansOf(sink.records)).toEqual([]);
    expect(exporter.stats().filtered.memory!.held).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 120));
    const chat = spansOf(sink.records);
    expect(chat.map((s) => s.name)).toEqual(['chat']);
    expect(chat[0]!.parentSpanId).toBe(spans.find((s) => s.name === 'GET /search')!.spanContext().spanId);
    expect(exporter.stats().filtered.memory).toMatchObject({ unresolved: 1, held: 0 });
    await exporter.shutdown();
  });

  it('holds at most maxHeldSpans, and a flush sends what it holds: nothing is lost', async () => {
    const spans = await toolCallingAService();
    const sink = keepingSink('ai-only');
    const exporter = new InterpretingExporter({ sinks: [sink], reparenting: { maxHeldSpans: 1 } });
    await exporter.exportSpans(spans.filter((s) => s.name === 'chat' || s.name === 'execute_tool search'));
    // Both wait (for the server span and the session); the bound lets one of them through.
    expect(spansOf(sink.records)).toHaveLength(1);
    await exporter.forceFlush();
    expect(spansOf(sink.records)).toHaveLength(2);
    expect(exporter.stats().filtered.memory).toMatchObject({ unresolved: 2, held: 0 });
    await exporter.shutdown();
  });

  it('takes a predicate, keeps a span the predicate throws on, and refuses an unknown preset name', async () => {
    const verdict = spanVerdict((span) => {
      if (span.name === 'boom') throw new Error('bug in the predicate');
      return span.name !== 'drop me';
    })!;
    expect(verdict({ name: 'drop me' } as SpanRecord)).toBe('predicate');
    expect(verdict({ name: 'boom' } as SpanRecord)).toBeUndefined();
    expect(spanVerdict('all')).toBeUndefined();
    expect(() => spanVerdict('agents' as SpanFilterOption)).toThrow(/unknown span filter preset "agents"/);
  });
});

describe('the session identity in W3C baggage', () => {
  it('crosses a process boundary as a header and lands on the far side’s spans; invalid values do not', async () => {
    const propagator = new W3CBaggagePropagator();
    const carrier: Record<string, string> = {};
    const sender = withIdentityBaggage(ROOT_CONTEXT, { 'mini_agent.session.id': 'chat-9', 'mini_agent.user.id': 'u-9', 'mini_agent.user.context': '{"secret":1}' });
    propagator.inject(sender, carrier, { set: (c, k, v) => void (c[k] = v) });
    expect(carrier.baggage).toContain('mini_agent.session.id=chat-9');
    expect(carrier.baggage).not.toContain('user.context');
    // A hostile caller adds its own entries: an overlong user id and a control character.
    carrier.baggage += `,mini_agent.user.id=${'x'.repeat(300)},mini_agent.agent.name=bad%0Aname`;
    const received = propagator.extract(ROOT_CONTEXT, carrier, { get: (c, k) => c[k], keys: (c) => Object.keys(c) });
    const processor = new PropagatedAttributesProcessor({ baggage: true });
    const [span] = await recordSpans((tracer) => context.with(received, () => tracer.startSpan('handle request').end()), undefined, [processor]);
    // The later, overlong user id replaced the valid one in the baggage; it is refused, not trusted.
    expect(span!.attributes).toEqual({ 'mini_agent.session.id': 'chat-9' });
    expect(processor.rejectedBaggage.count).toBe(2);
  });

  it('is not read unless asked', async () => {
    const received = withIdentityBaggage(ROOT_CONTEXT, { 'mini_agent.session.id': 'chat-9' });
    const [span] = await recordSpans((tracer) => context.with(received, () => tracer.startSpan('handle request').end()), undefined, [new PropagatedAttributesProcessor()]);
    expect(span!.attributes).toEqual({});
  });
});
