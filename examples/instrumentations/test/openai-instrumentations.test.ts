import { getToolAttributes, setSession, setUser, traceAgent, traceTool } from '@arizeai/openinference-core';
import { OpenAIInstrumentation as OpenInferenceOpenAI } from '@arizeai/openinference-instrumentation-openai';
import { OpenAIInstrumentation as OpenLlmetryOpenAI } from '@traceloop/instrumentation-openai';
import { context, type Tracer } from '@opentelemetry/api';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, ONE_BACKEND, rowsOf, type StoredRows } from './support/databases.js';
import { startFakeOpenAi, type FakeOpenAi } from './support/fake-openai.js';
import { startLocalLangfuse, type LocalLangfuse } from './support/langfuse.js';
import { agentTracing } from './support/tracing.js';

// The `openai` client, instrumented by OpenInference or by OpenLLMetry, talks to a local server
// that answers like the chat completions API: first a get_weather tool call, then the answer.

const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
  {
    type: 'function',
    function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
  },
];

/** One agent turn: ask, run the tool the model asked for, ask again with its result. */
async function weatherTurn(client: OpenAI, runTool: (args: { city: string }) => Promise<unknown>): Promise<string | null> {
  const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
  const first = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools, temperature: 0 });
  const call = first.choices[0]!.message.tool_calls![0]!;
  if (call.type !== 'function') throw new Error('expected a function tool call');
  const result = await runTool(JSON.parse(call.function.arguments) as { city: string });
  messages.push(first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: JSON.stringify(result) });
  const second = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools, temperature: 0 });
  return second.choices[0]!.message.content;
}

/**
 * The agent as OpenInference users write it: the OpenAI instrumentation records the LLM calls;
 * `traceAgent` / `traceTool` from `@arizeai/openinference-core` record the AGENT and TOOL spans;
 * session and user come from the OpenInference context helpers.
 */
function openInferenceAgent(client: OpenAI, tracer: Tracer) {
  const getWeather = traceTool(async ({ city }: { city: string }) => ({ city, conditions: 'sunny' }), {
    name: 'get_weather',
    tracer,
    attributes: getToolAttributes({ name: 'get_weather', parameters: tools[0]!.type === 'function' ? tools[0]!.function.parameters! : {} }),
  });
  const agent = traceAgent(() => weatherTurn(client, getWeather), { name: 'weather-agent', tracer, attributes: { 'agent.name': 'weather-agent' } });
  const withIds = setUser(setSession(context.active(), { sessionId: 'oi-session-1' }), { userId: 'oi-user-1' });
  return context.with(withIds, agent);
}

let server: FakeOpenAi;
beforeAll(async () => {
  server = await startFakeOpenAi();
});
afterAll(() => server?.close());

