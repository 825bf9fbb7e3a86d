import { startLangfuseTestServer, type LangfuseTestServer } from '@mini-agent/test-support';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { recordAgentRun, type AgentRun } from './agent-run.js';
import { exporterFor, KEYS, recordsOf, requestsOf, TRANSPORTS, BOTH_TRANSPORTS_SERVER } from './server.js';

let server: LangfuseTestServer;
const errors: string[] = [];

beforeAll(async () => {
  server = await startLangfuseTestServer(BOTH_TRANSPORTS_SERVER);
});
afterAll(() => server.close());
beforeEach(async () => {
  await server.settled();
  server.reset();
  server.clearFaults();
  errors.length = 0;
  diag.setLogger({ error: (m: string) => void errors.push(m), warn() {}, info() {}, debug() {}, verbose() {} }, DiagLogLevel.ERROR);
});
afterEach(() => diag.disable());

const RUNS = 60;
const observationsPerRun = (run: AgentRun) => run.spans.length + 1; // every span, plus the decision event inside a step

describe.each(TRANSPORTS)('Langfuse failing for a while over the %s transport', (transport) => {
  const endpoint = transport === 'otlp' ? 'otel' : 'ingestion';
  const ok = transport === 'otlp' ? 200 : 207;

  it('429s, 503s, 500s (and partial 207s) for seconds: every observation arrives once it recovers, nothing dropped', async () => {
    const runs = await Promise.all(Array.from({ length: RUNS }, () => recordAgentRun()));
    const exporter = exporterFor(server, transport, {
      retry: { maxAttempts: 2, initialDelayMillis: 20, maxDelayMillis: 1_500 },
      delivery: { retry: { initialDelayMs: 50, maxDelayMs: 500 } },
      flushTimeoutMs: 60_000,
    });
    // The fault schedule: each phase holds for every request until the next one replaces it.
    const phases = [
      () => server.inject({ kind: 'status', status: 429, retryAfter: '1', times: Infinity, endpoint }),
      () => server.inject({ kind: 'status', status: 503, times: Infinity, endpoint }),
      () => server.inject({ kind: 'status', status: 500, times: Infinity, endpoint }),
      // Ingestion only: 207 answers where a third of the events fail with a retryable status.
      () => server.inject({ kind: 'event-errors', status: 503, match: (event) => event.id.charCodeAt(0) % 3 === 0, times: Infinity }),
    ];
    const results: number[] = [];
    for (let i = 0; i < RUNS; i += 3) {
      const phase = Math.floor(i / 12);
      if (i % 12 === 0) {
        server.clearFaults();
        phases[phase]?.();
      }
      const result = await exporter.exportSpans(runs.slice(i, i + 3).flatMap((run) => run.spans));
      results.push(result.code);
      await sleep(100);
    }
    const faulty = server.requests.filter((r) => r.status !== ok).length;
    server.clearFaults();
    await exporter.forceFlush();
    const stats = exporter.stats().sinks.langfuse;
    await exporter.shutdown();

    const missing = runs.filter((run) => server.observations(run.traceId).length !== observationsPerRun(run) || !server.trace(run.traceId)?.name);
    const expected = runs.reduce((n, run) => n + observationsPerRun(run), 0);
    const accepted = transport === 'otlp' ? server.acceptedSpans.length : server.acceptedEvents.filter((e) => e.type !== 'trace-create').length;
    console.log(
      `[reliability] langfuse ${transport}: ${expected} observations expected, ${server.observations().length} stored; ` +
        `${faulty} requests answered with a fault; ${accepted - expected} re-deliveries (upserted); pipeline retried ${stats?.retried} records`,
    );
    expect(results.every((code) => code === ExportResultCode.SUCCESS)).toBe(true);
    expect(faulty).toBeGreaterThan(5);
    expect(missing.map((run) => run.traceId)).toEqual([]);
    expect(server.observations()).toHaveLength(expected);
    expect(stats).toMatchObject({ dropped: {}, rejected: {}, queuedRecords: 0, healthy: true });
    expect(stats?.delivered).toBe(stats?.accepted);
  }, 120_000);

  it('a 400 is reported with the server’s message and not retried; later batches still arrive', async () => {
    const [bad, good] = [await recordAgentRun(), await recordAgentRun()];
    const exporter = exporterFor(server, transport, { delivery: { retry: { initialDelayMs: 20, maxDelayMs: 100 } } });
    server.inject({ kind: 'status', status: 400, message: 'Invalid request data: observation.startTime is not a date', endpoint });
    const refused = await exporter.exportSpans(bad.spans);
    const accepted = await exporter.exportSpans(good.spans);
    await exporter.forceFlush();
    const stats = exporter.stats().sinks.langfuse;
    await exporter.shutdown();

    expect(refused.code).toBe(ExportResultCode.FAILED);
    expect(refused.error?.message).toContain('observation.startTime is not a date');
    expect(accepted.code).toBe(ExportResultCode.SUCCESS);
    expect(requestsOf(server, transport).map((r) => r.status)).toEqual([400, ok]); // the refused batch was sent once
    expect(stats?.rejected).toEqual({ http_400: recordsOf(bad.spans).length });
    expect(stats?.lastRejection).toContain('observation.startTime is not a date');
    expect(errors.some((e) => e.includes('refused') && e.includes('observation.startTime is not a date'))).toBe(true);
    expect(server.observations(good.traceId)).toHaveLength(observationsPerRun(good));
    expect(server.observations(bad.traceId)).toHaveLength(0);
  });
});

describe('events refused one by one in a 207 (ingestion)', () => {
  it('are reported with the server’s message and not retried; the rest of the batch is stored', async () => {
    const run = await recordAgentRun();
    const exporter = exporterFor(server, 'ingestion', { delivery: { retry: { initialDelayMs: 20, maxDelayMs: 100 } } });
    server.inject({ kind: 'event-errors', status: 400, message: 'Invalid request data: unknown model', match: (e) => e.type === 'generation-create', times: Infinity });
    const result = await exporter.exportSpans(run.spans);
    await exporter.forceFlush();
    const stats = exporter.stats().sinks.langfuse;
    await exporter.shutdown();
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(stats?.lastRejection).toContain('unknown model');
    expect(stats?.rejected).toMatchObject({ event_rejected: expect.any(Number) });
    expect(requestsOf(server, 'ingestion')).toHaveLength(1);
    expect(server.observations(run.traceId)).toHaveLength(observationsPerRun(run) - 1);
  });
});
