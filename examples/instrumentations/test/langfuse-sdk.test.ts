import { propagateAttributes, setLangfuseTracerProvider, startActiveObservation } from '@langfuse/tracing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ONE_BACKEND, rowsOf, type StoredRows } from './support/databases.js';
import { agentTracing } from './support/tracing.js';

// An agent instrumented with Langfuse's own SDK (observation types, usage details, trace
// attributes propagated through the context) sends its spans to PostgresExporter instead.

describe(`Langfuse SDK (@langfuse/tracing) spans → ${ONE_BACKEND.name}`, () => {
  let db: StoredRows;
  let traceId: string;

  beforeAll(async () => {
    db = await ONE_BACKEND.open();
    const tracing = agentTracing([db.exporter]);
    setLangfuseTracerProvider(tracing.provider);
    try {
      // As Langfuse documents it: trace attributes propagated early, inside the root observation,
      // land on that (active) span. Copying them to child spans is the job of Langfuse's own span
      // processor, which this agent does not run.
      await startActiveObservation(
        'support-agent',
        (agent) =>
          propagateAttributes({ sessionId: 'lf-session-1', userId: 'lf-user-1', traceName: 'refund-request', tags: ['beta'] }, async () => {
            traceId = agent.traceId;
            agent.update({ input: { question: 'Can I get a refund for A-17?' } });
            agent
              .startObservation('llm-call', { model: 'gpt-4o', input: [{ role: 'user', content: 'refund A-17?' }], modelParameters: { temperature: 0.1 } }, { asType: 'generation' })
              .update({
                output: { role: 'assistant', content: 'checking the order' },
                usageDetails: { input: 80, input_cached_tokens: 20, output: 30, output_reasoning_tokens: 10, total: 140 },
                completionStartTime: new Date('2026-11-25T10:00:00.250Z'),
              })
              .end();
            agent.startObservation('lookup_order', { input: { order: 'A-17' } }, { asType: 'tool' }).update({ output: { status: 'delivered' }, metadata: { source: 'orders-db' } }).end();
            agent.startObservation('issue_refund', { input: { order: 'A-17' } }, { asType: 'tool' }).update({ level: 'ERROR', statusMessage: 'refund window closed' }).end();
            agent.update({ output: 'Sorry, the refund window is closed.' });
          }),
        { asType: 'agent' },
      );
    } finally {
      setLangfuseTracerProvider(null);
    }
    await tracing.shutdown();
  });
  afterAll(() => db?.close());

  it('tool observations become tool_executions rows; the one at level ERROR is success = false', async () => {
    // By name, not by time: the two tools start and end within the same millisecond.
    const tools = (await rowsOf(db, 'tool_executions', traceId)).sort((a, b) => String(a.tool_name).localeCompare(String(b.tool_name)));
    expect(tools).toMatchObject([
      { tool_name: 'issue_refund', success: false, error_message: 'refund window closed' },
      { tool_name: 'lookup_order', input: { order: 'A-17' }, output: { status: 'delivered' }, success: true, metadata: { source: 'orders-db' } },
    ]);
  });

  it('the generation becomes a generations row: model, parameters, messages, token buckets added back up, completion start', async () => {
    const [generation] = await rowsOf(db, 'generations', traceId);
    expect(generation).toMatchObject({
      model: 'gpt-4o',
      model_parameters: { temperature: 0.1 },
      input: [{ role: 'user', content: 'refund A-17?' }],
      output: { role: 'assistant', content: 'checking the order' },
      input_tokens: 100,
      output_tokens: 40,
      total_tokens: 140,
      cached_tokens: 20,
      reasoning_tokens: 10,
    });
    expect(new Date(generation!.completion_start_time as string).toISOString()).toBe('2026-11-25T10:00:00.250Z');
  });

  it('the agent observation is the session: trace name, session, user and tags propagated by the SDK', async () => {
    expect(await rowsOf(db, 'traces', traceId)).toMatchObject([
      {
        name: 'refund-request',
        session_id: 'lf-session-1',
        user_id: 'lf-user-1',
        tags: ['beta'],
        input: { question: 'Can I get a refund for A-17?' },
        output: 'Sorry, the refund window is closed.',
      },
    ]);
  });
});
