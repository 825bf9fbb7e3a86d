// The edges of interpret(): the rules of interpret.ts and interpret/*.ts that the convention
// suites pass through without looking (allowed keys per field, times at their limits, links,
// exception events, fallbacks of every name), each checked on the record it changes.
import * as sc from '@mini-agent/semconv';
import { LangfuseAttributes as L } from '@mini-agent/semconv';
import { SpanKind, SpanStatusCode, type Attributes, type HrTime, type Link, type SpanStatus, type TimedEvent } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { Interpreter, interpret, type AgentRecord, type InterpretableSpan, type InterpretOptions } from '../src/index.js';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const SPAN = 'b7ad6b7169203331';
const PARENT = '00f067aa0ba902b7';
/** A token shaped as GitHub prints them: the default patterns mask it. */
const SECRET = 'ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';
const T0: HrTime = [1_764_000_000, 250_000_000];

interface HandSpan {
  name?: string;
  kind?: SpanKind;
  parent?: boolean;
  start?: HrTime;
  end?: HrTime;
  status?: SpanStatus;
  attributes?: Attributes;
  events?: TimedEvent[];
  links?: Link[];
  resource?: Attributes;
  scope?: { name: string; version?: string };
}

/** A span as an exporter receives it, built by hand where the SDK would refuse or fix the input. */
function span(h: HandSpan = {}): InterpretableSpan {
  return {
    name: h.name ?? 'step',
    kind: h.kind ?? SpanKind.INTERNAL,
    spanContext: () => ({ traceId: TRACE, spanId: SPAN, traceFlags: 1 }),
    parentSpanContext: h.parent === false ? undefined : { traceId: TRACE, spanId: PARENT, traceFlags: 1 },
    startTime: h.start ?? T0,
    endTime: h.end ?? [T0[0] + 1, T0[1]],
    status: h.status ?? { code: SpanStatusCode.UNSET },
    attributes: h.attributes ?? {},
    events: h.events ?? [],
    links: h.links ?? [],
    resource: { attributes: h.resource ?? { 'service.name': 'edge-agent' } },
    instrumentationScope: h.scope ?? { name: 'edges', version: '0.1.0' },
  };
}

function one<T extends AgentRecord['type']>(records: AgentRecord[], type: T): Extract<AgentRecord, { type: T }> {
  const found = records.filter((r): r is Extract<AgentRecord, { type: T }> => r.type === type);
  if (found.length !== 1) throw new Error(`expected one ${type} record, found ${found.length}`);
  return found[0]!;
}

const records = (h: HandSpan, options?: InterpretOptions) => new Interpreter(options ?? {}).interpret(span(h));

