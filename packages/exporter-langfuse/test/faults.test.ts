import { DeliveryError, type AgentRecord } from '@mini-agent/core';
import { startLangfuseTestServer, type LangfuseTestServer } from '@mini-agent/test-support';
import { ExportResultCode } from '@opentelemetry/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_RETRY_POLICY, parseRetryAfter } from '../src/retry.js';
import { recordAgentRun, type AgentRun } from './agent-run.js';
import { exporterFor, KEYS, recordsOf, requestsOf, sinkFor, TRANSPORTS, writeTo, BOTH_TRANSPORTS_SERVER } from './server.js';

let server: LangfuseTestServer;
let run: AgentRun;
let records: AgentRecord[];
const everyObservation = () => run.spans.length + 1;

beforeAll(async () => {
  server = await startLangfuseTestServer(BOTH_TRANSPORTS_SERVER);
  run = await recordAgentRun();
  records = recordsOf(run.spans);
});
afterAll(() => server.close());
beforeEach(async () => {
  // A slow request a client gave up on may still be in the server: let it land before forgetting.
  await server.settled();
  server.reset();
  server.clearFaults();
});

describe.each(TRANSPORTS)('faults over the %s transport', (transport) => {
  const endpoint = transport === 'otlp' ? 'otel' : 'ingestion';
  const ok = transport === 'otlp' ? 200 : 207;

  it.each([500, 503])('retries a %i until the server recovers, and nothing is lost', async (status) => {
    server.inject({ kind: 'status', status, times: 2, endpoint });
    const error = await writeTo(sinkFor(server, transport), records);
    expect(error).toBeUndefined();
    expect(requestsOf(server, transport).map((r) => r.status)).toEqual([status, status, ok]);
    expect(server.observations()).toHaveLength(everyObservation());
    expect(server.trace(run.traceId)?.name).toBe('support-agent run');
  });

  it('waits out a 429 with Retry-After and then delivers', async () => {
    server.inject({ kind: 'status', status: 429, retryAfter: '1', endpoint });
    // Its own backoff would retry within 20 ms: only Retry-After explains a wait of a second.
    const error = await writeTo(sinkFor(server, transport, { retry: { initialDelayMillis: 20, maxDelayMillis: 3_000 } }), records);
    expect(error).toBeUndefined();
    const requests = requestsOf(server, transport);
    expect(requests.map((r) => r.status)).toEqual([429, ok]);
    // Measured where the server sees it: the retry arrived no sooner than Retry-After asked.
    expect(requests[1]!.receivedAt - requests[0]!.receivedAt).toBeGreaterThanOrEqual(1_000);
    expect(server.observations()).toHaveLength(everyObservation());
  });

  it('reports 401 as a permanent failure with the server message, without retrying', async () => {
    const sink = sinkFor(server, transport, { secretKey: 'sk-lf-wrong' });
    const error = await writeTo(sink, records);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ retryable: false, reason: 'http_401', message: expect.stringContaining('HTTP 401') });
    expect(error?.message).toContain('Invalid credentials');
    expect(requestsOf(server, transport)).toHaveLength(1);
    expect(sink.stats().rejected).toBe(transport === 'otlp' ? everyObservation() : everyObservation() + 1);
  });

  it('reports 400 as a permanent failure with the server message, without retrying', async () => {
    server.inject({ kind: 'status', status: 400, message: 'Invalid request data: malformed payload', endpoint });
    const error = await writeTo(sinkFor(server, transport), records);
    expect(error).toMatchObject({ retryable: false, message: expect.stringContaining('malformed payload') });
    expect(requestsOf(server, transport)).toHaveLength(1);
  });

  it('retries a request that timed out against a slow server', async () => {
    server.inject({ kind: 'slow', delayMillis: 2_000, endpoint });
    const sink = sinkFor(server, transport, { timeoutMillis: 400 });
    const error = await writeTo(sink, records);
    expect(error).toBeUndefined();
    expect(sink.stats().retries).toBeGreaterThanOrEqual(1);
    expect(server.observations()).toHaveLength(everyObservation());
  });

  it('gives up after the configured attempts with a retryable failure for the delivery pipeline to requeue', async () => {
    server.inject({ kind: 'status', status: 500, times: Infinity, endpoint });
    const sink = sinkFor(server, transport, { retry: { maxAttempts: 3 } });
    const error = await writeTo(sink, records);
    expect(error).toMatchObject({ retryable: true, reason: 'http_500' });
    expect(requestsOf(server, transport)).toHaveLength(3);
    expect(sink.stats()).toMatchObject({ failedRetryable: transport === 'otlp' ? everyObservation() : everyObservation() + 1, retries: 2 });
  });

  it('delivers everything once the server recovers from an outage longer than its own attempts, through the exporter’s pipeline', async () => {
    server.inject({ kind: 'status', status: 500, times: 4, endpoint });
    const exporter = exporterFor(server, transport, { retry: { maxAttempts: 2 }, delivery: { retry: { initialDelayMs: 20, maxDelayMs: 200 } } });
    const result = await exporter.exportSpans(run.spans);
    await exporter.forceFlush();
    await exporter.shutdown();
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    expect(requestsOf(server, transport).map((r) => r.status)).toEqual([500, 500, 500, 500, ok]);
    expect(server.observations()).toHaveLength(everyObservation());
    expect(exporter.stats().sinks.langfuse).toMatchObject({ delivered: records.length, dropped: {}, rejected: {} });
  });
});

