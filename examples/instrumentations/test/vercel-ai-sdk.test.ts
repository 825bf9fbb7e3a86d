import { generateText, simulateReadableStream, stepCountIs, streamText } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { generateText as generateTextV5, stepCountIs as stepCountIsV5, tool as toolV5 } from 'ai-v5';
import { MockLanguageModelV2 } from 'ai-v5/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BACKENDS, ONE_BACKEND, rowsOf, type StoredRows } from './support/databases.js';
import { startLocalLangfuse, type LocalLangfuse } from './support/langfuse.js';
import { agentTracing } from './support/tracing.js';
import { TRAVEL_PROMPT, travelTools } from './support/travel-agent.js';

// An agent built on the Vercel AI SDK with telemetry on: the model (the SDK's own mock model)
// asks for two tools, one of which fails, then answers. Spans go through PostgresExporter and
// LangfuseExporter (to a local server that behaves like Langfuse).

const telemetryMetadata = { sessionId: 'chat-42', userId: 'user-7' };

/** AI SDK 6 (language model specification v3). */
async function runWithAiSdk6(tracer: import('@opentelemetry/api').Tracer) {
  const model = new MockLanguageModelV3({
    provider: 'mock-provider',
    modelId: 'mock-model-6',
    doGenerate: [
      {
        content: [
          { type: 'tool-call', toolCallId: 'call-1', toolName: 'get_weather', input: '{"city":"Paris"}' },
          { type: 'tool-call', toolCallId: 'call-2', toolName: 'book_flight', input: '{"to":"Oslo"}' },
        ],
        finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
        usage: {
          inputTokens: { total: 120, noCache: 20, cacheRead: 100, cacheWrite: 0 },
          outputTokens: { total: 30, text: 18, reasoning: 12 },
        },
        warnings: [],
      },
      {
        content: [{ type: 'text', text: 'Sunny in Paris; the flight could not be booked.' }],
        finishReason: { unified: 'stop', raw: 'stop' },
        usage: {
          inputTokens: { total: 200, noCache: 200, cacheRead: 0, cacheWrite: 0 },
          outputTokens: { total: 12, text: 12, reasoning: 0 },
        },
        warnings: [],
      },
    ],
  });
  return generateText({
    model,
    prompt: TRAVEL_PROMPT,
    tools: travelTools,
    stopWhen: stepCountIs(2),
    experimental_telemetry: { isEnabled: true, tracer, functionId: 'travel-agent', metadata: telemetryMetadata },
  });
}

/** AI SDK 5 (language model specification v2), the previous major. */
async function runWithAiSdk5(tracer: import('@opentelemetry/api').Tracer) {
  const model = new MockLanguageModelV2({
    provider: 'mock-provider',
    modelId: 'mock-model-5',
    doGenerate: [
      {
        content: [{ type: 'tool-call', toolCallId: 'call-1', toolName: 'get_weather', input: '{"city":"Rome"}' }],
        finishReason: 'tool-calls',
        usage: { inputTokens: 50, outputTokens: 10, totalTokens: 60, cachedInputTokens: 32, reasoningTokens: 4 },
        warnings: [],
      },
      {
        content: [{ type: 'text', text: 'Rainy in Rome.' }],
        finishReason: 'stop',
        usage: { inputTokens: 70, outputTokens: 5, totalTokens: 75 },
        warnings: [],
      },
    ],
  });
  return generateTextV5({
    model,
    prompt: 'Weather in Rome?',
    tools: {
      get_weather: toolV5({
        inputSchema: z.object({ city: z.string() }),
        execute: async ({ city }) => ({ city, conditions: 'rainy' }),
      }),
    },
    stopWhen: stepCountIsV5(2),
    experimental_telemetry: { isEnabled: true, tracer, functionId: 'travel-agent', metadata: telemetryMetadata },
  });
}

