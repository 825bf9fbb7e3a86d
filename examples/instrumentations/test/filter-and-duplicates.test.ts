import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { OpenAIInstrumentation as OpenInferenceOpenAI } from '@arizeai/openinference-instrumentation-openai';
import { PropagatedAttributesProcessor } from '@mini-agent/core';
import { withSession, withTool } from '@mini-agent/otel';
import { propagation, trace } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { OpenAIInstrumentation as OpenLlmetryOpenAI } from '@traceloop/instrumentation-openai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ONE_BACKEND, rowsOf, type StoredRows } from './support/databases.js';
import { startFakeOpenAi, type FakeOpenAi } from './support/fake-openai.js';
import { startLocalLangfuse, type LocalLangfuse } from './support/langfuse.js';
import { agentTracing, type AgentTracing } from './support/tracing.js';

// Real instrumentations in one process: @opentelemetry/instrumentation-http on node:http,
// OpenInference and OpenLLMetry both patching the `openai` client, which talks to a local fake.

let openAiServer: FakeOpenAi;
let db: StoredRows;
let langfuse: LocalLangfuse;
let tracing: AgentTracing;
const require = createRequire(import.meta.url);

/** Starts both parts and the tracing, with `instrument` patching what the story needs. */
async function setUp(name: string): Promise<void> {
  db = await ONE_BACKEND.open();
  langfuse = await startLocalLangfuse();
  // `baggage: true`: the search service, reached over HTTP, reads the session from the request's baggage.
  tracing = agentTracing([db.exporter, langfuse.exporter], name, [new PropagatedAttributesProcessor({ baggage: true })]);
  trace.setGlobalTracerProvider(tracing.provider);
  // As registerMiniAgentTracing() does: the HTTP client sends traceparent and baggage, the server continues the trace.
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
}

async function tearDown(): Promise<void> {
  trace.disable();
  propagation.disable();
  await db?.close();
  await langfuse?.server.close();
}

beforeAll(async () => {
  openAiServer = await startFakeOpenAi();
});
afterAll(() => openAiServer?.close());

describe('a tool that calls a search service over HTTP, whose handler asks the model', () => {
  let search: Server;
  let traceId: string;
  let ids: Record<string, string>;

  beforeAll(async () => {
    await setUp('http-agent');
    const http = new HttpInstrumentation();
    http.setTracerProvider(tracing.provider);
    http.enable();
    // The instrumentation patches node:http when it is required; ESM's default import is the same object.
    const nodeHttp = require('node:http') as typeof import('node:http');
    const openInference = new OpenInferenceOpenAI({ tracerProvider: tracing.provider });
    openInference.manuallyInstrument(OpenAI);
    const client = new OpenAI({ apiKey: 'test-key', baseURL: openAiServer.baseURL, maxRetries: 0 });
    search = createServer(async (_req, res) => {
      const answer = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Weather in Paris?' }] });
      res.end(JSON.stringify(answer.choices[0]!.message));
    });
    await new Promise<void>((resolve) => search.listen(0, '127.0.0.1', resolve));
    const port = (search.address() as { port: number }).port;
    try {
      await withSession({ name: 'research', sessionId: 'http-session', userId: 'http-user', baggage: true }, () =>
        withTool({ name: 'search', input: { q: 'paris' } }, () =>
          new Promise<string>((resolve, reject) => {
            nodeHttp.get(`http://127.0.0.1:${port}/search?q=paris`, (res) => {
              let body = '';
              res.on('data', (chunk: Buffer) => (body += chunk.toString()));
              res.on('end', () => resolve(body));
            }).on('error', reject);
          }),
        ),
      );
    } finally {
      http.disable();
      openInference.disable();
    }
    await tracing.ended('GET');
    traceId = tracing.span('research').spanContext().traceId;
    const spans = tracing.spans().filter((s) => s.spanContext().traceId === traceId);
    ids = Object.fromEntries(spans.map((s) => [s.attributes['openinference.span.kind'] === 'LLM' ? 'llm' : s.name, s.spanContext().spanId]));
    await tracing.shutdown();
    await new Promise((resolve) => search.close(resolve));
  });
  afterAll(tearDown);

  it('Postgres keeps every span, the HTTP client and server spans included, each with the session (in the service, from baggage)', async () => {
    const spans = await rowsOf(db, 'spans', traceId);
    expect(spans.map((s) => s.category).sort()).toEqual(['agent', 'agent', 'agent', 'http', 'http']);
    for (const span of spans) expect(span).toMatchObject({ session_id: 'http-session', user_id: 'http-user' });
  });

  it('Langfuse gets the session, the tool and the generation, not the HTTP spans', () => {
    const observations = langfuse.server.observations(traceId);
    expect(observations.map((o) => o.type).sort()).toEqual(['AGENT', 'GENERATION', 'TOOL']);
  });

  it('the generation made under the dropped HTTP spans hangs under the tool in Langfuse, not at the root', async () => {
    const generation = langfuse.server.observations(traceId).find((o) => o.type === 'GENERATION')!;
    expect(generation.id).toBe(ids.llm);
    expect(generation.parentObservationId).toBe(ids['execute_tool search']);
    // Postgres keeps the tree the instrumentations made: tool → HTTP client span → HTTP server span → generation.
    const [row] = await rowsOf(db, 'generations', traceId);
    const server = (await rowsOf(db, 'spans', traceId)).find((s) => s.span_id === row!.parent_span_id)!;
    expect(server).toMatchObject({ category: 'http', otel_kind: 'server' });
    const client = (await rowsOf(db, 'spans', traceId)).find((s) => s.span_id === server.parent_span_id)!;
    expect(client).toMatchObject({ category: 'http', otel_kind: 'client', parent_span_id: ids['execute_tool search'] });
  });

  it('stats() counts the dropped spans by reason and the reparented one', () => {
    // The fake OpenAI server runs in this process too: its server span (its own trace: fetch is not instrumented) is the third.
    expect(langfuse.exporter.stats().filtered.langfuse).toMatchObject({ dropped: { http: 3 }, reparented: 1, unresolved: 0, held: 0 });
    expect(db.exporter.stats().filtered).toEqual({});
  });
});

