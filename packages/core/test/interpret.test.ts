import * as sc from '@mini-agent/semconv';
import { recordSpans } from '@mini-agent/test-support';
import { SpanStatusCode, type Span } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import {
  Interpreter,
  interpret,
  type AgentRecord,
  type DecisionRecord,
  type GenerationRecord,
  type MetricRecord,
  type SpanRecord,
  type ToolExecutionRecord,
  type TraceRecord,
} from '../src/index.js';

function only<T extends AgentRecord['type']>(records: AgentRecord[], type: T): Extract<AgentRecord, { type: T }>[] {
  return records.filter((r): r is Extract<AgentRecord, { type: T }> => r.type === type);
}

async function oneSpan(build: (span: Span) => void, name = 'span') {
  const [span] = await recordSpans((tracer) => {
    const s = tracer.startSpan(name);
    build(s);
    s.end();
  });
  return span!;
}

describe('interpret: a session span', () => {
  it('becomes a complete trace record with the session fields, and a span record', async () => {
    const span = await oneSpan((s) => {
      s.setAttributes({
        [sc.ATTR_SPAN_KIND]: 'session',
        [sc.ATTR_SESSION_ID]: 'sess-1',
        [sc.ATTR_AGENT_NAME]: 'coder',
        [sc.ATTR_USER_ID]: 'u-7',
        [sc.ATTR_USER_CONTEXT]: '{"plan":"pro","team":"core"}',
        [sc.ATTR_SESSION_INPUT]: 'fix the bug',
        [sc.ATTR_SESSION_OUTPUT]: '{"answer":"done"}',
        [sc.ATTR_SESSION_TAGS]: ['ci', 'nightly'],
      });
      s.setStatus({ code: SpanStatusCode.OK });
    }, 'agent.session');
    const records = interpret(span);
    const [trace] = only(records, 'trace') as TraceRecord[];
    expect(trace).toMatchObject({
      traceId: span.spanContext().traceId,
      complete: true,
      sessionId: 'sess-1',
      agentName: 'coder',
      agentVersion: '1.2.3', // from the resource's service.version
      userId: 'u-7',
      userContext: { plan: 'pro', team: 'core' },
      name: 'agent.session',
      status: 'ok',
      input: 'fix the bug',
      output: { answer: 'done' },
      tags: ['ci', 'nightly'],
    });
    expect(trace!.startTime).toBeInstanceOf(Date);
    expect(trace!.resource['service.name']).toBe('test-agent');
    const [spanRecord] = only(records, 'span') as SpanRecord[];
    expect(spanRecord).toMatchObject({ spanId: span.spanContext().spanId, kind: 'session', otelKind: 'internal', parentSpanId: null });
    expect(records).toHaveLength(2);
  });

  it('a non-session span still yields an incomplete trace record, so the trace row exists whatever arrives first', async () => {
    const spans = await recordSpans((tracer) =>
      tracer.startActiveSpan('root', (root) => {
        tracer.startSpan('child', { attributes: { foo: 'bar' } }).end();
        root.end();
      }),
    );
    const [trace] = only(interpret(spans.find((s) => s.name === 'child')!), 'trace');
    expect(trace).toMatchObject({ complete: false, root: false, name: null, status: 'unset', startTime: null, agentName: 'test-agent' });
  });

  it('a root span that is not a session span names, times and judges its trace (OpenInference CHAIN, plain root)', async () => {
    const spans = await recordSpans((tracer) => {
      tracer.startActiveSpan('answer the question', { attributes: { [sc.OpenInferenceAttributes.SPAN_KIND]: 'CHAIN' } }, (chain) => {
        tracer.startSpan('retrieve', { attributes: { [sc.OpenInferenceAttributes.SPAN_KIND]: 'RETRIEVER' } }).end();
        chain.setStatus({ code: SpanStatusCode.ERROR, message: 'no documents' });
        chain.end();
      });
      tracer.startSpan('GET /health').end();
    });
    const chain = spans.find((s) => s.name === 'answer the question')!;
    const [chainTrace] = only(interpret(chain), 'trace');
    expect(chainTrace).toMatchObject({
      complete: false, root: true, name: 'answer the question', status: 'error', statusMessage: 'no documents',
      startTime: new Date(chain.startTime[0] * 1000 + chain.startTime[1] / 1e6),
    });
    expect(chainTrace!.endTime).toBeInstanceOf(Date);
    const [retrieveTrace] = only(interpret(spans.find((s) => s.name === 'retrieve')!), 'trace');
    expect(retrieveTrace).toMatchObject({ root: false, name: null });
    const [plain] = only(interpret(spans.find((s) => s.name === 'GET /health')!), 'trace');
    expect(plain).toMatchObject({ complete: false, root: true, name: 'GET /health', status: 'unset' });
  });
});

