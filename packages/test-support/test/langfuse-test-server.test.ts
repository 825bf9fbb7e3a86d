import { SpanStatusCode } from '@opentelemetry/api';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { OTLPTraceExporter as OtlpHttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TEST_PROJECT, langfuseIngestionValidator, recordSpans, startLangfuseTestServer, type LangfuseTestServer } from '../src/index.js';

const keys = { publicKey: 'pk-lf-test', secretKey: 'sk-lf-test-secret' };
const auth = `Basic ${Buffer.from(`${keys.publicKey}:${keys.secretKey}`).toString('base64')}`;
let server: LangfuseTestServer;

beforeAll(async () => {
  // v3: its batch ingestion API takes every event type (v4's refusal is tested in langfuse-server-rules.test.ts).
  server = await startLangfuseTestServer({ ...keys, langfuseVersion: 3 });
});
afterAll(() => server.close());

const postIngestion = (batch: unknown[], authorization = auth) =>
  fetch(`${server.baseUrl}/api/public/ingestion`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: authorization },
    body: JSON.stringify({ batch }),
  });

const spanEvent = (id: string, body: Record<string, unknown>, type = 'span-create') => ({
  id: `${id}-${type}`,
  type,
  timestamp: '2026-01-01T00:00:00.000Z',
  body: { id, traceId: 'a'.repeat(32), startTime: '2026-01-01T00:00:00.000Z', ...body },
});

describe('the Langfuse OpenAPI validator', () => {
  const validator = langfuseIngestionValidator();

  it('accepts a generation with integer and float model parameters and usage details', () => {
    const event = spanEvent('g1', { model: 'gpt-x', modelParameters: { max_tokens: 100, temperature: 0.2 }, usageDetails: { input: 3, output: 4 } }, 'generation-create');
    expect(validator.validate(event)).toEqual({ ok: true });
  });

  it('accepts null where the document says nullable, including beside a $ref', () => {
    expect(validator.validate(spanEvent('s1', { level: null, statusMessage: null }))).toEqual({ ok: true });
  });

  it('rejects an event without a body, a wrong level and an unknown event type, saying where', () => {
    const noBody = validator.validate({ id: 'x', type: 'span-create', timestamp: '2026-01-01T00:00:00.000Z' });
    expect(noBody).toMatchObject({ ok: false, message: expect.stringContaining('body') });
    const badLevel = validator.validate(spanEvent('s2', { level: 'LOUD' }));
    expect(badLevel).toMatchObject({ ok: false, message: expect.stringContaining('/body/level') });
    expect(validator.validate({ ...spanEvent('s3', {}), type: 'thing-create' }).ok).toBe(false);
  });

  it('checks agent-create and tool-create, which servers take but the document does not list, as span bodies', () => {
    expect(validator.validate(spanEvent('t1', { name: 'read_file' }, 'tool-create'))).toEqual({ ok: true });
    expect(validator.validate(spanEvent('t2', { startTime: 'yesterday' }, 'agent-create')).ok).toBe(false);
  });
});

describe('the ingestion endpoint', () => {
  it('answers 401 with a message when the keys are wrong', async () => {
    const response = await postIngestion([spanEvent('s1', {})], `Basic ${Buffer.from('pk-lf-test:wrong').toString('base64')}`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ message: expect.stringContaining('Invalid credentials') });
  });

  it('answers 207 with a success per valid event and a 400 error per invalid one, and stores only the valid', async () => {
    server.reset();
    const response = await postIngestion([spanEvent('ok1', { name: 'step' }), spanEvent('bad1', { startTime: 42 })]);
    expect(response.status).toBe(207);
    const body = (await response.json()) as { successes: unknown[]; errors: { id: string; status: number; message: string }[] };
    expect(body.successes).toEqual([{ id: 'ok1-span-create', status: 201 }]);
    expect(body.errors).toEqual([expect.objectContaining({ id: 'bad1-span-create', status: 400, message: 'Invalid request data' })]);
    expect(server.observations().map((o) => o.id)).toEqual(['ok1']);
  });

  it('refuses an environment Langfuse would refuse', async () => {
    const response = await postIngestion([spanEvent('env1', { environment: 'Production EU' })]);
    const body = (await response.json()) as { errors: { error: string }[] };
    expect(body.errors[0]?.error).toMatch(/environment/);
  });

  it('plays switchable faults: 429 with Retry-After, then 207 with chosen events failed', async () => {
    server.inject({ kind: 'status', status: 429, retryAfter: '2' });
    server.inject({ kind: 'event-errors', status: 500, match: (event) => event.body.id === 'f2' });
    const limited = await postIngestion([spanEvent('f1', {})]);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    const partial = (await (await postIngestion([spanEvent('f1', {}), spanEvent('f2', {})])).json()) as { successes: unknown[]; errors: { status: number }[] };
    expect(partial.successes).toHaveLength(1);
    expect(partial.errors).toEqual([expect.objectContaining({ id: 'f2-span-create', status: 500 })]);
    const recovered = (await (await postIngestion([spanEvent('f2', {})])).json()) as { errors: unknown[] };
    expect(recovered.errors).toEqual([]);
  });
});