describe('interpret: allowKeys exempts a payload by the field it is stored in', () => {
  const allowing = (field: string): InterpretOptions => ({ redaction: { allowKeys: [field] } });

  it('a tool input and output', () => {
    const tool = { [sc.ATTR_SPAN_KIND]: 'tool', [sc.ATTR_TOOL_NAME]: 'shell', [sc.ATTR_TOOL_INPUT]: `echo ${SECRET}`, [sc.ATTR_TOOL_OUTPUT]: SECRET };
    expect(one(records({ attributes: tool }), 'tool')).toMatchObject({ input: 'echo [REDACTED]', output: '[REDACTED]' });
    expect(one(records({ attributes: tool }, allowing('input')), 'tool')).toMatchObject({ input: `echo ${SECRET}`, output: '[REDACTED]' });
    expect(one(records({ attributes: tool }, allowing('output')), 'tool')).toMatchObject({ input: 'echo [REDACTED]', output: SECRET });
  });

  it('an LLM call’s messages', () => {
    const llm = {
      [sc.GenAiAttributes.OPERATION_NAME]: 'chat',
      [sc.GenAiAttributes.REQUEST_MODEL]: 'gpt-4o',
      'gen_ai.input.messages': JSON.stringify([{ role: 'user', content: SECRET }]),
      'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', content: SECRET }]),
    };
    const masked = one(records({ attributes: llm }), 'generation');
    expect(JSON.stringify([masked.input, masked.output])).not.toContain(SECRET);
    const input = one(records({ attributes: llm }, allowing('input')), 'generation');
    expect(JSON.stringify(input.input)).toContain(SECRET);
    expect(JSON.stringify(input.output)).not.toContain(SECRET);
    const output = one(records({ attributes: llm }, allowing('output')), 'generation');
    expect(JSON.stringify(output.output)).toContain(SECRET);
    expect(JSON.stringify(output.input)).not.toContain(SECRET);
  });

  it('a session’s input, output and user context', () => {
    const session = {
      [sc.ATTR_SPAN_KIND]: 'session', [sc.ATTR_SESSION_INPUT]: SECRET, [sc.ATTR_SESSION_OUTPUT]: SECRET, [sc.ATTR_USER_CONTEXT]: `{"note":"${SECRET}"}`,
    };
    expect(one(records({ attributes: session }), 'trace')).toMatchObject({ input: '[REDACTED]', output: '[REDACTED]', userContext: { note: '[REDACTED]' } });
    expect(one(records({ attributes: session }, allowing('input')), 'trace')).toMatchObject({ input: SECRET, output: '[REDACTED]' });
    expect(one(records({ attributes: session }, allowing('output')), 'trace')).toMatchObject({ input: '[REDACTED]', output: SECRET });
    expect(one(records({ attributes: session }, allowing('user_context')), 'trace')).toMatchObject({ input: '[REDACTED]', userContext: { note: SECRET } });
  });

  it('a decision event’s options (read without a span attribute to compare with)', () => {
    const event: TimedEvent = { name: sc.EVENT_DECISION, time: T0, attributes: { [sc.ATTR_DECISION_OPTIONS]: `["keep","${SECRET}"]` } };
    expect(one(records({ events: [event] }), 'decision').options).toEqual(['keep', '[REDACTED]']);
    expect(one(records({ events: [event] }, allowing('options')), 'decision').options).toEqual(['keep', SECRET]);
  });

  it('redaction: false keeps every value, through an Interpreter and through interpret()', () => {
    const tool = { [sc.ATTR_SPAN_KIND]: 'tool', [sc.ATTR_TOOL_INPUT]: SECRET };
    expect(one(records({ attributes: tool }, { redaction: false }), 'tool').input).toBe(SECRET);
    expect(one(interpret(span({ attributes: tool }), { redaction: false }), 'tool').input).toBe(SECRET);
    expect(one(interpret(span({ attributes: tool })), 'tool').input).toBe('[REDACTED]');
  });
});