describe('interpret: a tool span', () => {
  it('becomes a tool execution with parsed JSON input and output, timing and success', async () => {
    const spans = await recordSpans((tracer) =>
      tracer.startActiveSpan('session', (parent) => {
        // Clock values of its own, so the timing is known to the nanosecond: 250.5 ms.
        const s = tracer.startSpan('tool.read_file', { startTime: [1_764_064_800, 0] });
        s.setAttributes({
          [sc.ATTR_SPAN_KIND]: 'tool',
          [sc.ATTR_TOOL_NAME]: 'read_file',
          [sc.ATTR_TOOL_CATEGORY]: 'file',
          [sc.ATTR_TOOL_INPUT]: '{"path":"/etc/hosts"}',
          [sc.ATTR_TOOL_OUTPUT]: 'plain text, not JSON',
        });
        s.end([1_764_064_800, 250_500_000]);
        parent.end();
      }),
    );
    const toolSpan = spans.find((s) => s.name === 'tool.read_file')!;
    const [tool] = only(interpret(toolSpan), 'tool') as ToolExecutionRecord[];
    expect(tool).toMatchObject({
      spanId: toolSpan.spanContext().spanId,
      parentSpanId: spans.find((s) => s.name === 'session')!.spanContext().spanId,
      toolName: 'read_file',
      category: 'file',
      input: { path: '/etc/hosts' },
      output: 'plain text, not JSON',
      success: true,
      errorMessage: null,
      metadata: {},
    });
    expect(tool!.durationMs).toBe(250.5);
    expect(tool!.startTime.toISOString()).toBe('2025-11-25T10:00:00.000Z');
    expect(tool!.endTime.toISOString()).toBe('2025-11-25T10:00:00.250Z');
  });

  it('a failed tool (status ERROR) has success = false and the status message', async () => {
    const span = await oneSpan((s) => {
      s.setAttributes({ [sc.ATTR_SPAN_KIND]: 'tool', [sc.ATTR_TOOL_NAME]: 'bash' });
      s.recordException(new Error('exit code 2'));
      s.setStatus({ code: SpanStatusCode.ERROR, message: 'command failed' });
    });
    const [tool] = only(interpret(span), 'tool');
    expect(tool).toMatchObject({ success: false, errorMessage: 'command failed', category: 'other' });
  });

  it('an exception event with no status marks the tool failed, with the exception message', async () => {
    const span = await oneSpan((s) => {
      s.setAttributes({ [sc.ATTR_TOOL_NAME]: 'fetch' }); // kind inferred from the tool name
      s.recordException(new Error('ECONNRESET'));
    });
    const [tool] = only(interpret(span), 'tool');
    expect(tool).toMatchObject({ success: false, errorMessage: 'ECONNRESET' });
  });

  it('an exception handled (status OK) is not a failure', async () => {
    const span = await oneSpan((s) => {
      s.setAttributes({ [sc.ATTR_TOOL_NAME]: 'retrying_fetch' });
      s.recordException(new Error('first try failed'));
      s.setStatus({ code: SpanStatusCode.OK });
    });
    expect(only(interpret(span), 'tool')[0]).toMatchObject({ success: true, errorMessage: null });
  });

  it('an unknown category is stored as other, the given value kept in metadata and counted', async () => {
    const span = await oneSpan((s) => s.setAttributes({ [sc.ATTR_TOOL_NAME]: 'q', [sc.ATTR_TOOL_CATEGORY]: 'database' }));
    const interpreter = new Interpreter();
    const [tool] = only(interpreter.interpret(span), 'tool');
    expect(tool).toMatchObject({ category: 'other', metadata: { category_given: 'database' } });
    expect(interpreter.counters.get('unknown_category')).toBe(1);
  });
});

