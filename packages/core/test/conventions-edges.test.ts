import * as sc from '@mini-agent/semconv';
import {
  GenAiAttributes as G,
  GenAiEvents,
  LangfuseAttributes as L,
  OpenInferenceAttributes as OI,
  OpenLlmetryAttributes as T,
  VercelAiAttributes as V,
} from '@mini-agent/semconv';
import { recordSpans } from '@mini-agent/test-support';
import type { Attributes } from '@opentelemetry/api';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { kindOf, oneOf, recordsOf, spanWith } from './convention-spans.js';

// The edges of each convention's reading: values of the wrong type or shape, the fallbacks
// between attribute names, and what one convention says merged with another's. Each span is a
// real SDK span with the attributes as the convention documents them.

const generation = async (attributes: Attributes, nested = false) => oneOf(await spanWith(attributes, { nested }), 'generation');
const startMs = (span: ReadableSpan) => hrTimeToMilliseconds(span.startTime);

describe('attribute values of the wrong type or shape', () => {
  it('an empty or non-string id is no id', async () => {
    const span = await spanWith({ [sc.ATTR_SESSION_ID]: '', [sc.ATTR_USER_ID]: 42, [sc.ATTR_SPAN_KIND]: 'session' });
    expect(oneOf(span, 'trace')).toMatchObject({ sessionId: null, userId: null });
  });

  it('token counts sent as numeric strings are read as numbers; blank and non-numeric strings are not counts', async () => {
    const g = await generation({ [G.OPERATION_NAME]: 'chat', [G.USAGE_INPUT_TOKENS]: '120', [G.USAGE_OUTPUT_TOKENS]: ' ', [G.USAGE_CACHE_READ_INPUT_TOKENS]: 'many' });
    expect(g.usage).toMatchObject({ input: 120, output: null, cached: null, total: 120 });
  });

  it('tags given as one string are a list of one; non-string items of a list are dropped', async () => {
    const one = await spanWith({ [sc.ATTR_SPAN_KIND]: 'session', [sc.ATTR_SESSION_TAGS]: 'beta' });
    expect(oneOf(one, 'trace').tags).toEqual(['beta']);
    const mixed = await spanWith({ [sc.ATTR_SPAN_KIND]: 'session', [sc.ATTR_SESSION_TAGS]: ['a', null, 'b'] as unknown as string[] });
    expect(oneOf(mixed, 'trace').tags).toEqual(['a', 'b']);
  });

  it('model parameters that are not a JSON object are none', async () => {
    for (const parameters of ['[0.2]', '"temperature"', 'null', '{broken']) {
      const g = await generation({ [L.OBSERVATION_TYPE]: 'generation', [L.OBSERVATION_MODEL_PARAMETERS]: parameters });
      expect(g.modelParameters, parameters).toEqual({});
    }
  });

  it('a time to first chunk below zero is no time; zero is the start itself', async () => {
    const llm = { [V.OPERATION_ID]: 'ai.generateText.doGenerate', [V.MODEL_ID]: 'gpt-4o' };
    const negative = await spanWith({ ...llm, [V.RESPONSE_MS_TO_FIRST_CHUNK]: -5 }, { nested: true });
    expect(oneOf(negative, 'generation').completionStartTime).toBeNull();
    const zero = await spanWith({ ...llm, [V.RESPONSE_MS_TO_FIRST_CHUNK]: 0 }, { nested: true });
    expect(oneOf(zero, 'generation').completionStartTime?.getTime()).toBe(startMs(zero));
  });
});

describe('merging what several conventions say', () => {
  it('token counts merge per count across conventions, and the total is the sum of what is known', async () => {
    const g = await generation({ [OI.SPAN_KIND]: 'LLM', [OI.LLM_TOKEN_COUNT_PROMPT]: 40, [G.USAGE_OUTPUT_TOKENS]: 7 });
    expect(g.usage).toMatchObject({ input: 40, output: 7, total: 47 });
  });

  it('with only an output count, the total is that count; with neither input nor output there is no total', async () => {
    expect((await generation({ [G.OPERATION_NAME]: 'chat', [G.USAGE_OUTPUT_TOKENS]: 9 })).usage).toMatchObject({ input: null, output: 9, total: 9 });
    expect((await generation({ [G.OPERATION_NAME]: 'chat', [G.USAGE_CACHE_READ_INPUT_TOKENS]: 4 })).usage).toMatchObject({ cached: 4, total: null });
  });
});