describe('interpret: times', () => {
  it('an exact duration from seconds and nanoseconds', () => {
    const rec = one(records({ start: [100, 900_000_000], end: [102, 400_000_000] }), 'span');
    expect(rec.durationMs).toBe(1500);
    expect(one(records({ start: [100, 100_000_000], end: [100, 350_500_000] }), 'span').durationMs).toBe(250.5);
    expect(one(records({ start: [100, 0], end: [102, 500_000] }), 'span').durationMs).toBe(2000.5);
  });

  it('an end before the start ends at the start, with no negative duration', () => {
    const rec = one(records({ start: [200, 0], end: [199, 0] }), 'span');
    expect(rec.endTime).toEqual(rec.startTime);
    expect(rec.durationMs).toBe(0);
  });

  it('a time at the edges of what sinks store: 1970 and the end of 9999 kept, one past either counted and replaced', () => {
    const interpreter = new Interpreter();
    const epoch = one(interpreter.interpret(span({ start: [0, 0], end: [0, 0] })), 'span');
    expect(epoch.startTime.getTime()).toBe(0);
    const last = 253_402_300_799_999;
    const end = one(interpreter.interpret(span({ start: [0, 0], end: [Math.floor(last / 1000), (last % 1000) * 1e6] })), 'span');
    expect(end.endTime.getTime()).toBe(last);
    expect(interpreter.counters.get('invalid_time')).toBe(0);

    const tooLate = one(interpreter.interpret(span({ start: [0, 0], end: [Math.floor(last / 1000) + 1, 0] })), 'span');
    expect(tooLate.endTime.getTime()).toBe(0); // the end is replaced by the start
    const before = Date.now();
    const negative = one(interpreter.interpret(span({ start: [-5, 0], end: [-1, 0] })), 'span');
    expect(negative.startTime.getTime()).toBeGreaterThanOrEqual(before); // neither valid: now
    expect(interpreter.counters.get('invalid_time')).toBe(3);
  });

  it('an event keeps its own time; an invalid one is counted and becomes now', () => {
    const interpreter = new Interpreter();
    const rec = one(interpreter.interpret(span({ events: [{ name: 'retry', time: [T0[0] + 0, 500_000_000] }] })), 'span');
    expect(rec.events).toEqual([{ name: 'retry', time: new Date(1_764_000_000_500), attributes: {} }]);
    const before = Date.now();
    const records = interpreter.interpret(span({ events: [{ name: sc.EVENT_METRIC, time: [Number.NaN, 0], attributes: { [sc.ATTR_METRIC_VALUE]: 1 } }] }));
    const metric = one(records, 'metric');
    expect(metric.recordedAt.getTime()).toBeGreaterThanOrEqual(before);
    // One broken time, counted once, and the same replacement in the span's events and the metric row.
    expect(interpreter.counters.get('invalid_time')).toBe(1);
    expect(one(records, 'span').events[0]!.time).toEqual(metric.recordedAt);
    // Another span's broken event time is counted again.
    interpreter.interpret(span({ events: [{ name: sc.EVENT_METRIC, time: [-1, 0], attributes: { [sc.ATTR_METRIC_VALUE]: 1 } }] }));
    expect(interpreter.counters.get('invalid_time')).toBe(2);
  });

  it('a score takes the time of its evaluation event', () => {
    const evaluation: TimedEvent = { name: 'gen_ai.evaluation.result', time: [T0[0] + 5, 0], attributes: { 'gen_ai.evaluation.name': 'helpful', 'gen_ai.evaluation.score.value': 1 } };
    expect(one(records({ events: [evaluation] }), 'score').createdAt).toEqual(new Date((T0[0] + 5) * 1000));
  });
});

describe('interpret: how a span failed', () => {
  it('UNSET with exception events: failed, with the last exception’s message, else its type', () => {
    const events: TimedEvent[] = [
      { name: 'exception', time: T0, attributes: { 'exception.message': 'first' } },
      { name: 'exception', time: T0, attributes: { 'exception.message': 'last' } },
      { name: 'log', time: T0, attributes: {} },
    ];
    const rec = records({ attributes: { [sc.ATTR_SPAN_KIND]: 'tool' }, events });
    expect(one(rec, 'span').status).toBe('error');
    expect(one(rec, 'tool')).toMatchObject({ success: false, errorMessage: 'last' });
    const typed = records({ attributes: { [sc.ATTR_SPAN_KIND]: 'tool' }, events: [{ name: 'exception', time: T0, attributes: { 'exception.type': 'TimeoutError' } }] });
    expect(one(typed, 'tool').errorMessage).toBe('TimeoutError');
  });

  it('an exception event without attributes, and ERROR without a message: failed, "error"', () => {
    const bare = records({ attributes: { [sc.ATTR_SPAN_KIND]: 'tool' }, events: [{ name: 'exception', time: T0 }] });
    expect(one(bare, 'tool')).toMatchObject({ success: false, errorMessage: 'error' });
    const error = records({ attributes: { [sc.ATTR_SPAN_KIND]: 'tool' }, status: { code: SpanStatusCode.ERROR } });
    expect(one(error, 'tool')).toMatchObject({ success: false, errorMessage: 'error' });
    expect(one(error, 'span').status).toBe('error');
  });

  it('a convention’s failure (Langfuse level ERROR) on an UNSET span: status error', () => {
    const rec = records({ attributes: { [L.OBSERVATION_TYPE]: 'tool', [L.OBSERVATION_LEVEL]: 'ERROR', [L.OBSERVATION_STATUS_MESSAGE]: 'refused' } });
    expect(one(rec, 'span')).toMatchObject({ status: 'error', statusMessage: null });
    expect(one(rec, 'tool')).toMatchObject({ success: false, errorMessage: 'refused' });
  });
});