describe('interpret: decisions and metrics', () => {
  it('a decision span becomes a decision keyed by its span id', async () => {
    const span = await oneSpan((s) =>
      s.setAttributes({
        [sc.ATTR_SPAN_KIND]: 'decision',
        [sc.ATTR_DECISION_TYPE]: 'tool_selection',
        [sc.ATTR_DECISION_OPTIONS]: '["grep","read_file"]',
        [sc.ATTR_DECISION_CHOSEN]: 'grep',
        [sc.ATTR_DECISION_REASONING]: 'faster on many files',
      }),
    );
    const [d] = only(interpret(span), 'decision') as DecisionRecord[];
    expect(d).toMatchObject({
      id: span.spanContext().spanId,
      decisionType: 'tool_selection',
      options: ['grep', 'read_file'],
      chosen: 'grep',
      reasoning: 'faster on many files',
    });
  });

  it('decision and metric events inside any span get deterministic ids from span id and event index', async () => {
    const span = await oneSpan((s) => {
      s.addEvent(sc.EVENT_METRIC, { [sc.ATTR_METRIC_TYPE]: 'memory', [sc.ATTR_METRIC_VALUE]: 52.5, [sc.ATTR_METRIC_UNIT]: '%' });
      s.addEvent(sc.EVENT_DECISION, { [sc.ATTR_DECISION_TYPE]: 'stop', [sc.ATTR_DECISION_CHOSEN]: 'yes' });
      s.addEvent(sc.EVENT_METRIC, { [sc.ATTR_METRIC_TYPE]: 'latency', [sc.ATTR_METRIC_VALUE]: Number.NaN, [sc.ATTR_METRIC_UNIT]: 'ms' });
    });
    const id = span.spanContext().spanId;
    const records = interpret(span);
    const metrics = only(records, 'metric') as MetricRecord[];
    expect(metrics.map((m) => [m.id, m.metricType, m.value, m.unit])).toEqual([
      [`${id}:0`, 'memory', 52.5, '%'],
      [`${id}:2`, 'latency', null, 'ms'],
    ]);
    expect(metrics[1]!.metadata).toEqual({ invalid_value: 'NaN' });
    expect(only(records, 'decision')).toMatchObject([{ id: `${id}:1`, decisionType: 'stop', chosen: 'yes', options: null }]);
    // The same span interpreted twice gives the same ids: re-delivery is idempotent downstream.
    expect(only(interpret(span), 'metric').map((m) => m.id)).toEqual(metrics.map((m) => m.id));
  });
});

describe('interpret: an LLM span with the GenAI conventions', () => {
  it('becomes a generation with model, usage, parameters and messages', async () => {
    const span = await oneSpan((s) =>
      s.setAttributes({
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.response.model': 'gpt-4o-2024-08-06',
        'gen_ai.request.temperature': 0.2,
        'gen_ai.usage.input_tokens': 120,
        'gen_ai.usage.output_tokens': 30,
        'gen_ai.input.messages': '[{"role":"user","parts":[{"type":"text","content":"hi"}]}]',
        'gen_ai.output.messages': '[{"role":"assistant","parts":[{"type":"text","content":"hello"}]}]',
      }),
    );
    const [g] = only(interpret(span), 'generation') as GenerationRecord[];
    expect(g).toMatchObject({
      model: 'gpt-4o-2024-08-06',
      provider: 'openai',
      usage: { input: 120, output: 30, total: 150, cached: null, reasoning: null },
      modelParameters: { temperature: 0.2 },
      input: [{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }],
      success: true,
    });
    expect(only(interpret(span), 'span')[0]!.kind).toBe('llm');
  });

  it('an explicit mini_agent.span.kind wins over what the GenAI attributes say', async () => {
    const span = await oneSpan((s) => s.setAttributes({ [sc.ATTR_SPAN_KIND]: 'step', 'gen_ai.operation.name': 'chat' }));
    expect(only(interpret(span), 'span')[0]!.kind).toBe('step');
    expect(only(interpret(span), 'generation')).toHaveLength(0);
  });
});

