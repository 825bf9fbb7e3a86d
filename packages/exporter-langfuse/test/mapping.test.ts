import { interpret, type AgentRecord, type GenerationRecord, type SpanRecord } from '@mini-agent/core';
import { ATTR_SPAN_KIND, ATTR_TOOL_INPUT, ATTR_TOOL_NAME, ATTR_TOOL_OUTPUT } from '@mini-agent/semconv';
import { recordSpans } from '@mini-agent/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import { mapRecords, type LangfuseBatch, type LangfuseObservation } from '../src/index.js';
import { langfuseEnvironment, usageDetails } from '../src/mapping.js';
import { recordAgentRun, type AgentRun } from './agent-run.js';

let run: AgentRun;
let batch: LangfuseBatch;
const observation = (id: string): LangfuseObservation => {
  const found = batch.observations.find((o) => o.id === id);
  if (!found) throw new Error(`no observation ${id}`);
  return found;
};

beforeAll(async () => {
  run = await recordAgentRun();
  batch = mapRecords(run.spans.flatMap((span) => interpret(span)));
});

describe('mapping records to Langfuse', () => {
  it('makes the session span the trace: name, session, user, release from the agent version, environment, input/output, tags', () => {
    expect(batch.traces).toHaveLength(1);
    expect(batch.traces[0]).toMatchObject({
      id: run.traceId,
      spanId: run.id('support-agent run'),
      name: 'support-agent run',
      sessionId: 'session-42',
      userId: 'user-7',
      release: '2.1.0',
      environment: 'staging',
      input: { question: 'Where is my order?' },
      output: { answer: 'It ships tomorrow.' },
      tags: ['support', 'orders'],
      metadata: expect.objectContaining({ 'mini_agent.agent.name': 'support-agent' }),
    });
  });

  it('gives every span one observation with the span id, the parent span id and the span times', () => {
    for (const span of run.spans) {
      const o = observation(span.spanContext().spanId);
      expect(o.traceId).toBe(run.traceId);
      expect(o.parentObservationId).toBe(span.parentSpanContext?.spanId ?? null);
      expect(o.startTime.getTime()).toBe(Math.floor(span.startTime[0] * 1000 + span.startTime[1] / 1e6));
    }
  });

  it('maps the session to an agent observation carrying the session input and output', () => {
    expect(observation(run.id('support-agent run'))).toMatchObject({ type: 'agent', input: { question: 'Where is my order?' }, parentObservationId: null });
  });

  it('maps a tool span to a tool observation with its input, output, category and metrics in metadata', () => {
    const tool = observation(run.id('read_file'));
    expect(tool).toMatchObject({ type: 'tool', input: { path: 'orders/123.json' }, output: { status: 'shipped' }, level: 'DEFAULT' });
    expect(tool.metadata).toMatchObject({ 'mini_agent.tool.name': 'read_file', 'mini_agent.tool.category': 'file', 'mini_agent.metrics': [expect.objectContaining({ type: 'latency', value: 12, unit: 'ms' })] });
  });

  it('maps an LLM span to a generation with model, parameters and usage (cached and reasoning tokens split out)', () => {
    expect(observation(run.id('chat gpt-4o'))).toMatchObject({
      type: 'generation',
      model: 'gpt-4o-2024-08-06',
      modelParameters: { temperature: 0.2, max_tokens: 256 },
      usageDetails: { input: 80, output: 40, total: 150, input_cached_tokens: 20, output_reasoning_tokens: 10 },
      input: [expect.objectContaining({ role: 'user' })],
      metadata: expect.objectContaining({ 'mini_agent.llm.provider': 'openai' }),
    });
  });

  it('maps a decision span to an event: options in, chosen out, reasoning in metadata', () => {
    expect(observation(run.id('choose tool'))).toMatchObject({
      type: 'event',
      input: ['read_file', 'search'],
      output: 'read_file',
      metadata: expect.objectContaining({ 'mini_agent.decision.type': 'tool_selection', 'mini_agent.decision.reasoning': 'the order id is known' }),
    });
  });

  it('turns a decision recorded inside a step into an event under that step, with an id derived the same way every time', () => {
    expect(observation(run.id('plan')).type).toBe('span');
    const events = batch.observations.filter((o) => o.parentObservationId === run.id('plan'));
    expect(events).toEqual([expect.objectContaining({ type: 'event', name: 'plan', input: ['answer', 'escalate'], output: 'answer' })]);
    expect(events[0]!.id).toMatch(/^[0-9a-f]{16}$/);
    const again = mapRecords(run.spans.flatMap((span) => interpret(span)));
    expect(again.observations.map((o) => o.id)).toEqual(batch.observations.map((o) => o.id));
  });

  it('marks a failed span ERROR with its status message', () => {
    expect(observation(run.id('write_file'))).toMatchObject({ type: 'tool', level: 'ERROR', statusMessage: 'disk full' });
  });

  it('gives every observation the trace-level fields of the session, one release and one version', () => {
    for (const o of batch.observations) {
      expect(o).toMatchObject({ sessionId: 'session-42', userId: 'user-7', traceName: 'support-agent run', tags: ['support', 'orders'], release: '2.1.0', version: '2.1.0', environment: 'staging' });
    }
  });

  it('keeps every metadata key of observations and trace under mini_agent.', () => {
    const keys = [...batch.observations.flatMap((o) => Object.keys(o.metadata)), ...batch.traces.flatMap((t) => Object.keys(t.metadata))];
    expect(keys.length).toBeGreaterThan(10);
    expect(keys.filter((key) => !key.startsWith('mini_agent.'))).toEqual([]);
  });

  it('lets configured environment and release override what the spans say', () => {
    const overridden = mapRecords(run.spans.flatMap((span) => interpret(span)), { environment: 'production', release: 'r-99' });
    expect(overridden.traces[0]).toMatchObject({ environment: 'production', release: 'r-99' });
    expect(overridden.observations.every((o) => o.environment === 'production' && o.release === 'r-99')).toBe(true);
  });
});