describe('interpret: the span record’s own fields', () => {
  it('OTel kind by name, internal for a kind no SDK sends', () => {
    expect(one(records({ kind: SpanKind.SERVER }), 'span').otelKind).toBe('server');
    expect(one(records({ kind: SpanKind.CONSUMER }), 'span').otelKind).toBe('consumer');
    expect(one(records({ kind: 9 as SpanKind }), 'span').otelKind).toBe('internal');
  });

  it('links with their ids and attributes; a link without a context or attributes is kept, empty', () => {
    const links = [
      { context: { traceId: TRACE, spanId: PARENT, traceFlags: 1 }, attributes: { reason: 'retry of' } },
      { context: undefined, attributes: undefined } as unknown as Link,
    ];
    expect(one(records({ links }), 'span').links).toEqual([
      { traceId: TRACE, spanId: PARENT, attributes: { reason: 'retry of' } },
      { traceId: '', spanId: '', attributes: {} },
    ]);
  });

  it('the instrumentation scope, with and without a version', () => {
    expect(one(records({ scope: { name: 'openai', version: '4.2.0' } }), 'span').scope).toEqual({ name: 'openai', version: '4.2.0' });
    expect(one(records({ scope: { name: 'openai' } }), 'span').scope).toEqual({ name: 'openai', version: null });
    // A decoder may give null where the SDK gives undefined.
    expect(one(records({ scope: { name: 'openai', version: null as unknown as string } }), 'span').scope).toEqual({ name: 'openai', version: null });
  });

  it('payload keys: the attributes an LLM call’s messages came from; none for options on a plain step', () => {
    const llm = { [sc.GenAiAttributes.OPERATION_NAME]: 'chat', 'gen_ai.input.messages': '[{"role":"user","content":"hi"}]', 'gen_ai.output.messages': '[]' };
    expect(one(records({ attributes: llm }), 'span').payloadKeys).toEqual({ input: 'gen_ai.input.messages', output: 'gen_ai.output.messages' });
    const step = { [sc.ATTR_SPAN_KIND]: 'step', [sc.ATTR_DECISION_OPTIONS]: '["a","b"]' };
    expect(one(records({ attributes: step }), 'span').payloadKeys).toEqual({});
  });
});

describe('interpret: the trace record’s fallbacks', () => {
  const root = (resource: Attributes, attributes: Attributes = {}) => one(records({ parent: false, resource, attributes }), 'trace');

  it('the agent name: the attribute, else the service name, never an SDK’s unknown_service default', () => {
    expect(root({ 'service.name': 'billing-bot' }).agentName).toBe('billing-bot');
    expect(root({ 'service.name': 'unknown_service:node' }).agentName).toBeNull();
    expect(root({ 'service.name': 'billing-bot' }, { [sc.ATTR_AGENT_NAME]: '' }).agentName).toBe('billing-bot'); // empty is not a name
  });

  it('the environment: deployment.environment.name before deployment.environment', () => {
    expect(root({ 'deployment.environment': 'staging' }).environment).toBe('staging');
    expect(root({ 'deployment.environment.name': 'prod', 'deployment.environment': 'staging' }).environment).toBe('prod');
    expect(root({}).environment).toBeNull();
  });

  it('no session, user, version or tags: nulls and an empty list, not the word "undefined"', () => {
    expect(root({})).toMatchObject({ sessionId: null, userId: null, agentVersion: null, tags: [] });
    expect(one(records({ resource: {} }), 'span')).toMatchObject({ sessionId: null, userId: null });
  });

  it('the status message of the span that defines the trace only', () => {
    const status = { code: SpanStatusCode.ERROR, message: 'ran out of budget' };
    expect(one(records({ parent: false, status }), 'trace').statusMessage).toBe('ran out of budget');
    expect(one(records({ parent: true, status }), 'trace').statusMessage).toBeNull();
  });
});