for (const backend of BACKENDS) {
  describe.runIf(backend.available)(`Vercel AI SDK 6 with experimental_telemetry → ${backend.name}`, () => {
    let db: StoredRows;
    let langfuse: LocalLangfuse;
    let traceId: string;
    let answer: string;

    beforeAll(async () => {
      db = await backend.open();
      langfuse = await startLocalLangfuse();
      const tracing = agentTracing([db.exporter, langfuse.exporter]);
      answer = (await runWithAiSdk6(tracing.provider.getTracer('ai'))).text;
      traceId = tracing.span('ai.generateText').spanContext().traceId;
      await tracing.shutdown();
    });
    afterAll(async () => {
      await db?.close();
      await langfuse?.server.close();
    });

    it('the agent still gets its answer', () => {
      expect(answer).toBe('Sunny in Paris; the flight could not be booked.');
    });

    it('each tool call becomes a tool_executions row; the tool that threw is success = false', async () => {
      const tools = await rowsOf(db, 'tool_executions', traceId);
      const byName = Object.fromEntries(tools.map((t) => [t.tool_name, t]));
      expect(tools).toHaveLength(2);
      expect(byName.get_weather).toMatchObject({
        name: 'ai.toolCall',
        category: 'other',
        input: { city: 'Paris' },
        output: { city: 'Paris', conditions: 'sunny' },
        success: true,
        call_id: 'call-1',
      });
      expect(byName.book_flight).toMatchObject({ input: { to: 'Oslo' }, success: false, error_message: 'no seats left' });
    });

    it('each model call becomes a generations row with model, provider and token counts', async () => {
      const generations = await rowsOf(db, 'generations', traceId);
      expect(generations).toHaveLength(2);
      expect(generations[0]).toMatchObject({
        name: 'ai.generateText.doGenerate',
        model: 'mock-model-6',
        provider: 'mock-provider',
        input_tokens: 120,
        output_tokens: 30,
        total_tokens: 150,
        cached_tokens: 100,
        reasoning_tokens: 12,
        success: true,
      });
      expect(generations[0]!.output).toEqual(expect.arrayContaining([expect.objectContaining({ toolName: 'get_weather' })]));
      expect(generations[1]).toMatchObject({ input_tokens: 200, output_tokens: 12, output: 'Sunny in Paris; the flight could not be booked.' });
    });

    it('the top-level generateText is the session: traces row with session, user, agent name, prompt and answer', async () => {
      const [trace] = await rowsOf(db, 'traces', traceId);
      expect(trace).toMatchObject({
        session_id: 'chat-42',
        user_id: 'user-7',
        agent_name: 'travel-agent',
        name: 'ai.generateText',
        output: 'Sunny in Paris; the flight could not be booked.',
      });
      expect(trace!.input).toMatchObject({ prompt: TRAVEL_PROMPT });
    });

    it('in Langfuse: tool observations, generation observations with usage, and the session’s trace', () => {
      const observations = langfuse.server.observations(traceId);
      const ofType = (type: string) => observations.filter((o) => o.type === type);
      expect(ofType('TOOL').map((o) => [o.name, o.metadata['mini_agent.tool.name'], o.level])).toEqual(
        expect.arrayContaining([
          ['get_weather', 'get_weather', 'DEFAULT'],
          ['book_flight', 'book_flight', 'ERROR'],
        ]),
      );
      expect(ofType('GENERATION')).toHaveLength(2);
      expect(ofType('GENERATION')[0]).toMatchObject({
        model: 'mock-model-6',
        // Langfuse buckets: input and output without the cached and reasoning tokens.
        usageDetails: { input: 20, output: 18, total: 150, input_cached_tokens: 100, output_reasoning_tokens: 12 },
      });
      expect(ofType('AGENT').map((o) => o.name)).toEqual(['ai.generateText']);
      expect(langfuse.server.trace(traceId)).toMatchObject({ name: 'ai.generateText', sessionId: 'chat-42', userId: 'user-7' });
    });
  });
}

