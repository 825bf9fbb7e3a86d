import { ATTR_SCORE_ID, ATTR_SCORE_TARGET, ATTR_SESSION_ID, ATTR_SPAN_KIND, GenAiAttributes as G, GenAiEvents } from '@mini-agent/semconv';
import { recordSpans, startLangfuseTestServer, validateScoreBody, type LangfuseTestServer } from '@mini-agent/test-support';
import type { Attributes } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { exporterFor, KEYS, recordsOf, sinkFor, TRANSPORTS, writeTo } from './server.js';

let server: LangfuseTestServer;

beforeAll(async () => {
  server = await startLangfuseTestServer({ ...KEYS, langfuseVersion: 3 });
});
afterAll(() => server.close());
beforeEach(async () => {
  await server.settled();
  server.reset();
  server.clearFaults();
});

/** A session whose LLM span carries evaluation events. */
async function scoredRun(events: Attributes[]): Promise<{ spans: ReadableSpan[]; traceId: string; llmSpanId: string }> {
  const spans = await recordSpans((tracer) =>
    tracer.startActiveSpan('support run', { attributes: { [ATTR_SPAN_KIND]: 'session', [ATTR_SESSION_ID]: 'sess-7' } }, (session) => {
      tracer.startActiveSpan('chat gpt-4o', { attributes: { [G.OPERATION_NAME]: 'chat', [G.REQUEST_MODEL]: 'gpt-4o' } }, (llm) => {
        for (const e of events) llm.addEvent(GenAiEvents.EVALUATION_RESULT, e);
        llm.end();
      });
      session.end();
    }),
  );
  const llm = spans.find((s) => s.name === 'chat gpt-4o')!;
  return { spans, traceId: llm.spanContext().traceId, llmSpanId: llm.spanContext().spanId };
}

describe.each(TRANSPORTS)('scores over the %s transport', (transport) => {
  it('become Langfuse scores with our ids on the observation judged; sent twice, the second write updates the first', async () => {
    const run = await scoredRun([
      { [G.EVALUATION_NAME]: 'relevance', [G.EVALUATION_SCORE_VALUE]: 0.8, [G.EVALUATION_SCORE_LABEL]: 'relevant', [G.EVALUATION_EXPLANATION]: 'answers the question' },
      { [G.EVALUATION_NAME]: 'verdict', [G.EVALUATION_SCORE_LABEL]: 'pass', [ATTR_SCORE_TARGET]: 'session', [ATTR_SCORE_ID]: 'judge-1' },
    ]);
    const exporter = exporterFor(server, transport);
    expect((await exporter.exportSpans(run.spans)).code).toBe(ExportResultCode.SUCCESS);
    expect((await exporter.exportSpans(run.spans)).code).toBe(ExportResultCode.SUCCESS);
    await exporter.shutdown();

    expect(server.scores(run.traceId)).toHaveLength(2);
    expect(server.score(`${run.llmSpanId}:0`)).toMatchObject({
      traceId: run.traceId,
      observationId: run.llmSpanId,
      name: 'relevance',
      value: 0.8,
      dataType: 'NUMERIC',
      comment: 'answers the question',
      metadata: { source: 'evaluation', label: 'relevant' },
      writes: 2,
    });
    // A session score judges the trace: traceId only, as Langfuse takes exactly one target.
    expect(server.score('judge-1')).toMatchObject({ traceId: run.traceId, observationId: null, sessionId: null, value: 'pass', dataType: 'CATEGORICAL', writes: 2 });
    expect(server.requests.filter((r) => r.path === '/api/public/scores').every((r) => r.status === 200)).toBe(true);
  });
});

describe('the score request path', () => {
  it('retries a rate-limited score and counts it delivered; a score the server refuses is counted as rejected, not retried', async () => {
    const run = await scoredRun([{ [G.EVALUATION_NAME]: 'relevance', [G.EVALUATION_SCORE_VALUE]: 0.5 }]);
    const sink = sinkFor(server, 'otlp');
    server.inject({ kind: 'status', status: 429, retryAfter: '0', endpoint: 'scores' });
    await sink.write(recordsOf(run.spans));
    expect(sink.stats()).toMatchObject({ scores: 1, retries: 1 });
    expect(server.scores(run.traceId)).toHaveLength(1);

    server.inject({ kind: 'status', status: 400, message: 'Invalid request data', endpoint: 'scores', times: Infinity });
    const error = await sink.write(recordsOf(run.spans)).then(() => undefined, (e: Error) => e);
    expect(error?.message).toMatch(/Langfuse refused score relevance .*HTTP 400.*Invalid request data/);
    expect(sink.stats()).toMatchObject({ scores: 2, rejected: 1 });
    expect(server.requests.filter((r) => r.path === '/api/public/scores' && r.status === 400)).toHaveLength(1);
    await sink.shutdown();
    // Written through writeTo's own sink: the refusal is the sink's error, and nothing is stored.
    expect(await writeTo(sinkFor(server, 'otlp'), recordsOf(run.spans))).toMatchObject({ retryable: false });
  });
});

describe('the test server validates scores as Langfuse does', () => {
  const id = () => 'generated';
  it.each([
    [{ name: 'x', value: 1 }, /exactly one of the following: traceId/],
    [{ name: 'x', value: 1, traceId: 't', sessionId: 's' }, /exactly one of the following/],
    [{ name: 'x', value: 1, sessionId: 's', observationId: 'o' }, /ObservationId requires traceId/],
    [{ name: '', value: 1, traceId: 't' }, /name must be a non-empty string/],
    [{ name: 'x', value: 2, traceId: 't', dataType: 'BOOLEAN' }, /0 or 1 for data type BOOLEAN/],
    [{ name: 'x', value: 'good', traceId: 't', dataType: 'NUMERIC' }, /must be a number/],
    [{ name: 'x', value: 1, traceId: 't', source: 'EVAL' }, /not accepted on this endpoint/],
    [{ name: 'x', value: 1, traceId: 't', environment: 'langfuse-prod' }, /Invalid environment/],
  ])('refuses %j', (body, message) => {
    const result = validateScoreBody(body, id);
    expect(result.ok).toBe(false);
    expect((result as { message: string }).message).toMatch(message);
  });

  it('infers the data type from the value and gives an id when there is none', () => {
    expect(validateScoreBody({ name: 'x', value: 'good', traceId: 't' }, id)).toMatchObject({ ok: true, body: { id: 'generated', dataType: 'CATEGORICAL', environment: 'default' } });
    expect(validateScoreBody({ id: 'mine', name: 'x', value: 0.3, traceId: 't' }, id)).toMatchObject({ ok: true, body: { id: 'mine', dataType: 'NUMERIC', source: 'API' } });
  });
});
