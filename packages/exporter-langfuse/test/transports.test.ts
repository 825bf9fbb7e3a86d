import { startLangfuseTestServer, type LangfuseTestServer } from '@mini-agent/test-support';
import { ExportResultCode } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { interpret, type GenerationRecord } from '@mini-agent/core';
import { LangfuseExporter } from '../src/index.js';
import { recordAgentRun, type AgentRun } from './agent-run.js';
import { exporterFor, KEYS, requestsOf, TRANSPORTS, BOTH_TRANSPORTS_SERVER } from './server.js';

let server: LangfuseTestServer;
let run: AgentRun;

beforeAll(async () => {
  server = await startLangfuseTestServer(BOTH_TRANSPORTS_SERVER);
  run = await recordAgentRun();
});
afterAll(() => server.close());
beforeEach(async () => {
  // A slow request a client gave up on may still be in the server: let it land before forgetting.
  await server.settled();
  server.reset();
  server.clearFaults();
});

describe.each(TRANSPORTS)('over the %s transport', (transport) => {
  it('turns every span kind into the right Langfuse observation, and the session into the trace', async () => {
    const exporter = exporterFor(server, transport);
    const result = await exporter.exportSpans(run.spans);
    await exporter.shutdown();
    expect(result.code).toBe(ExportResultCode.SUCCESS);

    expect(server.trace(run.traceId)).toMatchObject({
      name: 'support-agent run',
      sessionId: 'session-42',
      userId: 'user-7',
      release: '2.1.0',
      environment: 'staging',
      input: { question: 'Where is my order?' },
      output: { answer: 'It ships tomorrow.' },
      tags: ['support', 'orders'],
    });
    const byId = (name: string) => server.observation(run.id(name));
    expect(byId('support-agent run')).toMatchObject({ type: 'AGENT', parentObservationId: null, input: { question: 'Where is my order?' } });
    expect(byId('read_file')).toMatchObject({
      type: 'TOOL',
      parentObservationId: run.id('support-agent run'),
      input: { path: 'orders/123.json' },
      output: { status: 'shipped' },
      metadata: expect.objectContaining({ 'mini_agent.tool.category': 'file', 'mini_agent.metrics': [expect.objectContaining({ type: 'latency', value: 12 })] }),
    });
    expect(byId('chat gpt-4o')).toMatchObject({
      type: 'GENERATION',
      model: 'gpt-4o-2024-08-06',
      modelParameters: { temperature: 0.2, max_tokens: 256 },
      usageDetails: { input: 80, output: 40, total: 150, input_cached_tokens: 20, output_reasoning_tokens: 10 },
    });
    // The cost interpret() computed, under the same keys as the usage, so Langfuse's totals are ours.
    const generation = interpret(run.spans.find((s) => s.name === 'chat gpt-4o')!).find((r): r is GenerationRecord => r.type === 'generation')!;
    expect(generation.costUsd).toBeGreaterThan(0);
    const cost = byId('chat gpt-4o')!.costDetails!;
    expect(Object.keys(cost).sort()).toEqual(['input', 'input_cached_tokens', 'output', 'output_reasoning_tokens', 'total']);
    expect(cost.total).toBe(generation.costUsd);
    expect(cost.input! + cost.input_cached_tokens! + cost.output! + cost.output_reasoning_tokens!).toBeCloseTo(cost.total!, 15);
    expect(byId('read_file')!.costDetails).toBeNull();
    expect(byId('choose tool')).toMatchObject({
      type: 'EVENT',
      input: ['read_file', 'search'],
      output: 'read_file',
      metadata: expect.objectContaining({ 'mini_agent.decision.reasoning': 'the order id is known' }),
    });
    expect(byId('plan')).toMatchObject({ type: 'SPAN' });
    expect(server.observations().filter((o) => o.parentObservationId === run.id('plan'))).toEqual([
      expect.objectContaining({ type: 'EVENT', name: 'plan', input: ['answer', 'escalate'], output: 'answer', metadata: expect.objectContaining({ 'mini_agent.decision.reasoning': 'simple question' }) }),
    ]);
    expect(byId('write_file')).toMatchObject({ type: 'TOOL', level: 'ERROR', statusMessage: 'disk full' });
    expect(server.observations()).toHaveLength(run.spans.length + 1);
    expect(server.observations().every((o) => o.environment === 'staging' && o.traceId === run.traceId)).toBe(true);
  });

  it('sends the same ids when the same spans are exported twice, so Langfuse upserts instead of duplicating', async () => {
    const exporter = exporterFor(server, transport);
    await exporter.exportSpans(run.spans);
    const first = transport === 'otlp' ? server.acceptedSpans.map((s) => s.spanId) : server.acceptedEvents.map((e) => e.id);
    await exporter.exportSpans(run.spans);
    await exporter.shutdown();
    const all = transport === 'otlp' ? server.acceptedSpans.map((s) => s.spanId) : server.acceptedEvents.map((e) => e.id);
    // The same ids (in another order: the first time, children waited for their parents).
    expect(all.slice(first.length).sort()).toEqual([...first].sort());
    expect(server.observations()).toHaveLength(run.spans.length + 1);
    expect(server.traces()).toHaveLength(1);
  });
});

