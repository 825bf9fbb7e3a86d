import { OpenAIInstrumentation as OpenInferenceOpenAI } from '@arizeai/openinference-instrumentation-openai';
import { PropagatedAttributesProcessor } from '@mini-agent/core';
import { propagateAttributes, withSession } from '@mini-agent/otel';
import { trace } from '@opentelemetry/api';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ONE_BACKEND, rowsOf, type StoredRows } from './support/databases.js';
import { startFakeOpenAi, type FakeOpenAi } from './support/fake-openai.js';
import { startLocalLangfuse, type LocalLangfuse } from './support/langfuse.js';
import { agentTracing } from './support/tracing.js';

// A chat completion made by the `openai` client, instrumented by OpenInference, inside
// withSession(): the instrumentation knows nothing of the session, yet its span must carry it.

let server: FakeOpenAi;
let db: StoredRows;
let langfuse: LocalLangfuse;
let sessionTrace: string;
let blockTrace: string;

beforeAll(async () => {
  server = await startFakeOpenAi();
  db = await ONE_BACKEND.open();
  langfuse = await startLocalLangfuse();
  const tracing = agentTracing([db.exporter, langfuse.exporter], 'propagation-agent', [new PropagatedAttributesProcessor()]);
  // withSession() and propagateAttributes() use the global API, as agent code does.
  trace.setGlobalTracerProvider(tracing.provider);
  const instrumentation = new OpenInferenceOpenAI({ tracerProvider: tracing.provider });
  instrumentation.manuallyInstrument(OpenAI);
  try {
    const client = new OpenAI({ apiKey: 'test-key', baseURL: server.baseURL, maxRetries: 0 });
    const ask = () => client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Weather in Paris?' }] });
    await withSession({ name: 'weather', sessionId: 'chat-7', userId: 'user-7', agentName: 'weather-bot', agentVersion: '1.2.0', environment: 'staging', tags: ['beta'] }, ask);
    // A request handler that belongs to a session started elsewhere: no session span of its own.
    await propagateAttributes({ sessionId: 'chat-8', userId: 'user-8' }, ask);
  } finally {
    instrumentation.disable();
    trace.disable();
  }
  const llmSpans = tracing.spans().filter((s) => s.attributes['openinference.span.kind'] === 'LLM');
  sessionTrace = tracing.span('weather').spanContext().traceId;
  blockTrace = llmSpans.find((s) => s.spanContext().traceId !== sessionTrace)!.spanContext().traceId;
  await tracing.shutdown();
});
afterAll(async () => {
  await db?.close();
  await langfuse?.server.close();
  await server?.close();
});

describe('an instrumented OpenAI call inside withSession()', () => {
  it('its generations row carries the session id and user id, as do its spans row', async () => {
    const [generation] = await rowsOf(db, 'generations', sessionTrace);
    expect(generation).toMatchObject({ session_id: 'chat-7', user_id: 'user-7', model: 'gpt-4o-mini-2024-07-18' });
    const spans = await rowsOf(db, 'spans', sessionTrace);
    expect(spans.map((s) => [s.kind, s.session_id, s.user_id]).sort()).toEqual([
      ['llm', 'chat-7', 'user-7'],
      ['session', 'chat-7', 'user-7'],
    ]);
  });

  it('the environment given to the session is the trace’s', async () => {
    expect(await rowsOf(db, 'traces', sessionTrace)).toMatchObject([{ session_id: 'chat-7', environment: 'staging', agent_version: '1.2.0' }]);
  });

  it('in Langfuse every observation carries the session, the user and the tags', () => {
    const observations = langfuse.server.observations(sessionTrace);
    expect(observations.map((o) => o.type).sort()).toEqual(['AGENT', 'GENERATION']);
    for (const o of observations) expect(o).toMatchObject({ sessionId: 'chat-7', userId: 'user-7', tags: ['beta'] });
  });
});

describe('an instrumented OpenAI call inside propagateAttributes()', () => {
  it('has no session span, yet its rows carry the session and user, and so does the trace row', async () => {
    expect(await rowsOf(db, 'generations', blockTrace)).toMatchObject([{ session_id: 'chat-8', user_id: 'user-8' }]);
    expect(await rowsOf(db, 'traces', blockTrace)).toMatchObject([{ session_id: 'chat-8', user_id: 'user-8' }]);
  });

  it('its Langfuse generation carries them too', () => {
    expect(langfuse.server.observations(blockTrace)).toMatchObject([{ type: 'GENERATION', sessionId: 'chat-8', userId: 'user-8' }]);
  });
});