describe('mapping details', () => {
  it('carries the completion start time of a generation', () => {
    const base = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), parentSpanId: null, startTime: new Date(1000), endTime: new Date(3000), durationMs: 2000 };
    const generation: GenerationRecord = {
      ...base, type: 'generation', name: 'stream', model: 'm', provider: null, input: 'hi', output: 'hello',
      usage: { input: 1, output: 2, total: null, cached: null, cacheCreation: null, reasoning: null }, modelParameters: { stop: ['\n'] },
      success: true, errorMessage: null, completionStartTime: new Date(1500),
    };
    const records: AgentRecord[] = [generation];
    const [o] = mapRecords(records).observations;
    expect(o).toMatchObject({ completionStartTime: new Date(1500), usageDetails: { input: 1, output: 2, total: 3 }, modelParameters: { stop: '["\\n"]' } });
  });

  it('keeps span attributes in metadata but cuts any long value short', () => {
    const span: SpanRecord = {
      traceId: 'a'.repeat(32), spanId: 'c'.repeat(16), type: 'span', parentSpanId: null, name: 'step', kind: 'step', otelKind: 'internal',
      status: 'unset', statusMessage: null, startTime: new Date(0), endTime: new Date(1), durationMs: 1,
      attributes: { 'app.customer': 'acme', 'app.blob': 'x'.repeat(100_000) }, events: [], links: [], resource: {}, scope: { name: 's', version: null },
    };
    const [o] = mapRecords([span]).observations;
    const attributes = o!.metadata['mini_agent.span.attributes'] as Record<string, string>;
    expect(attributes['app.customer']).toBe('acme');
    expect(attributes['app.blob']!.length).toBeLessThan(2100);
    expect(attributes['app.blob']).toContain('truncated by mini-agent: 100000 bytes');
  });

  it('leaves out of metadata the attributes that are, word for word, the input or output; keeps the rest', async () => {
    const input = '{"path": "/srv/a.md"}';
    const [span] = await recordSpans((tracer) =>
      tracer
        .startSpan('read', {
          attributes: { [ATTR_SPAN_KIND]: 'tool', [ATTR_TOOL_NAME]: 'read_file', [ATTR_TOOL_INPUT]: input, [ATTR_TOOL_OUTPUT]: 'done', 'app.copy': input, 'app.other': '{"path":"/srv/a.md"}' },
        })
        .end(),
    );
    const [o] = mapRecords(interpret(span!)).observations;
    expect(o).toMatchObject({ type: 'tool', input: { path: '/srv/a.md' }, output: 'done' });
    const attributes = o!.metadata['mini_agent.span.attributes'] as Record<string, unknown>;
    expect(Object.keys(attributes)).not.toContain(ATTR_TOOL_INPUT);
    expect(Object.keys(attributes)).not.toContain(ATTR_TOOL_OUTPUT);
    expect(Object.keys(attributes)).not.toContain('app.copy');
    // Same text under another name is gone too (it is the input); other spellings of it stay.
    expect(attributes).toMatchObject({ [ATTR_TOOL_NAME]: 'read_file', 'app.other': '{"path":"/srv/a.md"}' });
  });

  it('makes environments Langfuse accepts', () => {
    expect(langfuseEnvironment('Production EU')).toBe('production-eu');
    expect(langfuseEnvironment('langfuse-internal')).toBe('env-langfuse-internal');
    expect(langfuseEnvironment('x'.repeat(60))).toHaveLength(40);
    expect(langfuseEnvironment('***')).toBeNull();
  });

  it('takes cache reads and cache writes out of input, each its own priced key, as Langfuse prices Anthropic usage', () => {
    expect(usageDetails({ input: 1200, output: 80, total: null, cached: 200, cacheCreation: 900, reasoning: null })).toEqual({
      input: 100,
      output: 80,
      total: 1280,
      input_cached_tokens: 200,
      input_cache_creation: 900,
    });
  });

  it('reports no usage when no count is known', () => {
    expect(usageDetails({ input: null, output: null, total: null, cached: null, cacheCreation: null, reasoning: null })).toBeNull();
  });
});