describe('OTel GenAI edges', () => {
  it('a span with a requested model and no operation is an LLM call', async () => {
    const span = await spanWith({ [G.REQUEST_MODEL]: 'gpt-4o-mini' }, { nested: true });
    expect(kindOf(span)).toBe('llm');
    expect(oneOf(span, 'generation').model).toBe('gpt-4o-mini');
  });

  it('only gen_ai.evaluation.result events are scores; response id and error type go to the metadata', async () => {
    const [span] = await recordSpans((tracer) => {
      const s = tracer.startSpan('judged');
      s.addEvent('log', { [G.EVALUATION_NAME]: 'not-a-score', [G.EVALUATION_SCORE_VALUE]: 1 });
      s.addEvent(GenAiEvents.EVALUATION_RESULT, { [G.EVALUATION_NAME]: 'relevance', [G.EVALUATION_SCORE_VALUE]: 0.5, [G.RESPONSE_ID]: 'resp-1', [G.ERROR_TYPE]: 'timeout' });
      s.end();
    });
    const scores = recordsOf(span!, 'score');
    expect(scores.map((s) => s.name)).toEqual(['relevance']);
    expect(scores[0]!.metadata).toEqual({ response_id: 'resp-1', error_type: 'timeout' });
  });

  it('a score author given as a number or a boolean is kept as text; an empty author or id is none', async () => {
    const [span] = await recordSpans((tracer) => {
      const s = tracer.startSpan('judged');
      s.addEvent(GenAiEvents.EVALUATION_RESULT, { [G.EVALUATION_NAME]: 'a', [G.EVALUATION_SCORE_VALUE]: 1, [sc.ATTR_SCORE_AUTHOR]: 42 });
      s.addEvent(GenAiEvents.EVALUATION_RESULT, { [G.EVALUATION_NAME]: 'b', [G.EVALUATION_SCORE_VALUE]: 1, [sc.ATTR_SCORE_AUTHOR]: true });
      s.addEvent(GenAiEvents.EVALUATION_RESULT, { [G.EVALUATION_NAME]: 'c', [G.EVALUATION_SCORE_VALUE]: 1, [sc.ATTR_SCORE_AUTHOR]: '', [sc.ATTR_SCORE_ID]: '' });
      s.end();
    });
    const scores = recordsOf(span!, 'score');
    expect(scores.map((s) => [s.name, s.author])).toEqual([['a', '42'], ['b', 'true'], ['c', null]]);
    expect(scores[2]!.id).toBe(`${span!.spanContext().spanId}:2`);
  });

  it('a score author and id given as text are kept as given', async () => {
    const [span] = await recordSpans((tracer) => {
      const s = tracer.startSpan('judged');
      s.addEvent(GenAiEvents.EVALUATION_RESULT, { [G.EVALUATION_NAME]: 'tone', [G.EVALUATION_SCORE_VALUE]: 1, [sc.ATTR_SCORE_AUTHOR]: 'ann', [sc.ATTR_SCORE_ID]: 'review-17' });
      s.end();
    });
    expect(oneOf(span!, 'score')).toMatchObject({ id: 'review-17', author: 'ann' });
  });
});

