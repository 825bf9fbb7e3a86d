import { VercelAiAttributes as V } from '@mini-agent/semconv';
import { describe, expect, it } from 'vitest';
import { kindOf, oneOf, recordsOf, spanWith } from './convention-spans.js';

// Names as the AI SDK sets them with experimental_telemetry (versions 4 to 6).
describe('Vercel AI SDK spans', () => {
  it('an ai.toolCall span becomes a tool execution: name, args, result and call id', async () => {
    const span = await spanWith(
      {
        [V.OPERATION_ID]: 'ai.toolCall',
        [V.TOOL_CALL_NAME]: 'weather',
        [V.TOOL_CALL_ID]: 'call-1',
        [V.TOOL_CALL_ARGS]: '{"city":"Berlin"}',
        [V.TOOL_CALL_RESULT]: '{"temperature":21}',
      },
      { name: 'ai.toolCall', nested: true },
    );
    expect(oneOf(span, 'tool')).toMatchObject({
      toolName: 'weather',
      input: { city: 'Berlin' },
      output: { temperature: 21 },
      callId: 'call-1',
    });
  });

  it('a doGenerate span becomes a generation; version 4 token names (promptTokens) are read too', async () => {
    const span = await spanWith(
      {
        [V.OPERATION_ID]: 'ai.generateText.doGenerate',
        [V.MODEL_ID]: 'gpt-4o',
        [V.MODEL_PROVIDER]: 'openai.chat',
        [V.PROMPT_MESSAGES]: '[{"role":"user","content":[{"type":"text","text":"hi"}]}]',
        [V.RESPONSE_TEXT]: 'hello',
        'ai.settings.temperature': 0.3,
        'ai.settings.maxRetries': 2,
        [V.USAGE_PROMPT_TOKENS]: 11,
        [V.USAGE_COMPLETION_TOKENS]: 7,
      },
      { name: 'ai.generateText.doGenerate', nested: true },
    );
    expect(oneOf(span, 'generation')).toMatchObject({
      model: 'gpt-4o',
      provider: 'openai.chat',
      input: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      output: 'hello',
      modelParameters: { temperature: 0.3 },
      usage: { input: 11, output: 7, total: 18, cached: null, reasoning: null },
    });
  });

  it('a doStream span with version 5/6 names: input/output/total, cached and reasoning tokens, time to first chunk, text and tool calls', async () => {
    const span = await spanWith(
      {
        [V.OPERATION_ID]: 'ai.streamText.doStream',
        [V.MODEL_ID]: 'claude',
        [V.RESPONSE_MODEL]: 'claude-3-7',
        [V.RESPONSE_TEXT]: 'checking',
        [V.RESPONSE_TOOL_CALLS]: '[{"toolCallId":"c1","toolName":"weather","input":"{}"}]',
        [V.RESPONSE_MS_TO_FIRST_CHUNK]: 250,
        [V.USAGE_INPUT_TOKENS]: 30,
        [V.USAGE_OUTPUT_TOKENS]: 9,
        [V.USAGE_TOTAL_TOKENS]: 39,
        [V.USAGE_CACHED_INPUT_TOKENS]: 16,
        [V.USAGE_CACHE_WRITE_TOKENS]: 4,
        [V.USAGE_REASONING_TOKENS]: 3,
      },
      { name: 'ai.streamText.doStream', nested: true },
    );
    const generation = oneOf(span, 'generation');
    expect(generation).toMatchObject({
      model: 'claude-3-7',
      output: { text: 'checking', toolCalls: [{ toolCallId: 'c1', toolName: 'weather', input: '{}' }] },
      usage: { input: 30, output: 9, total: 39, cached: 16, cacheCreation: 4, reasoning: 3 },
    });
    expect(generation.completionStartTime!.getTime() - generation.startTime.getTime()).toBeCloseTo(250, 0);
  });

  it('a top-level ai.generateText that starts the trace is the session, with metadata sessionId/userId and functionId', async () => {
    const span = await spanWith(
      {
        [V.OPERATION_ID]: 'ai.generateText',
        [V.FUNCTION_ID]: 'trip-planner',
        [`${V.METADATA_PREFIX}sessionId`]: 'chat-12',
        [`${V.METADATA_PREFIX}userId`]: 'u-5',
        [V.PROMPT]: '{"prompt":"plan"}',
        [V.RESPONSE_TEXT]: 'done',
        [V.USAGE_INPUT_TOKENS]: 99,
      },
      { name: 'ai.generateText' },
    );
    expect(kindOf(span)).toBe('session');
    expect(recordsOf(span, 'generation')).toEqual([]); // its usage is the sum of its doGenerate children
    expect(oneOf(span, 'trace')).toMatchObject({
      complete: true,
      sessionId: 'chat-12',
      userId: 'u-5',
      agentName: 'trip-planner',
      input: { prompt: 'plan' },
      output: 'done',
    });
  });

  it('nested under the agent’s own session span, without a session id of its own, ai.generateText is a step', async () => {
    const span = await spanWith({ [V.OPERATION_ID]: 'ai.generateText', [`${V.METADATA_PREFIX}userId`]: 'u-1' }, { name: 'ai.generateText', nested: true });
    expect(kindOf(span)).toBe('step');
    expect(oneOf(span, 'trace')).toMatchObject({ complete: false, userId: 'u-1' });
  });

  it('nested under another span (an HTTP server span) but naming a session (session_id), it is the session', async () => {
    const span = await spanWith(
      { [V.OPERATION_ID]: 'ai.streamText', [`${V.METADATA_PREFIX}session_id`]: 'chat-13' },
      { name: 'ai.streamText', nested: true },
    );
    expect(kindOf(span)).toBe('session');
    expect(oneOf(span, 'trace')).toMatchObject({ complete: true, sessionId: 'chat-13' });
  });
});