for (const backend of BACKENDS) {
  describe.runIf(backend.available)(`OpenInference OpenAI instrumentation → ${backend.name}`, () => {
    let db: StoredRows;
    let langfuse: LocalLangfuse;
    let traceId: string;
    let answer: string | null;

    beforeAll(async () => {
      db = await backend.open();
      langfuse = await startLocalLangfuse();
      const tracing = agentTracing([db.exporter, langfuse.exporter]);
      const instrumentation = new OpenInferenceOpenAI({ tracerProvider: tracing.provider });
      // ESM: the module is patched by hand, as OpenInference documents for ESM projects.
      instrumentation.manuallyInstrument(OpenAI);
      try {
        const client = new OpenAI({ apiKey: 'test-key', baseURL: server.baseURL, maxRetries: 0 });
        answer = await openInferenceAgent(client, tracing.provider.getTracer('agent'));
      } finally {
        instrumentation.disable();
      }
      traceId = tracing.span('weather-agent').spanContext().traceId;
      await tracing.shutdown();
    });
    afterAll(async () => {
      await db?.close();
      await langfuse?.server.close();
    });

    it('the agent works as without telemetry', () => {
      expect(answer).toBe('It is sunny in Paris.');
      expect(server.received.at(-1)!.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
    });

    it('each chat completion becomes a generations row: model, provider, messages, parameters and every token count', async () => {
      const generations = await rowsOf(db, 'generations', traceId);
      expect(generations).toHaveLength(2);
      expect(generations[0]).toMatchObject({
        model: 'gpt-4o-mini-2024-07-18',
        provider: 'openai',
        input_tokens: 42,
        output_tokens: 17,
        total_tokens: 59,
        cached_tokens: 10,
        reasoning_tokens: 5,
        input: [{ role: 'user', content: 'Weather in Paris?' }],
        output: [{ role: 'assistant', tool_calls: [{ function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] }],
        success: true,
      });
      expect(generations[0]!.model_parameters).toMatchObject({ model: 'gpt-4o-mini', temperature: 0 });
      expect(generations[1]).toMatchObject({ input_tokens: 70, output_tokens: 8, cached_tokens: 40, output: [{ role: 'assistant', content: 'It is sunny in Paris.' }] });
    });

    it('the OpenInference TOOL span becomes a tool_executions row with arguments and result', async () => {
      expect(await rowsOf(db, 'tool_executions', traceId)).toMatchObject([
        { tool_name: 'get_weather', category: 'other', input: { city: 'Paris' }, output: { city: 'Paris', conditions: 'sunny' }, success: true },
      ]);
    });

    it('the AGENT span is the session: session and user from the OpenInference context, agent name, input and output', async () => {
      expect(await rowsOf(db, 'traces', traceId)).toMatchObject([
        { session_id: 'oi-session-1', user_id: 'oi-user-1', agent_name: 'weather-agent', name: 'weather-agent', output: 'It is sunny in Paris.' },
      ]);
    });

    it('in Langfuse: two generations with model and usage, one tool, the agent, and the trace’s session', () => {
      const observations = langfuse.server.observations(traceId);
      expect(observations.map((o) => o.type).sort()).toEqual(['AGENT', 'GENERATION', 'GENERATION', 'TOOL']);
      expect(observations.find((o) => o.type === 'TOOL')).toMatchObject({ name: 'get_weather', input: { city: 'Paris' } });
      expect(observations.filter((o) => o.type === 'GENERATION')[0]).toMatchObject({
        model: 'gpt-4o-mini-2024-07-18',
        usageDetails: { input: 32, output: 12, total: 59, input_cached_tokens: 10, output_reasoning_tokens: 5 },
      });
      expect(langfuse.server.trace(traceId)).toMatchObject({ sessionId: 'oi-session-1', userId: 'oi-user-1' });
    });
  });
}

describe(`OpenLLMetry OpenAI instrumentation → ${ONE_BACKEND.name}`, () => {
  let db: StoredRows;
  let traceId: string;

  beforeAll(async () => {
    db = await ONE_BACKEND.open();
    const tracing = agentTracing([db.exporter]);
    const instrumentation = new OpenLlmetryOpenAI();
    instrumentation.setTracerProvider(tracing.provider);
    instrumentation.manuallyInstrument(OpenAI);
    try {
      const client = new OpenAI({ apiKey: 'test-key', baseURL: server.baseURL, maxRetries: 0 });
      await weatherTurn(client, async ({ city }) => ({ city, conditions: 'sunny' }));
    } finally {
      instrumentation.disable();
    }
    traceId = tracing.spans()[0]!.spanContext().traceId;
    await tracing.shutdown();
  });
  afterAll(() => db?.close());

  it('each chat completion becomes a generations row with model, provider and token counts', async () => {
    const generations = await rowsOf(db, 'generations', traceId);
    expect(generations).toHaveLength(1); // two calls, two traces: no parent span joins them
    expect(generations[0]).toMatchObject({
      model: 'gpt-4o-mini-2024-07-18',
      provider: 'openai',
      input_tokens: 42,
      output_tokens: 17,
      total_tokens: 59,
      // Version 0.27 writes the GenAI message format and no cached or reasoning counts.
      cached_tokens: null,
      input: [{ role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] }],
      output: [{ role: 'assistant', parts: [{ type: 'tool_call', name: 'get_weather' }] }],
    });
  });
});