describe('OpenInference edges', () => {
  it('without a span kind, only the session and user are read', async () => {
    const span = await spanWith({ [OI.SESSION_ID]: 'oi-sess', [OI.USER_ID]: 'oi-user', [OI.LLM_MODEL_NAME]: 'gpt-4o' }, { nested: true });
    expect(oneOf(span, 'trace')).toMatchObject({ sessionId: 'oi-sess', userId: 'oi-user' });
    expect(recordsOf(span, 'generation')).toEqual([]);
  });

  it('a TOOL span keeps its tool call id', async () => {
    const span = await spanWith({ [OI.SPAN_KIND]: 'TOOL', [OI.TOOL_NAME]: 'lookup', [OI.TOOL_CALL_ID]: 'call_9' });
    expect(oneOf(span, 'tool')).toMatchObject({ toolName: 'lookup', callId: 'call_9' });
  });

  it('an LLM span without flattened messages keeps input.value and output.value as its messages', async () => {
    const g = await generation({ [OI.SPAN_KIND]: 'LLM', [OI.INPUT_VALUE]: '{"q":"hi"}', [OI.OUTPUT_VALUE]: '"hello"' });
    expect(g).toMatchObject({ input: { q: 'hi' }, output: 'hello' });
  });

  it('costs: the prompt cost less its cache parts, the completion cost less reasoning, total the sum when not given', async () => {
    const g = await generation({
      [OI.SPAN_KIND]: 'LLM',
      [OI.LLM_COST_PROMPT]: 0.01,
      [OI.LLM_COST_PROMPT_CACHE_READ]: 0.002,
      [OI.LLM_COST_PROMPT_CACHE_WRITE]: 0.001,
      [OI.LLM_COST_COMPLETION]: 0.02,
      [OI.LLM_COST_COMPLETION_REASONING]: 0.005,
    });
    expect(g.costUsd).toBeCloseTo(0.03, 10);
    expect(g.costDetails).toMatchObject({ source: 'reported', attribute: 'llm.cost.*' });
    const usd = (g.costDetails as { usd: Record<string, number> }).usd;
    expect(usd.input).toBeCloseTo(0.007, 10);
    expect(usd.output).toBeCloseTo(0.015, 10);
    expect(usd).toMatchObject({ cache_read: 0.002, cache_creation: 0.001, reasoning: 0.005 });
    const completionOnly = await generation({ [OI.SPAN_KIND]: 'LLM', [OI.LLM_COST_COMPLETION]: 0.02 });
    expect(completionOnly.costUsd).toBeCloseTo(0.02, 10);
    const promptOnly = await generation({ [OI.SPAN_KIND]: 'LLM', [OI.LLM_COST_PROMPT]: 0.01 });
    expect(promptOnly.costUsd).toBeCloseTo(0.01, 10);
  });

  it('a result\'s identifier and metadata go to the score\'s metadata', async () => {
    const span = await spanWith({
      [OI.SPAN_KIND]: 'LLM',
      'evaluations.0.evaluation.name': 'correctness',
      'evaluations.0.evaluation.score': 1,
      'evaluations.0.evaluation.identifier': 'run-7',
      'evaluations.0.evaluation.metadata': '{"judge":"gpt"}',
    });
    expect(oneOf(span, 'score').metadata).toEqual({ identifier: 'run-7', metadata: '{"judge":"gpt"}' });
  });
});