describe('interpret: metric and decision events', () => {
  const metric = (attributes: Attributes) => {
    const interpreter = new Interpreter();
    const rec = one(interpreter.interpret(span({ events: [{ name: sc.EVENT_METRIC, time: T0, attributes }] })), 'metric');
    return { rec, invalid: interpreter.counters.get('non_finite_number') };
  };

  it('a value given as text is read as a number; text that is no number is kept aside and counted', () => {
    expect(metric({ [sc.ATTR_METRIC_TYPE]: 'memory', [sc.ATTR_METRIC_VALUE]: ' 42.5 ' })).toEqual({ rec: expect.objectContaining({ value: 42.5, metadata: {} }), invalid: 0 });
    expect(metric({ [sc.ATTR_METRIC_VALUE]: 'lots' })).toEqual({ rec: expect.objectContaining({ value: null, metadata: { invalid_value: 'lots' } }), invalid: 1 });
    expect(metric({ [sc.ATTR_METRIC_VALUE]: '   ' }).rec).toMatchObject({ value: null, metadata: { invalid_value: '   ' } });
    expect(metric({ [sc.ATTR_METRIC_VALUE]: 7 })).toEqual({ rec: expect.objectContaining({ value: 7, metadata: {} }), invalid: 0 });
  });

  it('no value: null, counted, with invalid_value null; no type: custom; a unit that is no text: none', () => {
    expect(metric({})).toEqual({ rec: expect.objectContaining({ metricType: 'custom', value: null, metadata: { invalid_value: null } }), invalid: 1 });
    expect(metric({ [sc.ATTR_METRIC_VALUE]: 3, [sc.ATTR_METRIC_UNIT]: 5 as unknown as string }).rec.unit).toBeNull();
    expect(metric({ [sc.ATTR_METRIC_VALUE]: 3, [sc.ATTR_METRIC_UNIT]: '' }).rec.unit).toBeNull(); // empty is no unit
    expect(metric({ [sc.ATTR_METRIC_VALUE]: 3, [sc.ATTR_METRIC_UNIT]: '%' }).rec.unit).toBe('%');
  });

  it('a decision event without a type, or with one that is no text, is a "decision"', () => {
    const decision = (attributes: Attributes) => one(records({ events: [{ name: sc.EVENT_DECISION, time: T0, attributes }] }), 'decision');
    expect(decision({ [sc.ATTR_DECISION_CHOSEN]: 'stop' }).decisionType).toBe('decision');
    expect(decision({ [sc.ATTR_DECISION_TYPE]: 3 }).decisionType).toBe('decision');
    expect(decision({ [sc.ATTR_DECISION_TYPE]: 'route' }).decisionType).toBe('route');
  });
});

describe('interpret: an LLM call’s counts and first-token time', () => {
  it('usage not given stays null and is not counted as invalid', () => {
    const interpreter = new Interpreter();
    const llm = { [sc.GenAiAttributes.OPERATION_NAME]: 'chat', [sc.GenAiAttributes.USAGE_INPUT_TOKENS]: 12 };
    const generation = one(interpreter.interpret(span({ attributes: llm })), 'generation');
    expect(generation.usage).toMatchObject({ input: 12, output: null, cached: null, reasoning: null });
    expect(interpreter.counters.get('invalid_number')).toBe(0);
    expect(interpreter.counters.get('non_finite_number')).toBe(0); // a count not given is not a bad number
  });

  it('a completion start time that is no time is left out', () => {
    const generation = (start: string) =>
      one(records({ attributes: { [L.OBSERVATION_TYPE]: 'generation', [L.OBSERVATION_MODEL]: 'gpt-4o', [L.OBSERVATION_COMPLETION_START_TIME]: start } }), 'generation');
    expect(generation('not a time').completionStartTime).toBeNull();
    expect(generation('2026-11-25T10:00:00.250Z').completionStartTime).toEqual(new Date('2026-11-25T10:00:00.250Z'));
  });
});
