import { SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import {
  ATTR_AGENT_NAME,
  ATTR_DECISION_CHOSEN,
  ATTR_DECISION_OPTIONS,
  ATTR_DECISION_REASONING,
  ATTR_DECISION_TYPE,
  ATTR_METRIC_TYPE,
  ATTR_METRIC_UNIT,
  ATTR_METRIC_VALUE,
  ATTR_SESSION_ID,
  ATTR_SESSION_INPUT,
  ATTR_SESSION_OUTPUT,
  ATTR_SESSION_TAGS,
  ATTR_SPAN_KIND,
  ATTR_TOOL_CATEGORY,
  ATTR_TOOL_INPUT,
  ATTR_TOOL_NAME,
  ATTR_TOOL_OUTPUT,
  ATTR_USER_CONTEXT,
  ATTR_USER_ID,
  EVENT_DECISION,
  EVENT_METRIC,
  GenAiAttributes,
} from '@mini-agent/semconv';
import { describe, expect, it } from 'vitest';
import { recordDecision, recordMetric, withLlmCall, withSession, withTool } from '../src/index.js';
import { useInMemoryTracing } from './in-memory-tracing.js';

const tracing = useInMemoryTracing();

const metricEvents = (span: ReadableSpan) =>
  span.events
    .filter((e) => e.name === EVENT_METRIC)
    .map((e) => ({ type: e.attributes?.[ATTR_METRIC_TYPE], value: e.attributes?.[ATTR_METRIC_VALUE], unit: e.attributes?.[ATTR_METRIC_UNIT] }));

describe('withSession', () => {
  it('a session becomes a session span carrying who, what and the answer', async () => {
    const answer = await withSession(
      {
        name: 'answer a question',
        sessionId: 'conv-1',
        agentName: 'helper-bot',
        userId: 'u-42',
        userContext: { plan: 'pro' },
        input: { question: 'what is 2 + 2?' },
        tags: ['math', 'smoke'],
      },
      async () => '4',
    );
    expect(answer).toBe('4');
    const session = tracing.span('answer a question');
    expect(session.attributes).toMatchObject({
      [ATTR_SPAN_KIND]: 'session',
      [ATTR_SESSION_ID]: 'conv-1',
      [ATTR_AGENT_NAME]: 'helper-bot',
      [ATTR_USER_ID]: 'u-42',
      [ATTR_USER_CONTEXT]: '{"plan":"pro"}',
      [ATTR_SESSION_INPUT]: '{"question":"what is 2 + 2?"}',
      [ATTR_SESSION_OUTPUT]: '"4"',
      [ATTR_SESSION_TAGS]: ['math', 'smoke'],
    });
    expect(session.status.code).toBe(SpanStatusCode.OK);
  });

  it('a session without an id gets a fresh UUID each time', () => {
    withSession({}, () => undefined);
    withSession({}, () => undefined);
    const ids = tracing.spans().map((s) => s.attributes[ATTR_SESSION_ID]);
    expect(ids).toHaveLength(2);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('memory is measured at start and end, CPU time at the end', () => {
    withSession({ name: 'busy' }, () => {
      // Burn a little CPU so the CPU figure has something to count.
      let x = 0;
      for (let i = 0; i < 2_000_000; i++) x += Math.sqrt(i);
      return x;
    });
    const metrics = metricEvents(tracing.span('busy'));
    const memoryBytes = metrics.filter((m) => m.type === 'memory' && m.unit === 'By');
    const memoryPercent = metrics.filter((m) => m.type === 'memory' && m.unit === '%');
    const cpuMs = metrics.filter((m) => m.type === 'cpu' && m.unit === 'ms');
    const cpuPercent = metrics.filter((m) => m.type === 'cpu' && m.unit === '%');
    expect(memoryBytes).toHaveLength(2);
    expect(memoryPercent).toHaveLength(2);
    for (const m of memoryBytes) expect(m.value).toBeGreaterThan(1_000_000);
    for (const m of memoryPercent) {
      expect(m.value).toBeGreaterThan(0);
      expect(m.value).toBeLessThan(100);
    }
    expect(cpuMs).toHaveLength(1);
    expect(cpuMs[0]?.value).toBeGreaterThan(0);
    expect(cpuPercent).toHaveLength(1);
    expect(cpuPercent[0]?.value).toBeGreaterThan(0);
  });

  it('a session that throws is recorded as failed and the error reaches the caller unchanged', async () => {
    const boom = new Error('model refused');
    await expect(withSession({ name: 'doomed' }, async () => Promise.reject(boom))).rejects.toBe(boom);
    const session = tracing.span('doomed');
    expect(session.status).toEqual({ code: SpanStatusCode.ERROR, message: 'model refused' });
    expect(session.events.find((e) => e.name === 'exception')?.attributes?.['exception.message']).toBe('model refused');
    expect(session.attributes[ATTR_SESSION_OUTPUT]).toBeUndefined();
  });
});

describe('withTool', () => {
  it('a tool call inside a session is a child tool span with input and output as JSON', async () => {
    await withSession({ name: 'parent' }, async () => {
      const out = await withTool({ name: 'read_file', category: 'file', input: { path: 'README.md' } }, async () => ({ bytes: 12 }));
      expect(out).toEqual({ bytes: 12 });
    });
    const session = tracing.span('parent');
    const tool = tracing.span('execute_tool read_file');
    expect(tool.parentSpanContext?.spanId).toBe(session.spanContext().spanId);
    expect(tool.spanContext().traceId).toBe(session.spanContext().traceId);
    expect(tool.attributes).toMatchObject({
      [ATTR_SPAN_KIND]: 'tool',
      [ATTR_TOOL_NAME]: 'read_file',
      [ATTR_TOOL_CATEGORY]: 'file',
      [ATTR_TOOL_INPUT]: '{"path":"README.md"}',
      [ATTR_TOOL_OUTPUT]: '{"bytes":12}',
      [GenAiAttributes.OPERATION_NAME]: 'execute_tool',
    });
    expect(tool.status.code).toBe(SpanStatusCode.OK);
  });

  it('a synchronous tool returns its value synchronously, not a promise', () => {
    const value = withTool({ name: 'add', category: 'core', input: [1, 2] }, () => 3);
    expect(value).toBe(3);
    expect(tracing.span('execute_tool add').attributes[ATTR_TOOL_OUTPUT]).toBe('3');
  });

  it('a tool that throws synchronously is recorded as failed and the same error is rethrown', () => {
    const denied = new Error('EACCES: permission denied');
    expect(() =>
      withTool({ name: 'write_file', category: 'file' }, () => {
        throw denied;
      }),
    ).toThrow(denied);
    const tool = tracing.span('execute_tool write_file');
    expect(tool.status).toEqual({ code: SpanStatusCode.ERROR, message: 'EACCES: permission denied' });
    const exception = tool.events.find((e) => e.name === 'exception');
    expect(exception?.attributes?.['exception.type']).toBe('Error');
    expect(exception?.attributes?.['exception.stacktrace']).toContain('helpers.test.ts');
  });

  it('a rejected promise is recorded as failed and the rejection reaches the caller', async () => {
    await expect(withTool({ name: 'mcp_search', category: 'mcp' }, () => Promise.reject(new TypeError('timeout')))).rejects.toThrow(
      TypeError,
    );
    expect(tracing.span('execute_tool mcp_search').status.code).toBe(SpanStatusCode.ERROR);
  });

  it('something thrown that is not an Error still marks the tool failed with a readable message', () => {
    expect(() =>
      withTool({ name: 'legacy' }, () => {
        throw { code: 42 };
      }),
    ).toThrow();
    expect(tracing.span('execute_tool legacy').status).toEqual({ code: SpanStatusCode.ERROR, message: '{"code":42}' });
  });

  it('a circular input becomes a marker instead of breaking the tool call', () => {
    const input: Record<string, unknown> = { name: 'loop', big: 10n };
    input.self = input;
    expect(withTool({ name: 'odd_input', category: 'skill', input }, () => 'fine')).toBe('fine');
    expect(JSON.parse(String(tracing.span('execute_tool odd_input').attributes[ATTR_TOOL_INPUT]))).toEqual({
      name: 'loop',
      big: '10',
      self: '[Circular]',
    });
  });

  it('an input whose toJSON throws is stored as an unserializable marker and the tool still runs', () => {
    const input = {
      toJSON() {
        throw new Error('no JSON for you');
      },
    };
    expect(withTool({ name: 'hostile', category: 'core', input }, () => 1)).toBe(1);
    expect(tracing.span('execute_tool hostile').attributes[ATTR_TOOL_INPUT]).toBe('[unserializable: no JSON for you]');
  });

  it('nested tools nest: the inner tool is the child of the outer one', async () => {
    await withTool({ name: 'outer', category: 'skill' }, async () => {
      await new Promise((r) => setTimeout(r, 1));
      await withTool({ name: 'inner', category: 'core' }, async () => 'x');
    });
    expect(tracing.span('execute_tool inner').parentSpanContext?.spanId).toBe(tracing.span('execute_tool outer').spanContext().spanId);
  });
});

describe('recordDecision and recordMetric', () => {
  it('a decision inside a session is an event on the session span', () => {
    withSession({ name: 'deciding' }, () => {
      recordDecision({ type: 'tool_selection', options: ['grep', 'read_file'], chosen: 'grep', reasoning: 'path unknown' });
    });
    const event = tracing.span('deciding').events.find((e) => e.name === EVENT_DECISION);
    expect(event?.attributes).toEqual({
      [ATTR_DECISION_TYPE]: 'tool_selection',
      [ATTR_DECISION_OPTIONS]: '["grep","read_file"]',
      [ATTR_DECISION_CHOSEN]: 'grep',
      [ATTR_DECISION_REASONING]: 'path unknown',
    });
  });

  it('a decision outside any span becomes a short decision span of its own', () => {
    recordDecision({ type: 'stop', chosen: { done: true } });
    const span = tracing.span('decision stop');
    expect(span.attributes).toMatchObject({ [ATTR_SPAN_KIND]: 'decision', [ATTR_DECISION_TYPE]: 'stop', [ATTR_DECISION_CHOSEN]: '{"done":true}' });
  });

  it('a metric inside a tool is an event on the tool span', () => {
    withTool({ name: 'fetch_page', category: 'core' }, () => recordMetric({ type: 'latency', value: 412, unit: 'ms' }));
    expect(metricEvents(tracing.span('execute_tool fetch_page'))).toEqual([{ type: 'latency', value: 412, unit: 'ms' }]);
  });

  it('a metric outside any span is kept on a short span of its own', () => {
    recordMetric({ type: 'queue_depth', value: 7 });
    expect(metricEvents(tracing.span('metric queue_depth'))).toEqual([{ type: 'queue_depth', value: 7, unit: undefined }]);
  });
});

describe('withLlmCall', () => {
  it('an LLM call carries the GenAI model, messages and token usage', async () => {
    const reply = await withSession({ name: 'chatting' }, () =>
      withLlmCall({ model: 'gpt-4.1-mini', provider: 'openai', input: 'Summarize the README' }, async (call) => {
        call.setUsage({ inputTokens: 812, outputTokens: 64 });
        call.setResponseModel('gpt-4.1-mini-2025-04-14');
        return 'It is an observability package.';
      }),
    );
    expect(reply).toBe('It is an observability package.');
    const llm = tracing.span('chat gpt-4.1-mini');
    expect(llm.parentSpanContext?.spanId).toBe(tracing.span('chatting').spanContext().spanId);
    expect(llm.attributes).toMatchObject({
      [ATTR_SPAN_KIND]: 'llm',
      [GenAiAttributes.OPERATION_NAME]: 'chat',
      [GenAiAttributes.REQUEST_MODEL]: 'gpt-4.1-mini',
      [GenAiAttributes.RESPONSE_MODEL]: 'gpt-4.1-mini-2025-04-14',
      [GenAiAttributes.PROVIDER_NAME]: 'openai',
      [GenAiAttributes.USAGE_INPUT_TOKENS]: 812,
      [GenAiAttributes.USAGE_OUTPUT_TOKENS]: 64,
    });
    expect(JSON.parse(String(llm.attributes[GenAiAttributes.INPUT_MESSAGES]))).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Summarize the README' }] },
    ]);
    expect(JSON.parse(String(llm.attributes[GenAiAttributes.OUTPUT_MESSAGES]))).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'It is an observability package.' }], finish_reason: 'stop' },
    ]);
  });

  it('an output set through the handle wins over the return value', () => {
    withLlmCall({ model: 'm' }, (call) => {
      call.setOutput([{ role: 'assistant', parts: [{ type: 'tool_call', name: 'grep' }] }]);
      return 'ignored';
    });
    expect(JSON.parse(String(tracing.span('chat m').attributes[GenAiAttributes.OUTPUT_MESSAGES]))).toEqual([
      { role: 'assistant', parts: [{ type: 'tool_call', name: 'grep' }] },
    ]);
  });
});