describe('over the ingestion transport', () => {
  it('sends trace-create and one typed create event per observation, every one valid against the OpenAPI document', async () => {
    const exporter = exporterFor(server, 'ingestion');
    await exporter.exportSpans(run.spans);
    await exporter.shutdown();
    const types = server.acceptedEvents.map((e) => e.type).sort();
    expect(types).toEqual(['agent-create', 'event-create', 'event-create', 'generation-create', 'span-create', 'tool-create', 'tool-create', 'trace-create']);
    expect(server.requests.every((r) => r.status === 207)).toBe(true);
    expect(server.acceptedEvents.map((e) => e.id)).toContain(`${run.id('read_file')}-tool-create`);
  });

  it('sends agents and tools as spans to v2 servers without the newer types, keeping what they were in metadata', async () => {
    const exporter = exporterFor(server, 'ingestion', { legacyObservationTypes: true });
    await exporter.exportSpans(run.spans);
    await exporter.shutdown();
    expect(new Set(server.acceptedEvents.map((e) => e.type))).toEqual(new Set(['trace-create', 'span-create', 'generation-create', 'event-create']));
    expect(server.observation(run.id('read_file'))).toMatchObject({ type: 'SPAN', metadata: expect.objectContaining({ 'mini_agent.observation_type': 'tool' }) });
    expect(server.observation(run.id('chat gpt-4o'))).toMatchObject({ usageDetails: expect.objectContaining({ input: 80 }) });
    const generation = server.acceptedEvents.find((e) => e.type === 'generation-create');
    expect(generation?.body.usage).toEqual({ input: 80, output: 40, total: 150, unit: 'TOKENS' });
  });
});

describe('over the otlp transport', () => {
  it('keeps the original trace id, span ids, parents, times and status, and authenticates with Basic auth', async () => {
    const exporter = exporterFor(server, 'otlp');
    await exporter.exportSpans(run.spans);
    await exporter.shutdown();
    const tool = run.span('write_file');
    const sent = server.acceptedSpans.find((s) => s.spanId === tool.spanContext().spanId);
    expect(sent).toMatchObject({ traceId: run.traceId, parentSpanId: run.id('support-agent run'), status: { code: 2, message: 'disk full' } });
    expect(Number(BigInt(sent!.startTimeUnixNano) / 1_000_000n)).toBe(Math.floor(tool.startTime[0] * 1000 + tool.startTime[1] / 1e6));
    expect(sent!.resource.attributes['service.name']).toBe('support-agent');
    expect(Object.keys(sent!.attributes).every((key) => key.startsWith('langfuse.') || key === 'session.id' || key === 'user.id')).toBe(true);
    expect(requestsOf(server, 'otlp').every((r) => r.contentType === 'application/x-protobuf' && r.status === 200)).toBe(true);
  });

  it('never sends the OTEL_EXPORTER_OTLP_* headers meant for the application’s own collector', async () => {
    const saved = process.env.OTEL_EXPORTER_OTLP_HEADERS;
    process.env.OTEL_EXPORTER_OTLP_HEADERS = 'x-collector-api-key=collector-secret';
    try {
      const exporter = exporterFor(server, 'otlp');
      await exporter.exportSpans(run.spans);
      await exporter.shutdown();
    } finally {
      if (saved === undefined) delete process.env.OTEL_EXPORTER_OTLP_HEADERS;
      else process.env.OTEL_EXPORTER_OTLP_HEADERS = saved;
    }
    const [request] = requestsOf(server, 'otlp');
    expect(request?.headers.authorization).toBe(`Basic ${Buffer.from(`${KEYS.publicKey}:${KEYS.secretKey}`).toString('base64')}`);
    expect(request?.headers['x-collector-api-key']).toBeUndefined();
  });
});

describe('LangfuseExporter with a plain OpenTelemetry SDK', () => {
  it('works as the exporter of a BatchSpanProcessor', async () => {
    const exporter = new LangfuseExporter({ ...KEYS, baseUrl: server.baseUrl });
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'plain-sdk-app' }),
      spanProcessors: [new BatchSpanProcessor(exporter)],
    });
    const span = provider.getTracer('app').startSpan('handle request', { attributes: { 'mini_agent.span.kind': 'session' } });
    span.end();
    await provider.forceFlush();
    await provider.shutdown();
    expect(server.observation(span.spanContext().spanId)).toMatchObject({ type: 'AGENT', name: 'handle request' });
    expect(exporter.langfuse.stats()).toMatchObject({ transport: 'otlp', delivered: 1, rejected: 0 });
  });
});
