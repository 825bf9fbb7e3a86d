// The mapping field by field, for what mapping.test.ts's agent run does not show: metadata that is
// left out when there is nothing to say, batches without the session span or without a span
// record, two traces in one batch, usage counts that cannot be priced, and the names Langfuse
// accepts. Spans are made with the real SDK and interpreted, as the exporter gets them.
import { interpret, type AgentRecord } from '@mini-agent/core';
import * as sc from '@mini-agent/semconv';
import { GenAiAttributes as G } from '@mini-agent/semconv';
import { recordSpans } from '@mini-agent/test-support';
import { SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { mapRecords, type LangfuseBatch, type LangfuseObservation, type MappingOptions } from '../src/index.js';
import { langfuseEnvironment, usageDetails } from '../src/mapping.js';

const RESOURCE = { 'service.name': 'fields-agent' };

async function recordsOf(fn: (tracer: Tracer) => unknown, resource: Record<string, string> = RESOURCE): Promise<AgentRecord[]> {
  const spans = await recordSpans(fn, resource);
  return spans.flatMap((span) => interpret(span));
}

async function mapSpans(fn: (tracer: Tracer) => unknown, options?: MappingOptions, resource?: Record<string, string>): Promise<LangfuseBatch> {
  return mapRecords(await recordsOf(fn, resource), options);
}

const named = (batch: LangfuseBatch, name: string): LangfuseObservation => {
  const found = batch.observations.find((o) => o.name === name);
  if (!found) throw new Error(`no observation ${name} in ${batch.observations.map((o) => o.name).join(', ')}`);
  return found;
};

describe('the trace', () => {
  it('carries agent name and version, user context, session status and message, and the resource in metadata', async () => {
    const batch = await mapSpans(
      (tracer) =>
        tracer.startActiveSpan('run', (s) => {
          s.setAttributes({
            [sc.ATTR_SPAN_KIND]: 'session', [sc.ATTR_AGENT_NAME]: 'fields-agent', [sc.ATTR_AGENT_VERSION]: '2.0.1',
            [sc.ATTR_USER_CONTEXT]: JSON.stringify({ plan: 'pro' }), [sc.ATTR_SESSION_ID]: 's-1', [sc.ATTR_USER_ID]: 'u-1',
          });
          s.setStatus({ code: SpanStatusCode.ERROR, message: 'gave up' });
          s.end();
        }),
      {},
      { 'service.name': 'fields-agent', 'app.note': 'n'.repeat(5000) },
    );
    const [trace] = batch.traces;
    expect(trace).toMatchObject({ name: 'run', sessionId: 's-1', userId: 'u-1', version: '2.0.1', release: '2.0.1' });
    const metadata = trace!.metadata;
    expect(metadata).toMatchObject({
      'mini_agent.agent.name': 'fields-agent',
      'mini_agent.agent.version': '2.0.1',
      'mini_agent.user.context': { plan: 'pro' },
      'mini_agent.session.status': 'error',
      'mini_agent.session.status_message': 'gave up',
    });
    const resource = metadata['mini_agent.resource'] as Record<string, string>;
    expect(resource['service.name']).toBe('fields-agent');
    expect(resource['app.note']).toContain('…[truncated by mini-agent: 5000 bytes, limit 2048]');
    // The agent observation is failed too, and named by its agent in metadata.
    expect(named(batch, 'run')).toMatchObject({ type: 'agent', level: 'ERROR', statusMessage: 'gave up', metadata: expect.objectContaining({ 'mini_agent.agent.name': 'fields-agent' }) });
  });

  it('leaves out of metadata what the session does not say', async () => {
    const batch = await mapSpans((tracer) =>
      tracer.startActiveSpan('bare run', (s) => {
        s.setAttribute(sc.ATTR_SPAN_KIND, 'session');
        s.end();
      }),
    );
    // The agent's name is the service's; nothing else is known.
    expect(Object.keys(batch.traces[0]!.metadata).sort()).toEqual(['mini_agent.agent.name', 'mini_agent.resource']);
    expect(batch.traces[0]).toMatchObject({ sessionId: null, userId: null, tags: [], environment: null });
  });

  it('is made only by a session span; a batch of child spans gives observations with the fields they carry', async () => {
    const records = await recordsOf((tracer) =>
      tracer.startActiveSpan('run', (s) => {
        s.setAttributes({ [sc.ATTR_SPAN_KIND]: 'session', [sc.ATTR_SESSION_ID]: 'from-session', [sc.ATTR_SESSION_TAGS]: ['t1'] });
        tracer.startActiveSpan('step', (step) => {
          step.setAttributes({ [sc.ATTR_SPAN_KIND]: 'step', [sc.ATTR_SESSION_ID]: 'from-step' });
          step.end();
        });
        s.end();
      }),
    );
    const sessionSpanId = records.find((r) => r.type === 'trace' && r.complete)!.spanId;
    const children = mapRecords(records.filter((r) => r.spanId !== sessionSpanId));
    expect(children.traces).toEqual([]);
    expect(children.observations).toHaveLength(1);
    expect(children.observations[0]).toMatchObject({ name: 'step', sessionId: 'from-step', tags: [] });
    // With the session span in the batch, it speaks for every observation of its trace.
    const all = mapRecords(records);
    expect(named(all, 'step')).toMatchObject({ sessionId: 'from-session', tags: ['t1'] });
  });

  it('keeps two traces of one batch apart', async () => {
    const records = await recordsOf((tracer) => {
      for (const id of ['a', 'b']) {
        tracer.startActiveSpan(`run ${id}`, { root: true }, (s) => {
          s.setAttributes({ [sc.ATTR_SPAN_KIND]: 'session', [sc.ATTR_SESSION_ID]: `session-${id}`, [sc.ATTR_AGENT_VERSION]: `${id}.0` });
          tracer.startActiveSpan(`step ${id}`, (step) => step.end());
          s.end();
        });
      }
    });
    const batch = mapRecords(records);
    expect(batch.traces.map((t) => t.sessionId).sort()).toEqual(['session-a', 'session-b']);
    expect(named(batch, 'step a')).toMatchObject({ sessionId: 'session-a', version: 'a.0', traceName: 'run a' });
    expect(named(batch, 'step b')).toMatchObject({ sessionId: 'session-b', version: 'b.0', traceName: 'run b' });
  });

  it('takes a configured environment in the form Langfuse accepts, and a configured release without changing the version', async () => {
    const batch = await mapSpans(
      (tracer) =>
        tracer.startActiveSpan('run', (s) => {
          s.setAttributes({ [sc.ATTR_SPAN_KIND]: 'session', [sc.ATTR_AGENT_VERSION]: '1.0' });
          s.end();
        }),
      { environment: 'Prod EU', release: 'r-7' },
    );
    expect(batch.traces[0]).toMatchObject({ environment: 'prod-eu', release: 'r-7', version: '1.0' });
    expect(batch.observations[0]).toMatchObject({ environment: 'prod-eu', release: 'r-7', version: '1.0' });
  });
});

describe('observations', () => {
  it('of a plain span: its name, kinds, duration, scope, attributes, events and links; no model fields', async () => {
    const batch = await mapSpans((tracer) =>
      tracer.startActiveSpan('fetch page', { kind: SpanKind.CLIENT, startTime: new Date(1000) }, (s) => {
        s.setAttributes({ 'http.url': 'https://example.test/a' });
        s.addLink({ context: { traceId: 'c'.repeat(32), spanId: 'd'.repeat(16), traceFlags: 1 }, attributes: { why: 'retry of' } });
        s.addEvent('retry', { attempt: 2 }, new Date(1200));
        s.addEvent(sc.EVENT_METRIC, { [sc.ATTR_METRIC_TYPE]: 'latency', [sc.ATTR_METRIC_VALUE]: 3, [sc.ATTR_METRIC_UNIT]: 'ms' }, new Date(1300));
        s.addEvent(sc.EVENT_METRIC, { [sc.ATTR_METRIC_TYPE]: 'cpu', [sc.ATTR_METRIC_VALUE]: 'n/a' }, new Date(1400));
        s.addEvent(sc.EVENT_DECISION, { [sc.ATTR_DECISION_TYPE]: 'retry?', [sc.ATTR_DECISION_CHOSEN]: 'yes' }, new Date(1450));
        s.end(new Date(1500));
      }),
    );
    const o = named(batch, 'fetch page');
    expect(o).toMatchObject({
      type: 'span', level: 'DEFAULT', statusMessage: null, model: null, modelParameters: null, usageDetails: null, completionStartTime: null,
      input: null, output: null, startTime: new Date(1000), endTime: new Date(1500),
    });
    expect(o.otel).toMatchObject({ kind: 'client', status: 'unset', statusMessage: null });
    expect(o.otel.resource).toMatchObject(RESOURCE);
    // Not an agent, not a decision: neither's keys, and the decision recorded inside is its own event.
    expect(Object.keys(o.metadata).filter((k) => k.startsWith('mini_agent.agent.') || k.startsWith('mini_agent.decision.'))).toEqual([]);
    expect(named(batch, 'retry?')).toMatchObject({ type: 'event', parentObservationId: o.id, otel: { kind: 'internal', status: 'unset', statusMessage: null } });
    expect(o.metadata).toMatchObject({
      'mini_agent.span.otel_kind': 'client',
      'mini_agent.span.duration_ms': 500,
      'mini_agent.span.scope': { name: 'test-support', version: null },
      'mini_agent.span.attributes': { 'http.url': 'https://example.test/a' },
      // The metric event is a metric, not an event.
      'mini_agent.span.events': [{ name: 'retry', time: new Date(1200).toISOString(), attributes: { attempt: 2 } }],
      'mini_agent.span.links': [{ traceId: 'c'.repeat(32), spanId: 'd'.repeat(16), attributes: { why: 'retry of' } }],
      // Each metric with what its record adds (here, the value that was not a number).
      'mini_agent.metrics': [
        { type: 'latency', value: 3, unit: 'ms', recordedAt: new Date(1300).toISOString() },
        { type: 'cpu', value: null, unit: null, recordedAt: new Date(1400).toISOString(), invalid_value: 'n/a' },
      ],
    });
  });

  it('of a span with nothing more to say: no attributes, events, links or metrics keys', async () => {
    const batch = await mapSpans((tracer) => tracer.startActiveSpan('quiet', { startTime: new Date(5) }, (s) => s.end(new Date(5))));
    // Zero duration, but no decision: a span.
    expect(named(batch, 'quiet').type).toBe('span');
    const keys = Object.keys(named(batch, 'quiet').metadata);
    for (const key of ['mini_agent.span.attributes', 'mini_agent.span.events', 'mini_agent.span.links', 'mini_agent.metrics']) expect(keys).not.toContain(key);
    expect(keys).toContain('mini_agent.span.kind');
  });

  it('of a tool: named by the tool, its other facts under the tool prefix, the failure from its status', async () => {
    const batch = await mapSpans((tracer) =>
      tracer.startActiveSpan('execute_tool fetch_docs', (s) => {
        s.setAttributes({ [sc.ATTR_SPAN_KIND]: 'tool', [sc.ATTR_TOOL_NAME]: 'fetch_docs', [sc.ATTR_TOOL_SERVER]: 'docs-mcp', 'app.note': 'null' });
        s.setStatus({ code: SpanStatusCode.ERROR, message: 'server gone' });
        s.end();
      }),
    );
    const o = named(batch, 'fetch_docs');
    expect(o).toMatchObject({ type: 'tool', level: 'ERROR', statusMessage: 'server gone', model: null, usageDetails: null });
    expect(o.metadata).toMatchObject({ 'mini_agent.tool.name': 'fetch_docs', 'mini_agent.tool.server': 'docs-mcp' });
    // No input or output: nothing is taken out of the attributes as a copy of them.
    expect(o.metadata['mini_agent.span.attributes']).toMatchObject({ 'app.note': 'null' });
    expect(o.otel).toMatchObject({ status: 'error', statusMessage: 'server gone' });
  });

  it('of an LLM call: parameters as Langfuse stores them, a failure with its message', async () => {
    const batch = await mapSpans((tracer) =>
      tracer.startActiveSpan('chat m', (s) => {
        s.setAttributes({
          [G.OPERATION_NAME]: 'chat', [G.REQUEST_MODEL]: 'm', [G.REQUEST_TEMPERATURE]: 0.7, [G.REQUEST_STOP_SEQUENCES]: ['END'],
          [G.USAGE_INPUT_TOKENS]: 10,
        });
        s.setStatus({ code: SpanStatusCode.ERROR, message: 'rate limited' });
        s.end();
      }),
    );
    const o = named(batch, 'chat m');
    expect(o).toMatchObject({ type: 'generation', model: 'm', level: 'ERROR', statusMessage: 'rate limited', usageDetails: { input: 10 } });
    expect(o.modelParameters).toMatchObject({ temperature: 0.7 });
    expect(Object.values(o.modelParameters!).every((v) => ['string', 'number', 'boolean'].includes(typeof v))).toBe(true);
  });

  it('of records without their span record: parent, times and failure from the record itself', async () => {
    const records = await recordsOf((tracer) =>
      tracer.startActiveSpan('run', (s) => {
        s.setAttribute(sc.ATTR_SPAN_KIND, 'session');
        tracer.startActiveSpan('chat m', (llm) => {
          llm.setAttributes({ [G.OPERATION_NAME]: 'chat', [G.REQUEST_MODEL]: 'm' });
          llm.setStatus({ code: SpanStatusCode.ERROR, message: 'overloaded' });
          llm.end();
        });
        s.end();
      }),
    );
    const generation = records.find((r) => r.type === 'generation')!;
    const [o] = mapRecords([generation]).observations;
    expect(o).toMatchObject({
      id: generation.spanId, parentObservationId: generation.parentSpanId, type: 'generation', name: 'chat m', level: 'ERROR',
      statusMessage: generation.errorMessage, metadata: {},
    });
    expect(generation.errorMessage).toBeTruthy();
    expect(generation.parentSpanId).toMatch(/^[0-9a-f]{16}$/);
    expect(o!.otel).toEqual({ kind: 'internal', status: 'error', statusMessage: null, resource: {} });
    const ok = { ...generation, success: true, errorMessage: null };
    expect(mapRecords([ok]).observations[0]).toMatchObject({ level: 'DEFAULT', statusMessage: null, otel: { status: 'unset' } });
  });

  it('gives metrics or a decision event without their span no observation but the decision event', async () => {
    const records = await recordsOf((tracer) =>
      tracer.startActiveSpan('plan', (s) => {
        s.addEvent(sc.EVENT_METRIC, { [sc.ATTR_METRIC_TYPE]: 'cost', [sc.ATTR_METRIC_VALUE]: 1 });
        s.addEvent(sc.EVENT_DECISION, { [sc.ATTR_DECISION_TYPE]: 'route', [sc.ATTR_DECISION_CHOSEN]: 'b', [sc.ATTR_DECISION_OPTIONS]: JSON.stringify(['a', 'b']) });
        s.end();
      }),
    );
    const alone = records.filter((r) => r.type === 'metric' || r.type === 'decision');
    const batch = mapRecords(alone);
    expect(batch.observations).toHaveLength(1);
    expect(batch.observations[0]).toMatchObject({ type: 'event', name: 'route', input: ['a', 'b'], output: 'b', otel: { resource: {} } });
    // Without a reasoning, no reasoning key.
    expect(batch.observations[0]!.metadata).toEqual({ 'mini_agent.decision.type': 'route' });
    // With the span, the event takes the span's resource and hangs under it.
    const withSpan = mapRecords(records);
    const event = withSpan.observations.find((o) => o.type === 'event')!;
    expect(event).toMatchObject({ parentObservationId: records[0]!.spanId, sourceSpanId: records[0]!.spanId, level: 'DEFAULT', statusMessage: null });
    expect(event.otel.resource).toMatchObject(RESOURCE);
    expect(event.startTime).toEqual(event.endTime);
    // The span itself is no decision: no input, output or decision keys of its own.
    const plan = withSpan.observations.find((o) => o.name === 'plan')!;
    expect(plan).toMatchObject({ type: 'span', input: null, output: null });
    expect(Object.keys(plan.metadata).filter((k) => k.startsWith('mini_agent.decision.'))).toEqual([]);
  });

  it('of a decision span that took time: a span, which keeps its end', async () => {
    const batch = await mapSpans((tracer) =>
      tracer.startActiveSpan('choose', { startTime: new Date(1000) }, (s) => {
        s.setAttributes({ [sc.ATTR_SPAN_KIND]: 'decision', [sc.ATTR_DECISION_TYPE]: 'pick', [sc.ATTR_DECISION_CHOSEN]: 'x', [sc.ATTR_DECISION_OPTIONS]: JSON.stringify(['x', 'y']) });
        s.end(new Date(1250));
      }),
    );
    expect(named(batch, 'choose')).toMatchObject({ type: 'span', input: ['x', 'y'], output: 'x', endTime: new Date(1250) });
  });
});

describe('names and counts Langfuse accepts', () => {
  it('environments: lower case, runs of other characters one dash, no leading or trailing dash, not starting with langfuse, 40 characters', () => {
    expect(langfuseEnvironment('--Prod  EU!!')).toBe('prod-eu');
    expect(langfuseEnvironment('prod--')).toBe('prod');
    expect(langfuseEnvironment('dev_2-x')).toBe('dev_2-x');
    expect(langfuseEnvironment('LANGFUSE')).toBe('env-langfuse');
    expect(langfuseEnvironment(`langfuse${'x'.repeat(40)}`)).toBe(`env-langfuse${'x'.repeat(28)}`);
    expect(langfuseEnvironment('')).toBeNull();
    expect(langfuseEnvironment(null)).toBeNull();
    expect(langfuseEnvironment(undefined)).toBeNull();
  });

  it('usage: counts that are not whole, finite and positive are left out or rounded; the parts never go below zero', () => {
    expect(usageDetails({ input: 10.4, output: Number.NaN, total: -1, cached: Number.POSITIVE_INFINITY, cacheCreation: null, reasoning: null })).toEqual({ input: 10 });
    expect(usageDetails({ input: 5, output: 3, total: null, cached: 9, cacheCreation: null, reasoning: 4 })).toEqual({
      input: 0, output: 0, total: 8, input_cached_tokens: 9, output_reasoning_tokens: 4,
    });
    expect(usageDetails({ input: null, output: 7, total: null, cached: null, cacheCreation: null, reasoning: 2 })).toEqual({ output: 5, output_reasoning_tokens: 2 });
    expect(usageDetails({ input: null, output: null, total: 12, cached: null, cacheCreation: null, reasoning: null })).toEqual({ total: 12 });
    expect(usageDetails({ input: 0, output: 0, total: null, cached: null, cacheCreation: 0, reasoning: null })).toEqual({ input: 0, output: 0, total: 0, input_cache_creation: 0 });
  });
});