describe('the OTLP endpoint', () => {
  const exportWith = (exporter: SpanExporter, spans: ReadableSpan[]) =>
    new Promise<ExportResult>((resolve) => exporter.export(spans, resolve));

  const spans = () =>
    recordSpans((tracer) =>
      tracer.startActiveSpan('session', (root) => {
        tracer.startActiveSpan('tool', (child) => {
          child.setAttributes({ 'langfuse.observation.type': 'tool', 'langfuse.observation.input': '{"path":"a.txt"}', 'big.int': 2 ** 40 });
          child.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
          child.end();
        });
        root.setAttributes({ 'langfuse.trace.name': 'my session', 'session.id': 'sess-1', 'langfuse.trace.tags': ['a', 'b'] });
        root.end();
      }),
    );

  it.each([
    ['protobuf', () => new OtlpProtoExporter({ url: `${server.baseUrl}/api/public/otel/v1/traces`, headers: { Authorization: auth } })],
    ['protobuf + gzip', () => new OtlpProtoExporter({ url: `${server.baseUrl}/api/public/otel/v1/traces`, headers: { Authorization: auth }, compression: CompressionAlgorithm.GZIP })],
    ['JSON', () => new OtlpHttpJsonExporter({ url: `${server.baseUrl}/api/public/otel/v1/traces`, headers: { Authorization: auth } })],
    ['JSON + gzip', () => new OtlpHttpJsonExporter({ url: `${server.baseUrl}/api/public/otel/v1/traces`, headers: { Authorization: auth }, compression: CompressionAlgorithm.GZIP })],
  ])('decodes what the real %s exporter sends, ids and times intact', async (_label, makeExporter) => {
    server.reset();
    const recorded = await spans();
    const exporter = makeExporter();
    const result = await exportWith(exporter, recorded);
    await exporter.shutdown();
    expect(result.code).toBe(ExportResultCode.SUCCESS);

    const tool = recorded.find((s) => s.name === 'tool')!;
    const decoded = server.acceptedSpans.find((s) => s.name === 'tool')!;
    expect(decoded.spanId).toBe(tool.spanContext().spanId);
    expect(decoded.traceId).toBe(tool.spanContext().traceId);
    expect(decoded.parentSpanId).toBe(tool.parentSpanContext?.spanId);
    expect(decoded.startTimeUnixNano).toBe(String(BigInt(tool.startTime[0]) * 1_000_000_000n + BigInt(tool.startTime[1])));
    expect(decoded.attributes['big.int']).toBe(2 ** 40);
    expect(decoded.resource.attributes['service.name']).toBe('test-agent');
    expect(decoded.status).toEqual({ code: 2, message: 'boom' });

    const observation = server.observation(tool.spanContext().spanId);
    expect(observation).toMatchObject({ type: 'TOOL', input: { path: 'a.txt' }, level: 'ERROR', statusMessage: 'boom' });
    expect(server.trace(tool.spanContext().traceId)).toMatchObject({ name: 'my session', sessionId: 'sess-1', tags: ['a', 'b'] });
  });

  it('answers 401 to the exporter when the keys are wrong, and stores nothing', async () => {
    server.reset();
    const exporter = new OtlpProtoExporter({ url: `${server.baseUrl}/api/public/otel/v1/traces`, headers: { Authorization: 'Basic bm9wZTpub3Bl' } });
    const result = await exportWith(exporter, await spans());
    await exporter.shutdown();
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(server.acceptedSpans).toHaveLength(0);
    expect(server.requests.at(-1)?.status).toBe(401);
  });
});

describe('the projects endpoint', () => {
  const projects = (method = 'GET', authorization = auth) => fetch(`${server.baseUrl}/api/public/projects`, { method, headers: { Authorization: authorization } });

  it("names the keys' project, as Langfuse answers a project key", async () => {
    const response = await projects();
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: [{ id: DEFAULT_TEST_PROJECT.id, name: DEFAULT_TEST_PROJECT.name, metadata: {} }] });
  });

  it('answers 401 to wrong keys, 403 to a project key creating a project, 405 to other methods before any key check', async () => {
    expect((await projects('GET', 'Basic bm9wZTpub3Bl')).status).toBe(401);
    expect((await projects('POST')).status).toBe(403);
    expect((await projects('DELETE', 'Basic bm9wZTpub3Bl')).status).toBe(405);
  });
});
