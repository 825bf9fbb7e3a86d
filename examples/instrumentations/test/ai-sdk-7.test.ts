import type { Tracer } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, rowsOf, type Row, type StoredRows } from './support/databases.js';
import { startLocalLangfuse, type LocalLangfuse } from './support/langfuse.js';
import { agentTracing } from './support/tracing.js';
import { TRAVEL_PROMPT, travelTools } from './support/travel-agent.js';

// An agent on the Vercel AI SDK 7 with its OpenTelemetry integration, @ai-sdk/otel, which emits
// the OTel GenAI conventions (invoke_agent / agent_step / chat / execute_tool spans). The model is
// the SDK's own mock (`ai/test`); the model asks for two tools, one of which throws, then answers;
// a second call streams its answer. Spans go through PostgresExporter and LangfuseExporter (to a
// local server that behaves like Langfuse).
//
// AI SDK 7 and @ai-sdk/otel require Node 22 or later, so they are imported only there; on older
// Node lines the suite is skipped and says why.

const NODE_MAJOR = Number(process.versions.node.split('.')[0]);
const SUPPORTED = NODE_MAJOR >= 22;
const SKIP_REASON = `AI SDK 7 and @ai-sdk/otel need Node >= 22; this is Node ${process.versions.node}`;
if (!SUPPORTED) console.warn(`[examples/instrumentations] ai-sdk-7.test.ts skipped: ${SKIP_REASON}`);

interface LanguageModelUsage {
  inputTokens: { total: number; noCache: number; cacheRead: number; cacheWrite: number };
  outputTokens: { total: number; text: number; reasoning: number };
}
/** The specification-v4 usage of one call: input split into not cached / read from / written to the cache. */
const usage = (input: number, output: number, cacheRead: number, cacheWrite: number, reasoning: number): LanguageModelUsage => ({
  inputTokens: { total: input, noCache: input - cacheRead - cacheWrite, cacheRead, cacheWrite },
  outputTokens: { total: output, text: output - reasoning, reasoning },
});

const ANSWER = 'Sunny in Paris; the flight could not be booked.';
const STREAMED = 'Hello from the stream.';
/** The mock stream waits this long before its first chunk: the time to first chunk the rows must show. */
const FIRST_CHUNK_DELAY_MS = 60;

/** What the agent does: one tool-using generateText and one streamText, each its own trace. */
async function runAgent(tracer: Tracer): Promise<{ answer: string; streamed: string }> {
  const { generateText, streamText, stepCountIs, simulateReadableStream } = await import('ai-v7');
  const { MockLanguageModelV4 } = await import('ai-v7/test');
  const { OpenTelemetry } = await import('@ai-sdk/otel');
  // Per call rather than registerTelemetry(): the test's own provider, no global left behind.
  const integrations = new OpenTelemetry({ tracer });

  const model = new MockLanguageModelV4({
    // The SDK maps provider ids to gen_ai.provider.name values: 'anthropic.messages' → 'anthropic'.
    provider: 'anthropic.messages',
    modelId: 'claude-mock',
    doGenerate: [
      {
        content: [
          { type: 'tool-call', toolCallId: 'call-1', toolName: 'get_weather', input: '{"city":"Paris"}' },
          { type: 'tool-call', toolCallId: 'call-2', toolName: 'book_flight', input: '{"to":"Oslo"}' },
        ],
        finishReason: { unified: 'tool-calls', raw: 'tool_use' },
        usage: usage(1200, 30, 200, 900, 12),
        warnings: [],
      },
      {
        content: [{ type: 'text', text: ANSWER }],
        finishReason: { unified: 'stop', raw: 'end_turn' },
        usage: usage(1300, 12, 1100, 0, 0),
        warnings: [],
      },
    ],
  });
  const { text: answer } = await generateText({
    model,
    prompt: TRAVEL_PROMPT,
    tools: travelTools,
    stopWhen: stepCountIs(2),
    telemetry: { functionId: 'travel-agent', integrations },
  });

  const streamingModel = new MockLanguageModelV4({
    provider: 'anthropic.messages',
    modelId: 'claude-stream',
    doStream: {
      stream: simulateReadableStream({
        initialDelayInMs: FIRST_CHUNK_DELAY_MS,
        chunkDelayInMs: 5,
        chunks: [
          { type: 'stream-start', warnings: [] },
          { type: 'text-start', id: 't1' },
          { type: 'text-delta', id: 't1', delta: 'Hello from ' },
          { type: 'text-delta', id: 't1', delta: 'the stream.' },
          { type: 'text-end', id: 't1' },
          { type: 'finish', finishReason: { unified: 'stop', raw: 'end_turn' }, usage: usage(40, 6, 0, 0, 0) },
        ],
      }),
    },
  });
  const stream = streamText({ model: streamingModel, prompt: 'Say hello', telemetry: { functionId: 'greeter', integrations } });
  return { answer, streamed: await stream.text };
}

const byName = (rows: Row[], column: string) => Object.fromEntries(rows.map((row) => [String(row[column]), row]));