describe('207 answers over the ingestion transport', () => {
  it('retries only the events that failed with a retryable status', async () => {
    server.inject({ kind: 'event-errors', status: 500, match: (event) => event.type === 'tool-create', times: 2 });
    const error = await writeTo(sinkFor(server, 'ingestion'), records);
    expect(error).toBeUndefined();
    const [first, second, ...rest] = requestsOf(server, 'ingestion');
    expect(rest).toHaveLength(0);
    expect(first!.eventIds).toHaveLength(8);
    expect([...second!.eventIds].sort()).toEqual([`${run.id('read_file')}-tool-create`, `${run.id('write_file')}-tool-create`].sort());
    expect(server.observations()).toHaveLength(everyObservation());
  });

  it('hands the pipeline only the records of spans whose events still fail', async () => {
    server.inject({ kind: 'event-errors', status: 503, match: (event) => event.type === 'tool-create', times: Infinity });
    const error = await writeTo(sinkFor(server, 'ingestion', { retry: { maxAttempts: 2 } }), records);
    expect(error).toMatchObject({ retryable: true });
    const remaining = (error as DeliveryError).remaining ?? [];
    expect(new Set(remaining.map((r) => r.spanId))).toEqual(new Set([run.id('read_file'), run.id('write_file')]));
    expect(server.observations()).toHaveLength(everyObservation() - 2);
  });

  it('reports events refused with 4xx as permanent with the server message, and stores the rest', async () => {
    server.inject({ kind: 'event-errors', status: 400, message: 'Invalid request data: model is unknown', match: (event) => event.type === 'generation-create' });
    const sink = sinkFor(server, 'ingestion');
    const error = await writeTo(sink, records);
    expect(error).toMatchObject({ retryable: false, reason: 'event_rejected', message: expect.stringContaining('model is unknown') });
    expect(error?.message).toContain('1 of 8 events');
    expect(requestsOf(server, 'ingestion')).toHaveLength(1);
    expect(server.observations()).toHaveLength(everyObservation() - 1);
    expect(sink.stats().rejected).toBe(1);
  });

  it('does not retry sooner than Retry-After asks: a wait longer than the policy allows is left to the caller', async () => {
    server.inject({ kind: 'status', status: 429, retryAfter: '30', endpoint: 'ingestion' });
    const error = await writeTo(sinkFor(server, 'ingestion', { retry: { maxDelayMillis: 1_000 } }), records);
    expect(error).toMatchObject({ retryable: true, retryAfterMs: 30_000, message: expect.stringContaining('HTTP 429') });
    expect(requestsOf(server, 'ingestion')).toHaveLength(1);
  });
});

describe('the retry policy', () => {
  it('waits at least what Retry-After asks, and backs off exponentially with jitter otherwise', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, initialDelayMillis: 100, maxDelayMillis: 10_000 };
    expect(backoffDelay(1, policy, 2_000, () => 0)).toBe(2_000);
    expect(backoffDelay(3, policy, undefined, () => 1)).toBe(400);
    expect(backoffDelay(3, policy, undefined, () => 0.5)).toBe(200);
    expect(backoffDelay(20, policy, undefined, () => 1)).toBe(10_000);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3_000);
    expect(parseRetryAfter(new Date(61_000).toUTCString(), 1_000)).toBe(60_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
