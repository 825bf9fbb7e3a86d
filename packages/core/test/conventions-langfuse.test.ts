import { LangfuseAttributes as L } from '@mini-agent/semconv';
import { describe, expect, it } from 'vitest';
import { SpanStatusCode } from '@opentelemetry/api';
import { failed, kindOf, oneOf, recordsOf, spanWith } from './convention-spans.js';

// Attribute values as the Langfuse SDK (@langfuse/tracing 5) serializes them: JSON strings.
describe('Langfuse SDK spans', () => {
  it('a tool observation becomes a tool execution with its input, output and metadata', async () => {
    const span = await spanWith(
      {
        [L.OBSERVATION_TYPE]: 'tool',
        [L.OBSERVATION_INPUT]: '{"query":"otel"}',
        [L.OBSERVATION_OUTPUT]: '{"hits":3}',
        [`${L.OBSERVATION_METADATA}.source`]: 'web',
      },
      { name: 'search_docs', status: failed('index offline') },
    );
    expect(oneOf(span, 'tool')).toMatchObject({
      toolName: 'search_docs',
      category: 'other',
      input: { query: 'otel' },
      output: { hits: 3 },
      metadata: { source: 'web' },
      success: false,
      errorMessage: 'index offline',
    });
  });

  it('level ERROR marks the observation failed, as the Langfuse SDK sets no OTel status; an explicit OK status wins', async () => {
    const errorLevel = { [L.OBSERVATION_TYPE]: 'tool', [L.OBSERVATION_LEVEL]: 'ERROR', [L.OBSERVATION_STATUS_MESSAGE]: 'refund window closed' };
    expect(oneOf(await spanWith(errorLevel), 'tool')).toMatchObject({ success: false, errorMessage: 'refund window closed' });
    expect(oneOf(await spanWith(errorLevel, { status: { code: SpanStatusCode.OK } }), 'tool')).toMatchObject({ success: true, errorMessage: null });
    expect(oneOf(await spanWith({ ...errorLevel, [L.OBSERVATION_LEVEL]: 'WARNING' }), 'tool').success).toBe(true);
  });

  it('a generation becomes a generation row: model, parameters, messages and usage with cached and reasoning tokens', async () => {
    const span = await spanWith({
      [L.OBSERVATION_TYPE]: 'generation',
      [L.OBSERVATION_MODEL]: 'gpt-4o',
      [L.OBSERVATION_MODEL_PARAMETERS]: '{"temperature":0.2}',
      [L.OBSERVATION_INPUT]: '[{"role":"user","content":"hi"}]',
      [L.OBSERVATION_OUTPUT]: '{"role":"assistant","content":"hello"}',
      // Langfuse buckets: input excludes the cached and cache-creation tokens, output the reasoning tokens.
      [L.OBSERVATION_USAGE_DETAILS]: '{"input":75,"input_cached_tokens":20,"input_cache_creation":5,"output":30,"output_reasoning_tokens":10,"total":140}',
      [L.OBSERVATION_COMPLETION_START_TIME]: '"2026-01-02T03:04:05.000Z"',
    });
    expect(oneOf(span, 'generation')).toMatchObject({
      model: 'gpt-4o',
      modelParameters: { temperature: 0.2 },
      input: [{ role: 'user', content: 'hi' }],
      output: { role: 'assistant', content: 'hello' },
      usage: { input: 100, output: 40, total: 140, cached: 20, cacheCreation: 5, reasoning: 10 },
      completionStartTime: new Date('2026-01-02T03:04:05.000Z'),
    });
  });

  it('usage in OpenAI\'s shapes (as Langfuse\'s API takes it and its Python OpenAI integration sends it) keeps its counts', async () => {
    const usageOfSpan = async (details: unknown) =>
      oneOf(await spanWith({ [L.OBSERVATION_TYPE]: 'generation', [L.OBSERVATION_USAGE_DETAILS]: JSON.stringify(details) }), 'generation').usage;
    // Chat completions: the counts include the cached and reasoning tokens already.
    expect(
      await usageOfSpan({
        prompt_tokens: 25,
        completion_tokens: 12,
        total_tokens: 37,
        prompt_tokens_details: { cached_tokens: 5, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 4 },
      }),
    ).toEqual({ input: 25, output: 12, total: 37, cached: 5, cacheCreation: null, reasoning: 4 });
    // The Responses API.
    expect(
      await usageOfSpan({ input_tokens: 30, output_tokens: 9, total_tokens: 39, input_tokens_details: { cached_tokens: 10 }, output_tokens_details: { reasoning_tokens: 2 } }),
    ).toEqual({ input: 30, output: 9, total: 39, cached: 10, cacheCreation: null, reasoning: 2 });
    // Without details, and with the total left to be summed.
    expect(await usageOfSpan({ prompt_tokens: 7, completion_tokens: 3 })).toMatchObject({ input: 7, output: 3, total: 10 });
    // Langfuse's own buckets are read as before.
    expect(await usageOfSpan({ input: 8, output: 2 })).toMatchObject({ input: 8, output: 2, total: 10 });
  });

  it('an agent observation is the session: trace name, ids, tags, release and input/output', async () => {
    const span = await spanWith(
      {
        [L.OBSERVATION_TYPE]: 'agent',
        [L.TRACE_NAME]: 'support-chat',
        [L.TRACE_SESSION_ID]: 'sess-9',
        [L.TRACE_USER_ID]: 'user-3',
        [L.TRACE_TAGS]: ['beta'],
        [L.RELEASE]: '4.1.0',
        [L.TRACE_INPUT]: '{"question":"why?"}',
        [L.TRACE_OUTPUT]: '"because"',
      },
      { name: 'agent-run' },
    );
    expect(kindOf(span)).toBe('session');
    expect(oneOf(span, 'trace')).toMatchObject({
      complete: true,
      name: 'support-chat',
      sessionId: 'sess-9',
      userId: 'user-3',
      tags: ['beta'],
      agentVersion: '4.1.0',
      input: { question: 'why?' },
      output: 'because',
    });
  });

  it('the langfuse.session.id / langfuse.user.id names count too, on any span of the trace', async () => {
    const span = await spanWith({ [L.SESSION_ID]: 's-1', [L.USER_ID]: 'u-1', [L.OBSERVATION_TYPE]: 'span' }, { nested: true });
    expect(kindOf(span)).toBe('step');
    expect(oneOf(span, 'trace')).toMatchObject({ complete: false, sessionId: 's-1', userId: 'u-1' });
  });

  it('an event or chain observation is a plain step with no tool or generation row', async () => {
    const span = await spanWith({ [L.OBSERVATION_TYPE]: 'chain', [L.OBSERVATION_INPUT]: '"x"' });
    expect(kindOf(span)).toBe('step');
    expect(recordsOf(span, 'tool')).toEqual([]);
    expect(recordsOf(span, 'generation')).toEqual([]);
  });
});