describe(`Vercel AI SDK 5 with experimental_telemetry → ${ONE_BACKEND.name}`, () => {
  let db: StoredRows;
  let traceId: string;

  beforeAll(async () => {
    db = await ONE_BACKEND.open();
    const tracing = agentTracing([db.exporter]);
    await runWithAiSdk5(tracing.provider.getTracer('ai'));
    traceId = tracing.span('ai.generateText').spanContext().traceId;
    await tracing.shutdown();
  });
  afterAll(() => db?.close());

  // AI SDK 5's generateText reports only ai.usage.promptTokens/completionTokens on its model
  // calls (no total, cached or reasoning counts): the total is their sum.
  it('the tool call and both model calls land, with the v5 token names', async () => {
    expect(await rowsOf(db, 'tool_executions', traceId)).toMatchObject([
      { tool_name: 'get_weather', input: { city: 'Rome' }, output: { city: 'Rome', conditions: 'rainy' }, success: true },
    ]);
    expect(await rowsOf(db, 'generations', traceId)).toMatchObject([
      { model: 'mock-model-5', input_tokens: 50, output_tokens: 10, total_tokens: 60, cached_tokens: null, reasoning_tokens: null },
      { model: 'mock-model-5', input_tokens: 70, output_tokens: 5, total_tokens: 75 },
    ]);
    expect(await rowsOf(db, 'traces', traceId)).toMatchObject([{ session_id: 'chat-42', user_id: 'user-7', agent_name: 'travel-agent' }]);
  });
});

describe(`Vercel AI SDK 6 streamText with experimental_telemetry → ${ONE_BACKEND.name}`, () => {
  let db: StoredRows;
  let traceId: string;
  let text: string;

  beforeAll(async () => {
    db = await ONE_BACKEND.open();
    const tracing = agentTracing([db.exporter]);
    const model = new MockLanguageModelV3({
      provider: 'mock-provider',
      modelId: 'mock-stream-model',
      doStream: {
        stream: simulateReadableStream({
          chunks: [
            { type: 'stream-start', warnings: [] },
            { type: 'text-start', id: 't1' },
            { type: 'text-delta', id: 't1', delta: 'Sunny ' },
            { type: 'text-delta', id: 't1', delta: 'in Paris.' },
            { type: 'text-end', id: 't1' },
            {
              type: 'finish',
              finishReason: { unified: 'stop', raw: 'stop' },
              usage: {
                inputTokens: { total: 64, noCache: 16, cacheRead: 48, cacheWrite: 0 },
                outputTokens: { total: 21, text: 6, reasoning: 15 },
              },
            },
          ],
        }),
      },
    });
    const result = streamText({
      model,
      prompt: 'Weather in Paris?',
      experimental_telemetry: { isEnabled: true, tracer: tracing.provider.getTracer('ai'), functionId: 'stream-agent', metadata: telemetryMetadata },
    });
    // The SDK ends its top-level span after the text is out, once its own callbacks have run.
    const session = tracing.ended('ai.streamText');
    text = await result.text;
    traceId = (await session).spanContext().traceId;
    await tracing.shutdown();
  });
  afterAll(() => db?.close());

  it('the streamed model call (doStream) is a generations row with counts and the time of its first chunk', async () => {
    expect(text).toBe('Sunny in Paris.');
    const [generation] = await rowsOf(db, 'generations', traceId);
    expect(generation).toMatchObject({
      name: 'ai.streamText.doStream',
      model: 'mock-stream-model',
      output: 'Sunny in Paris.',
      input_tokens: 64,
      output_tokens: 21,
      cached_tokens: 48,
      reasoning_tokens: 15,
    });
    const firstChunk = new Date(generation!.completion_start_time as string).getTime();
    expect(firstChunk).toBeGreaterThanOrEqual(new Date(generation!.started_at as string).getTime());
    expect(firstChunk).toBeLessThanOrEqual(new Date(generation!.ended_at as string).getTime());
    expect(await rowsOf(db, 'traces', traceId)).toMatchObject([{ name: 'ai.streamText', session_id: 'chat-42', agent_name: 'stream-agent', output: 'Sunny in Paris.' }]);
  });
});