describe('interpret: hostile values', () => {
  it('NUL bytes, lone surrogates and huge strings become storable, with markers, and are counted', async () => {
    const huge = 'x'.repeat(5 * 1024 * 1024);
    const span = await oneSpan((s) =>
      s.setAttributes({
        [sc.ATTR_TOOL_NAME]: 'nul\u0000tool',
        [sc.ATTR_TOOL_INPUT]: '{"text":"a\\u0000b","bad":"\uD800"}',
        [sc.ATTR_TOOL_OUTPUT]: huge,
      }),
    );
    const interpreter = new Interpreter();
    const records = interpreter.interpret(span);
    const [tool] = only(records, 'tool');
    expect(tool!.toolName).toBe('nul\uFFFDtool');
    expect(tool!.input).toEqual({ text: 'a\uFFFDb', bad: '\uFFFD' });
    expect(typeof tool!.output).toBe('string');
    expect((tool!.output as string).length).toBeLessThan(1024 * 1024 + 100);
    expect(tool!.output as string).toMatch(/…\[truncated by mini-agent: 5242880 chars\]$/);
    // JSON.stringify writes a real NUL as \u0000 (one backslash); the text "\\u0000" in the raw attribute is fine.
    expect(JSON.stringify(records)).not.toMatch(/(?<!\\)\\u0000/);
    expect(interpreter.counters.get('nul_byte')).toBeGreaterThanOrEqual(2);
    expect(interpreter.counters.get('lone_surrogate')).toBeGreaterThanOrEqual(1);
    expect(interpreter.counters.get('truncated')).toBeGreaterThanOrEqual(1);
  });

  it('a span with an invalid trace id yields nothing and is counted, never throws', async () => {
    const span = await oneSpan(() => {});
    const broken = Object.create(span, { spanContext: { value: () => ({ traceId: '0'.repeat(32), spanId: 'zz', traceFlags: 1 }) } });
    const interpreter = new Interpreter();
    expect(interpreter.interpret(broken)).toEqual([]);
    expect(interpreter.counters.get('invalid_id')).toBe(1);
  });

  it('broken clocks are counted and replaced, so times stay storable', async () => {
    const span = await oneSpan(() => {});
    const broken = Object.create(span, { startTime: { value: [Number.NaN, 0] }, endTime: { value: [-5, 0] } });
    const interpreter = new Interpreter();
    const before = Date.now();
    const [spanRecord] = only(interpreter.interpret(broken), 'span');
    const after = Date.now();
    // Neither time is usable: both become the time of interpretation, a span of no length.
    expect(spanRecord!.startTime.getTime()).toBeGreaterThanOrEqual(before);
    expect(spanRecord!.startTime.getTime()).toBeLessThanOrEqual(after);
    expect(spanRecord!.endTime).toEqual(spanRecord!.startTime);
    expect(spanRecord!.durationMs).toBe(0);
    expect(interpreter.counters.get('invalid_time')).toBe(2);
  });

  it('secrets in attributes and in parsed tool input never reach a record', async () => {
    const span = await oneSpan((s) =>
      s.setAttributes({
        [sc.ATTR_TOOL_NAME]: 'http',
        [sc.ATTR_TOOL_INPUT]: JSON.stringify({ url: 'https://api.example.com', headers: { Authorization: 'Bearer abcdef123456789' }, api_key: 'k-123456' }),
        'http.request.header.authorization': 'Basic dXNlcjpwYXNzd29yZA==',
        note: 'my key is sk-lf-1234567890abcdef, keep it',
      }),
    );
    const records = interpret(span);
    const text = JSON.stringify(records);
    expect(text).not.toContain('abcdef123456789');
    expect(text).not.toContain('k-123456');
    expect(text).not.toContain('dXNlcjpwYXNzd29yZA');
    expect(text).not.toContain('sk-lf-1234567890abcdef');
    const [tool] = only(records, 'tool');
    expect(tool!.input).toEqual({ url: 'https://api.example.com', headers: { Authorization: '[REDACTED]' }, api_key: '[REDACTED]' });
    expect(only(records, 'span')[0]!.attributes.note).toBe('my key is [REDACTED], keep it');
  });

  it('redaction can be turned off per field', async () => {
    const span = await oneSpan((s) => s.setAttributes({ 'app.token': 'tok-visible' }));
    const records = new Interpreter({ redaction: { allowKeys: ['app.token'] } }).interpret(span);
    expect(only(records, 'span')[0]!.attributes['app.token']).toBe('tok-visible');
  });
});