for (const backend of BACKENDS) {
  const title = `Vercel AI SDK 7 through @ai-sdk/otel → ${backend.name}${SUPPORTED ? '' : ` (skipped: ${SKIP_REASON})`}`;
  describe.runIf(SUPPORTED && backend.available)(title, () => {
    let db: StoredRows;
    let langfuse: LocalLangfuse;
    let agentTrace: string;
    let streamTrace: string;
    let result: { answer: string; streamed: string };

    beforeAll(async () => {
      db = await backend.open();
      langfuse = await startLocalLangfuse();
      const tracing = agentTracing([db.exporter, langfuse.exporter]);
      const streamEnded = tracing.ended('invoke_agent claude-stream');
      result = await runAgent(tracing.provider.getTracer('ai-sdk'));
      agentTrace = tracing.span('invoke_agent claude-mock').spanContext().traceId;
      streamTrace = (await streamEnded).spanContext().traceId;
      await tracing.shutdown();
    });
    afterAll(async () => {
      await db?.close();
      await langfuse?.server.close();
    });

    it('the agent gets its answers, streamed or not', () => {
      expect(result).toEqual({ answer: ANSWER, streamed: STREAMED });
    });

    it('each execute_tool span is a tool_executions row with the call id and tool type; the tool that threw has success = false', async () => {
      const tools = byName(await rowsOf(db, 'tool_executions', agentTrace), 'tool_name');
      expect(Object.keys(tools).sort()).toEqual(['book_flight', 'get_weather']);
      expect(tools.get_weather).toMatchObject({
        name: 'execute_tool get_weather',
        category: 'other',
        call_id: 'call-1',
        tool_type: 'function',
        input: { city: 'Paris' },
        output: { city: 'Paris', conditions: 'sunny' },
        success: true,
        error_message: null,
      });
      expect(tools.book_flight).toMatchObject({ call_id: 'call-2', tool_type: 'function', input: { to: 'Oslo' }, success: false, error_message: 'no seats left' });
    });

    it('each chat span is a generations row: model, provider, tokens with cache reads and cache writes', async () => {
      const generations = await rowsOf(db, 'generations', agentTrace);
      expect(generations).toHaveLength(2);
      expect(generations[0]).toMatchObject({
        name: 'chat claude-mock',
        model: 'claude-mock',
        provider: 'anthropic',
        input_tokens: 1200,
        output_tokens: 30,
        total_tokens: 1230,
        cached_tokens: 200,
        cache_creation_tokens: 900,
        // @ai-sdk/otel 1.0 does not write gen_ai.usage.reasoning.output_tokens on its chat spans.
        reasoning_tokens: null,
        success: true,
        // generateText is not streamed: no first chunk to time.
        completion_start_time: null,
      });
      expect(generations[0]!.output).toEqual([
        expect.objectContaining({ role: 'assistant', parts: expect.arrayContaining([expect.objectContaining({ type: 'tool_call', id: 'call-1', name: 'get_weather' })]) }),
      ]);
      expect(generations[1]).toMatchObject({ input_tokens: 1300, output_tokens: 12, cached_tokens: 1100, cache_creation_tokens: 0 });
    });

    it('the streamed call has its time to first chunk as the completion start time', async () => {
      const [generation] = await rowsOf(db, 'generations', streamTrace);
      expect(generation).toMatchObject({ name: 'chat claude-stream', model: 'claude-stream', input_tokens: 40, output_tokens: 6 });
      const started = (generation!.started_at as Date).getTime();
      const firstChunk = (generation!.completion_start_time as Date).getTime();
      expect(firstChunk - started).toBeGreaterThanOrEqual(FIRST_CHUNK_DELAY_MS - 5);
      expect(firstChunk).toBeLessThanOrEqual((generation!.ended_at as Date).getTime());
    });

    it('invoke_agent is the session: the agent named after functionId, the prompt and the answer; agent_step spans are steps', async () => {
      const [trace] = await rowsOf(db, 'traces', agentTrace);
      expect(trace).toMatchObject({ complete: true, name: 'invoke_agent claude-mock', agent_name: 'travel-agent', status: 'unset' });
      expect(trace!.input).toEqual([{ role: 'user', parts: [{ type: 'text', content: TRAVEL_PROMPT }] }]);
      expect(JSON.stringify(trace!.output)).toContain(ANSWER);
      const spans = await db.query('SELECT name, kind FROM mini_agent_observability.spans WHERE trace_id = $1 ORDER BY name', [agentTrace]);
      expect(spans).toEqual([
        { name: 'chat claude-mock', kind: 'llm' },
        { name: 'chat claude-mock', kind: 'llm' },
        { name: 'execute_tool book_flight', kind: 'tool' },
        { name: 'execute_tool get_weather', kind: 'tool' },
        { name: 'invoke_agent claude-mock', kind: 'session' },
        { name: 'step 1', kind: 'step' },
        { name: 'step 2', kind: 'step' },
      ]);
    });

    it('in Langfuse: tool observations, generations with cache reads and writes priced apart, the agent as the trace', () => {
      const observations = langfuse.server.observations(agentTrace);
      const ofType = (type: string) => observations.filter((o) => o.type === type);
      expect(ofType('TOOL').map((o) => [o.name, o.level]).sort()).toEqual([
        ['book_flight', 'ERROR'],
        ['get_weather', 'DEFAULT'],
      ]);
      expect(ofType('GENERATION')).toHaveLength(2);
      expect(ofType('GENERATION').find((o) => o.usageDetails?.input_cache_creation === 900)).toMatchObject({
        model: 'claude-mock',
        usageDetails: { input: 100, output: 30, total: 1230, input_cached_tokens: 200, input_cache_creation: 900 },
      });
      expect(ofType('AGENT').map((o) => o.name)).toEqual(['invoke_agent claude-mock']);
    });
  });
}