describe('flattened message lists', () => {
  const prompt = (attributes: Attributes) => generation({ [T.LLM_REQUEST_TYPE]: 'chat', ...attributes });

  it('only index segments right after the prefix count, in index order, gaps dropped, ten and more included', async () => {
    const attributes: Attributes = {};
    for (const i of [0, 2, 10, 11]) attributes[`${T.PROMPT_PREFIX}.${i}.content`] = `m${i}`;
    attributes[`${T.PROMPT_PREFIX}.x1.content`] = 'named';
    attributes[`${T.PROMPT_PREFIX}.1x.content`] = 'suffixed';
    // Not under the prefix at all, though as long as it and ending in an index.
    attributes[`${'q'.repeat(T.PROMPT_PREFIX.length + 1)}3.content`] = 'elsewhere';
    const g = await prompt(attributes);
    expect(g.input).toEqual([{ content: 'm0' }, { content: 'm2' }, { content: 'm10' }, { content: 'm11' }]);
  });

  it('keys with an empty segment or one that reaches a prototype are left out', async () => {
    const g = await prompt({
      [`${T.PROMPT_PREFIX}.0.role`]: 'user',
      [`${T.PROMPT_PREFIX}.0..content`]: 'empty segment',
      [`${T.PROMPT_PREFIX}.0.__proto__.polluted`]: 'yes',
      [`${T.PROMPT_PREFIX}.1.constructor`]: 'no',
    });
    expect(g.input).toEqual([{ role: 'user' }]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('nested lists become arrays, and string leaves stay strings', async () => {
    const g = await prompt({
      [`${T.PROMPT_PREFIX}.0.role`]: 'assistant',
      [`${T.PROMPT_PREFIX}.0.tool_calls.0.name`]: 'search',
      [`${T.PROMPT_PREFIX}.0.tool_calls.1.name`]: 'fetch',
      [`${T.PROMPT_PREFIX}.0.content`]: '12',
    });
    expect(g.input).toEqual([{ role: 'assistant', content: '12', tool_calls: [{ name: 'search' }, { name: 'fetch' }] }]);
  });

  it('OpenInference message wrappers are taken off only where they are the one key', async () => {
    const g = await generation({
      [OI.SPAN_KIND]: 'LLM',
      'llm.input_messages.0.message.role': 'user',
      'llm.input_messages.0.message.content': 'hi',
      'llm.input_messages.1.message.role': 'assistant',
      'llm.input_messages.1.extra': 'kept',
    });
    expect(g.input).toEqual([{ role: 'user', content: 'hi' }, { message: { role: 'assistant' }, extra: 'kept' }]);
  });
});

describe('Langfuse edges', () => {
  const usageOf = async (details: unknown) => (await generation({ [L.OBSERVATION_TYPE]: 'generation', [L.OBSERVATION_USAGE_DETAILS]: JSON.stringify(details) })).usage;

  it('every input_* bucket adds to the input; a bucket that is not a number adds nothing', async () => {
    expect(await usageOf({ input: 10, input_audio: 5, output: 2, output_audio: 'n/a' })).toMatchObject({ input: 15, output: 2, total: 17 });
  });

  it('OpenAI chat usage with only one of its counts, and a total that is not the sum, is read as given', async () => {
    expect(await usageOf({ completion_tokens: 5 })).toMatchObject({ input: null, output: 5 });
    expect(await usageOf({ prompt_tokens: 7 })).toMatchObject({ input: 7, output: null });
    expect(await usageOf({ prompt_tokens: 5, completion_tokens: 3, total_tokens: 10 })).toMatchObject({ input: 5, output: 3, total: 10 });
  });

  it('Responses API usage is told by input_tokens alone, or by either details object', async () => {
    expect(await usageOf({ input_tokens: 30, output_tokens: 9 })).toMatchObject({ input: 30, output: 9, total: 39 });
    expect(await usageOf({ input_tokens_details: { cached_tokens: 4 }, output_tokens: 2 })).toMatchObject({ cached: 4, output: 2 });
    expect(await usageOf({ output_tokens_details: { reasoning_tokens: 3 }, output_tokens: 8 })).toMatchObject({ reasoning: 3, output: 8 });
    // Langfuse's own buckets beside an input_tokens key: the buckets are read.
    expect(await usageOf({ input: 5, input_tokens: 3, output: 1 })).toMatchObject({ input: 8, output: 1 });
  });

  it('cost details: cache and reasoning keys become their kinds, the total is the sum of the keys', async () => {
    const g = await generation({
      [L.OBSERVATION_TYPE]: 'generation',
      [L.OBSERVATION_COST_DETAILS]: JSON.stringify({ input: 0.01, input_cached_tokens: 0.002, input_cache_creation: 0.001, output: 0.02, output_reasoning_tokens: 0.003, note: 'x' }),
    });
    expect(g.costDetails).toMatchObject({ source: 'reported', usd: { input: 0.01, cache_read: 0.002, cache_creation: 0.001, output: 0.02, reasoning: 0.003 } });
    expect(g.costUsd).toBeCloseTo(0.036, 10);
  });

  it('a tool\'s metadata from one JSON object and from flattened keys, and nothing else', async () => {
    const span = await spanWith({
      [L.OBSERVATION_TYPE]: 'tool',
      [L.OBSERVATION_METADATA]: '{"source":"web","retries":2}',
      [`${L.OBSERVATION_METADATA}.region`]: 'eu',
      [L.OBSERVATION_MODEL]: 'not-metadata',
    }, { name: 'search' });
    expect(oneOf(span, 'tool').metadata).toEqual({ source: 'web', retries: 2, region: 'eu' });
  });

  it('the observation input and output of an agent observation are the session\'s', async () => {
    const span = await spanWith({ [L.OBSERVATION_TYPE]: 'agent', [L.OBSERVATION_INPUT]: '{"ask":"why"}', [L.OBSERVATION_OUTPUT]: '"so"' });
    expect(oneOf(span, 'trace')).toMatchObject({ complete: true, input: { ask: 'why' }, output: 'so' });
  });

  it('a completion start time not wrapped in JSON quotes is read as it is', async () => {
    const g = await generation({ [L.OBSERVATION_TYPE]: 'generation', [L.OBSERVATION_COMPLETION_START_TIME]: '2026-01-02T03:04:05.000Z' });
    expect(g.completionStartTime).toEqual(new Date('2026-01-02T03:04:05.000Z'));
  });
});

describe('mini_agent edges', () => {
  it('a tool server goes to the tool\'s metadata; a decision type alone makes a decision', async () => {
    const tool = await spanWith({ [sc.ATTR_TOOL_NAME]: 'read', [sc.ATTR_TOOL_SERVER]: 'files' });
    expect(oneOf(tool, 'tool').metadata).toMatchObject({ server: 'files' });
    const decision = await spanWith({ [sc.ATTR_DECISION_TYPE]: 'route', [sc.ATTR_DECISION_CHOSEN]: 'billing' });
    expect(kindOf(decision)).toBe('decision');
  });
});

describe('OpenLLMetry edges', () => {
  it('indexed messages alone make the messages of an LLM span; llm.request.type alone makes an LLM span', async () => {
    const g = await generation({ [G.OPERATION_NAME]: 'chat', [`${T.PROMPT_PREFIX}.0.role`]: 'user', [`${T.PROMPT_PREFIX}.0.content`]: 'hi' });
    expect(g.input).toEqual([{ role: 'user', content: 'hi' }]);
    const typed = await spanWith({ [T.LLM_REQUEST_TYPE]: 'chat' }, { nested: true });
    expect(kindOf(typed)).toBe('llm');
  });

  it('a workflow is the session with its input, and its entity name is not an agent name', async () => {
    const span = await spanWith({ [T.SPAN_KIND]: 'workflow', [T.ENTITY_NAME]: 'flow', [T.WORKFLOW_NAME]: 'support', [T.ENTITY_INPUT]: '{"ticket":1}' });
    expect(oneOf(span, 'trace')).toMatchObject({ complete: true, name: 'support', input: { ticket: 1 } });
    expect(oneOf(span, 'trace').agentName).not.toBe('flow');
  });
});

describe('Vercel AI SDK edges', () => {
  it('only ai.* operations are read', async () => {
    const span = await spanWith({ [V.OPERATION_ID]: 'other.doGenerate', [V.MODEL_ID]: 'gpt-4o' }, { nested: true });
    expect(recordsOf(span, 'generation')).toEqual([]);
  });

  it('a top-level call is the session at the root of a trace and a step inside one', async () => {
    expect(kindOf(await spanWith({ [V.OPERATION_ID]: 'ai.generateText' }))).toBe('session');
    expect(kindOf(await spanWith({ [V.OPERATION_ID]: 'ai.generateText' }, { nested: true }))).not.toBe('session');
  });

  it('the answer is its tool calls when there is no text, and both, parsed, when there are', async () => {
    const call = { [V.OPERATION_ID]: 'ai.generateText.doGenerate', [V.MODEL_ID]: 'gpt-4o' };
    const calls = '[{"toolCallId":"c1","toolName":"search"}]';
    expect((await generation({ ...call, [V.RESPONSE_TOOL_CALLS]: calls }, true)).output).toEqual([{ toolCallId: 'c1', toolName: 'search' }]);
    expect((await generation({ ...call, [V.RESPONSE_TEXT]: 'ok', [V.RESPONSE_TOOL_CALLS]: calls }, true)).output).toEqual({ text: 'ok', toolCalls: [{ toolCallId: 'c1', toolName: 'search' }] });
  });

  it('settings are the model parameters, without retries and timeout', async () => {
    const g = await generation(
      { [V.OPERATION_ID]: 'ai.generateText.doGenerate', [V.MODEL_ID]: 'gpt-4o', [`${V.SETTINGS_PREFIX}temperature`]: 0.3, [`${V.SETTINGS_PREFIX}maxRetries`]: 2, [`${V.SETTINGS_PREFIX}timeout`]: 1000 },
      true,
    );
    expect(g.modelParameters).toEqual({ temperature: 0.3 });
  });

  it('Anthropic\'s legacy input count leaves out the cache reads, which are added; other providers\' and newer counts are kept', async () => {
    const call = { [V.OPERATION_ID]: 'ai.generateText.doGenerate', [V.MODEL_ID]: 'claude-sonnet-4', [V.USAGE_INPUT_TOKENS]: 100, [V.USAGE_CACHED_INPUT_TOKENS]: 20 };
    expect((await generation({ ...call, [V.MODEL_PROVIDER]: 'anthropic.messages' }, true)).usage).toMatchObject({ input: 120, cached: 20 });
    expect((await generation({ ...call, [V.MODEL_PROVIDER]: 'openai.chat' }, true)).usage).toMatchObject({ input: 100, cached: 20 });
    expect((await generation({ ...call, [V.MODEL_PROVIDER]: 'anthropic.messages', [V.USAGE_CACHE_READ_TOKENS]: 20 }, true)).usage).toMatchObject({ input: 100 });
  });
});