describe('OpenInference and OpenLLMetry both patching the OpenAI client', () => {
  let traceId: string;

  beforeAll(async () => {
    await setUp('doubly-instrumented-agent');
    const openLlmetry = new OpenLlmetryOpenAI();
    openLlmetry.setTracerProvider(tracing.provider);
    openLlmetry.manuallyInstrument(OpenAI);
    // @opentelemetry/instrumentation unwraps a method some instrumentation already wrapped before
    // wrapping it, so patching the same prototype twice by hand would leave only the second. An
    // application meets both when the first wrapper is not marked as one (a framework's own
    // wrapper, a bundled copy): a plain function around OpenLLMetry's wrapper plays that part.
    const proto = OpenAI.Chat.Completions.prototype;
    const viaOpenLlmetry = proto.create;
    proto.create = function create(this: unknown, ...args: unknown[]) {
      return (viaOpenLlmetry as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof proto.create;
    const openInference = new OpenInferenceOpenAI({ tracerProvider: tracing.provider });
    openInference.manuallyInstrument(OpenAI);
    try {
      const client = new OpenAI({ apiKey: 'test-key', baseURL: openAiServer.baseURL, maxRetries: 0 });
      const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }];
      await withSession({ name: 'weather', sessionId: 'dup-session' }, async () => {
        const first = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Weather in Paris?' }], tools });
        const call = first.choices[0]!.message.tool_calls![0]!;
        await withTool({ name: 'get_weather', input: { city: 'Paris' }, callId: call.id }, async () => ({ conditions: 'sunny' }));
      });
    } finally {
      openInference.disable();
      proto.create = viaOpenLlmetry;
      openLlmetry.disable();
    }
    traceId = tracing.span('weather').spanContext().traceId;
    await tracing.shutdown();
  });
  afterAll(tearDown);

  it('two LLM spans, one nested in the other: both in spans, one marked as the other’s duplicate', async () => {
    const llm = (await rowsOf(db, 'spans', traceId)).filter((s) => s.kind === 'llm');
    expect(llm).toHaveLength(2);
    const [duplicate, original] = [llm.find((s) => s.duplicate_of !== null)!, llm.find((s) => s.duplicate_of === null)!];
    expect(duplicate.duplicate_of).toBe(original.span_id);
    expect(original.parent_span_id).toBe(duplicate.span_id); // the first reported is the inner one
  });

  it('one generations row and one Langfuse generation, with the session', async () => {
    expect(await rowsOf(db, 'generations', traceId)).toMatchObject([{ session_id: 'dup-session', model: 'gpt-4o-mini-2024-07-18' }]);
    const observations = langfuse.server.observations(traceId);
    expect(observations.filter((o) => o.type === 'GENERATION')).toHaveLength(1);
    expect(observations.map((o) => o.type).sort()).toEqual(['AGENT', 'GENERATION', 'TOOL']);
  });

  it('stats() counts the duplicate', () => {
    expect(db.exporter.stats().duplicates.dropped).toEqual({ nested_same_model: 1 });
    expect(langfuse.exporter.stats().filtered.langfuse!.dropped).toEqual({ duplicate: 1 });
  });

  it('the tool the model asked for is linked to that generation in SQL', async () => {
    const links = await db.query(`SELECT generation_id, call_id, tool_name, session_id FROM mini_agent_observability.generation_tool_calls WHERE trace_id = $1`, [traceId]);
    const [generation] = await rowsOf(db, 'generations', traceId);
    expect(links).toEqual([{ generation_id: generation!.id, call_id: 'call_weather_1', tool_name: 'get_weather', session_id: 'dup-session' }]);
  });
});
