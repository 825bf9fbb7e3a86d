// Where an observation's trace-level fields come from when the session span does not say them, or
// when the span's own record is not in the batch: the session span of the trace where it is in
// the batch, else the fields the span carries itself. Spans are made with the real SDK.
import { interpret, type AgentRecord, type GenerationRecord, type SpanRecord, type ToolExecutionRecord, type TraceRecord } from '@mini-agent/core';
import * as sc from '@mini-agent/semconv';
import { GenAiAttributes as G } from '@mini-agent/semconv';
import { recordSpans } from '@mini-agent/test-support';
import { SpanStatusCode } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { mapRecords } from '../src/index.js';

/** A session span that says nothing but its kind, around a step, a tool and an LLM call that carry the session's fields. */
async function quietSession(): Promise<AgentRecord[]> {
  const carried = {
    [sc.ATTR_SESSION_ID]: 'carried-session', [sc.ATTR_USER_ID]: 'carried-user', [sc.ATTR_SESSION_TAGS]: ['carried'],
    [sc.ATTR_AGENT_VERSION]: '9.9.9',
  };
  const spans = await recordSpans((tracer) =>
    tracer.startActiveSpan('quiet run', (s) => {
      s.setAttribute(sc.ATTR_SPAN_KIND, 'session');
      tracer.startActiveSpan('step', (step) => {
        step.setAttributes({ [sc.ATTR_SPAN_KIND]: 'step', ...carried });
        step.end();
      });
      tracer.startActiveSpan('execute_tool grep', (tool) => {
        tool.setAttributes({ [sc.ATTR_SPAN_KIND]: 'tool', [sc.ATTR_TOOL_NAME]: 'grep', ...carried });
        tool.setStatus({ code: SpanStatusCode.ERROR, message: 'no such file' });
        tool.end();
      });
      tracer.startActiveSpan('chat m', (llm) => {
        llm.setAttributes({ [G.OPERATION_NAME]: 'chat', [G.REQUEST_MODEL]: 'm', ...carried });
        llm.end();
      });
      s.end();
    }),
    // No service.version: the session span knows no version.
    { 'service.name': 'quiet-agent' },
  );
  return spans.flatMap((span) => interpret(span));
}

describe('trace-level fields of observations', () => {
  it('come from the span itself where the session span does not say them', async () => {
    const batch = mapRecords(await quietSession());
    const step = batch.observations.find((o) => o.name === 'step')!;
    expect(step).toMatchObject({ sessionId: 'carried-session', userId: 'carried-user', tags: ['carried'], version: '9.9.9', release: '9.9.9', traceName: 'quiet run' });
    const session = batch.observations.find((o) => o.name === 'quiet run')!;
    expect(session).toMatchObject({ type: 'agent', sessionId: null, userId: null, tags: [] });
  });

  it('of a tool or LLM call whose span record is not in the batch come from the session span of their trace', async () => {
    const records = await quietSession();
    const sessionRecord = records.find((r): r is TraceRecord => r.type === 'trace' && r.complete)!;
    const tool = records.find((r): r is ToolExecutionRecord => r.type === 'tool')!;
    const generation = records.find((r): r is GenerationRecord => r.type === 'generation')!;
    const named = { ...sessionRecord, sessionId: 'the-session', name: 'named run' };
    const batch = mapRecords([named, tool, generation]);
    for (const id of [tool.spanId, generation.spanId]) {
      expect(batch.observations.find((o) => o.id === id)).toMatchObject({ sessionId: 'the-session', traceName: 'named run', traceId: sessionRecord.traceId });
    }
    // A failed tool without its span: the message is the tool's own.
    expect(batch.observations.find((o) => o.id === tool.spanId)).toMatchObject({ type: 'tool', name: 'grep', level: 'ERROR', statusMessage: tool.errorMessage, parentObservationId: tool.parentSpanId });
    expect(tool.errorMessage).toBeTruthy();
  });
});

describe('what a record leaves out stays out', () => {
  it('a span whose trace record is not in the batch takes its trace from the span, and no tags from a session that has none', async () => {
    const records = await quietSession();
    const sessionRecord = records.find((r): r is TraceRecord => r.type === 'trace' && r.complete)!;
    const step = records.find((r): r is SpanRecord => r.type === 'span' && r.name === 'step')!;
    const batch = mapRecords([{ ...sessionRecord, sessionId: 'the-session' }, step]);
    expect(batch.observations.find((o) => o.id === step.spanId)).toMatchObject({ sessionId: 'the-session', tags: [], traceName: 'quiet run' });
  });

  it('a session without agent name or resource: no such keys in the trace metadata', async () => {
    const sessionRecord = (await quietSession()).find((r): r is TraceRecord => r.type === 'trace' && r.complete)!;
    const [trace] = mapRecords([{ ...sessionRecord, agentName: null, resource: {} }]).traces;
    expect(trace!.metadata).toEqual({});
  });

  it('a span without a scope name: no scope key', async () => {
    const step = (await quietSession()).find((r): r is SpanRecord => r.type === 'span' && r.name === 'step')!;
    const [o] = mapRecords([{ ...step, scope: { name: '', version: null } }]).observations;
    expect(Object.keys(o!.metadata)).not.toContain('mini_agent.span.scope');
    expect(mapRecords([step]).observations[0]!.metadata['mini_agent.span.scope']).toEqual({ name: 'test-support', version: null });
  });
});

describe('model parameters', () => {
  it('are scalars, or JSON text for lists and objects; null values are left out; none at all is null', async () => {
    const generation = (await quietSession()).find((r): r is GenerationRecord => r.type === 'generation')!;
    const [o] = mapRecords([{ ...generation, modelParameters: { temperature: 0, stream: false, stop: ['\n'], tools: { choice: 'auto' }, seed: null } }]).observations;
    expect(o!.modelParameters).toEqual({ temperature: 0, stream: false, stop: '["\\n"]', tools: '{"choice":"auto"}' });
    expect(mapRecords([{ ...generation, modelParameters: { seed: null } }]).observations[0]!.modelParameters).toBeNull();
    expect(mapRecords([{ ...generation, modelParameters: {} }]).observations[0]!.modelParameters).toBeNull();
  });
});
