import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OTEL_WARN_BYTES, startLangfuseTestServer, type LangfuseTestServer, type LangfuseTestServerOptions } from '../src/index.js';

// Each rule of Langfuse's server, on its own, with hand-made OTLP/JSON bodies: what users of the
// real server see (its code: web/src/pages/api/public/otel/v1/traces, worker/src/queues/
// otelIngestionQueue.ts, packages/shared/src/server/otel/OtelIngestionProcessor.ts).

const keys = { publicKey: 'pk-lf-rules', secretKey: 'sk-lf-rules' };
const auth = `Basic ${Buffer.from(`${keys.publicKey}:${keys.secretKey}`).toString('base64')}`;
const TRACE = 'ab'.repeat(16);
const servers: LangfuseTestServer[] = [];
afterAll(() => Promise.all(servers.map((s) => s.close())));

async function serverWith(options: Omit<LangfuseTestServerOptions, 'publicKey' | 'secretKey'> = {}): Promise<LangfuseTestServer> {
  const server = await startLangfuseTestServer({ ...keys, ...options });
  servers.push(server);
  return server;
}

type Attr = Record<string, string | number | string[]>;
interface SpanSpec { spanId: string; parentSpanId?: string; name?: string; attributes?: Attr; startMs?: number; endMs?: number; traceId?: unknown }

function keyValues(attributes: Attr = {}) {
  return Object.entries(attributes).map(([key, value]) => ({
    key,
    value: Array.isArray(value) ? { arrayValue: { values: value.map((v) => ({ stringValue: v })) } } : typeof value === 'number' ? { intValue: String(value) } : { stringValue: value },
  }));
}

/** An OTLP/JSON export of `spans` in one scope. */
function otlpJson(spans: SpanSpec[], scopeName = 'my-agent', resource: Attr = { 'service.name': 'agent', 'service.version': '9.9.9' }) {
  return {
    resourceSpans: [{
      resource: { attributes: keyValues(resource) },
      scopeSpans: [{
        scope: { name: scopeName, version: '1.0.0' },
        spans: spans.map((s) => ({
          traceId: 'traceId' in s ? s.traceId : TRACE,
          spanId: s.spanId,
          ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
          name: s.name ?? 'step',
          kind: 1,
          startTimeUnixNano: String(BigInt(s.startMs ?? 1_767_225_600_000) * 1_000_000n),
          endTimeUnixNano: String(BigInt(s.endMs ?? (s.startMs ?? 1_767_225_600_000) + 40) * 1_000_000n),
          attributes: keyValues(s.attributes),
          status: {},
        })),
      }],
    }],
  };
}

const post = (server: LangfuseTestServer, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.baseUrl}/api/public/otel/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: auth, ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

const ROOT = { spanId: '1'.repeat(16), name: 'session', attributes: { 'langfuse.observation.type': 'agent', 'session.id': 'sess-1', 'user.id': 'user-1' } };
const CHILD = { spanId: '2'.repeat(16), parentSpanId: '1'.repeat(16), name: 'child', attributes: { 'session.id': 'sess-1', 'user.id': 'user-1', 'langfuse.trace.name': 'the trace' } };

describe('the write path of an OTLP request', () => {
  it('is dual without x-langfuse-ingestion-version on a server that routes per request (Langfuse Cloud), direct with it', async () => {
    const server = await serverWith({ v4WriteMode: 'dual', v4NativeOtelBehaviour: 'dual_write' });
    expect((await post(server, otlpJson([ROOT]))).status).toBe(200);
    expect((await post(server, otlpJson([CHILD]), { 'x-langfuse-ingestion-version': '4' })).status).toBe(200);
    expect(server.requests.map((r) => [r.writePath, r.writePathReason])).toEqual([['dual', 'dual'], ['direct', 'direct_header']]);
  });

  it('is direct for a Langfuse SDK new enough by its headers (JavaScript 5, Python 4), in either header spelling', async () => {
    const server = await serverWith({ v4WriteMode: 'dual', v4NativeOtelBehaviour: 'dual_write' });
    await post(server, otlpJson([ROOT]), { 'x-langfuse-sdk-name': 'javascript', 'x-langfuse-sdk-version': '5.11.1' });
    await post(server, otlpJson([ROOT]), { x_langfuse_sdk_name: 'python', x_langfuse_sdk_version: '4.0.0' });
    await post(server, otlpJson([ROOT]), { 'x-langfuse-sdk-name': 'python', 'x-langfuse-sdk-version': '3.9.0' });
    expect(server.requests.map((r) => r.writePath)).toEqual(['direct', 'direct', 'dual']);
  });

  it('is direct for every batch on a v4 server at its defaults, and dual on v3', async () => {
    const v4 = await serverWith();
    const v3 = await serverWith({ langfuseVersion: 3 });
    await post(v4, otlpJson([ROOT]));
    await post(v3, otlpJson([ROOT]), { 'x-langfuse-ingestion-version': '4' });
    expect([v4.requests[0]?.writePathReason, v3.requests[0]?.writePath]).toEqual(['direct_env', 'dual']);
  });

  it('classifies a scope named like "langfuse" as Langfuse SDK traffic: Cloud’s new-organization rule then keeps it dual', async () => {
    const server = await serverWith({ v4WriteMode: 'dual', v4NativeOtelBehaviour: 'dual_write', directForNewOrganizations: true });
    await post(server, otlpJson([ROOT], '@acme/exporter-langfuse'));
    await post(server, otlpJson([ROOT], 'acme-exporter'));
    expect(server.requests.map((r) => r.writePathReason)).toEqual(['dual', 'direct_org_cutoff']);
  });

  it('refuses an ingestion version above 4 with the server’s message', async () => {
    const server = await serverWith();
    const answer = await post(server, otlpJson([ROOT]), { 'x-langfuse-ingestion-version': '5' });
    expect(answer.status).toBe(400);
    expect(await answer.json()).toEqual({ error: 'Unsupported x-langfuse-ingestion-version: "5". Maximum supported: "4".' });
  });
});

describe('what each path stores', () => {
  it('dual: the server’s own attributes, resourceAttributes and scope overwrite metadata keys of those names', async () => {
    const server = await serverWith({ langfuseVersion: 3 });
    const metadata = { 'langfuse.observation.metadata.scope': 'mine', 'langfuse.observation.metadata.attributes': 'mine too', 'langfuse.observation.metadata.kept': 'yes' };
    await post(server, otlpJson([{ ...ROOT, attributes: { ...ROOT.attributes, ...metadata } }]));
    const stored = server.observation(ROOT.spanId)!;
    expect(stored.metadata).toMatchObject({ kept: 'yes', scope: { name: 'my-agent', version: '1.0.0' }, resourceAttributes: { 'service.name': 'agent' } });
    expect(stored.metadata.attributes).toMatchObject({ 'session.id': 'sess-1' });
  });

  it('direct: the span’s metadata keys win over the server’s', async () => {
    const server = await serverWith();
    await post(server, otlpJson([{ ...ROOT, attributes: { ...ROOT.attributes, 'langfuse.observation.metadata.scope': 'mine' } }]));
    expect(server.observation(ROOT.spanId)!.metadata.scope).toBe('mine');
  });

  it('direct: each observation keeps the trace-level fields it carries itself; dual: observations carry none', async () => {
    const direct = await serverWith();
    await post(direct, otlpJson([CHILD, { spanId: '3'.repeat(16), parentSpanId: ROOT.spanId, name: 'bare' }]));
    expect(direct.observation(CHILD.spanId)).toMatchObject({ writePath: 'direct', sessionId: 'sess-1', userId: 'user-1', traceName: 'the trace' });
    expect(direct.observation('3'.repeat(16))).toMatchObject({ sessionId: null, userId: null, traceName: null });
    const dual = await serverWith({ langfuseVersion: 3 });
    await post(dual, otlpJson([CHILD]));
    expect(dual.observation(CHILD.spanId)).toMatchObject({ writePath: 'dual', sessionId: null, userId: null });
    expect(dual.trace(TRACE)).toMatchObject({ sessionId: 'sess-1', userId: 'user-1', name: 'the trace' });
  });

  it('names a GenAI tool span by gen_ai.tool.name; takes version and release from the span, else version from service.version', async () => {
    const server = await serverWith();
    await post(server, otlpJson([
      { spanId: '4'.repeat(16), name: 'execute_tool grep', attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'grep', 'langfuse.version': '2.0', 'langfuse.release': 'r1' } },
      { spanId: '5'.repeat(16), parentSpanId: '4'.repeat(16), name: 'plain' },
    ]));
    expect(server.observation('4'.repeat(16))).toMatchObject({ name: 'grep', type: 'TOOL', version: '2.0', release: 'r1' });
    expect(server.observation('5'.repeat(16))).toMatchObject({ version: '9.9.9', release: null });
  });

  it('drops an event’s end time on the dual path (an event is a point in time there) and keeps it on the direct path', async () => {
    const event = { spanId: '6'.repeat(16), name: 'decide', attributes: { 'langfuse.observation.type': 'event' }, startMs: 1_767_225_600_000, endMs: 1_767_225_600_050 };
    const dual = await serverWith({ langfuseVersion: 3 });
    const direct = await serverWith();
    await post(dual, otlpJson([event]));
    await post(direct, otlpJson([event]));
    expect(dual.observation(event.spanId)).toMatchObject({ type: 'EVENT', endTime: null });
    expect(direct.observation(event.spanId)).toMatchObject({ type: 'EVENT', endTime: '2026-01-01T00:00:00.050Z' });
  });
});

describe('what the OTLP endpoint refuses or warns about', () => {
  let server: LangfuseTestServer;
  beforeAll(async () => {
    server = await serverWith();
  });

  it('refuses a whole batch, 400, when one span has no usable id, and stores none of it', async () => {
    const answer = await post(server, otlpJson([ROOT, { spanId: '7'.repeat(16), traceId: undefined }, { spanId: '8'.repeat(16), traceId: 42 }]));
    expect(answer.status).toBe(400);
    const { error } = (await answer.json()) as { error: string };
    expect(error).toContain('Invalid OTLP trace export: 2 of 3 span(s) cannot be processed (traceId:absent, traceId:not_an_id)');
    expect(error).toContain('The entire export was rejected and no spans were ingested');
    expect(server.observation(ROOT.spanId)).toBeUndefined();
  });

  it('takes any string id as the server does (its check is presence, not shape)', async () => {
    expect((await post(server, otlpJson([{ spanId: 'short', traceId: 'also-short' }]))).status).toBe(200);
  });

  it('only warns about a body over 16 MB: it has no body limit of its own', async () => {
    const big = { ...ROOT, spanId: '9'.repeat(16), attributes: { 'langfuse.observation.input': 'x'.repeat(OTEL_WARN_BYTES + 1024) } };
    const answer = await post(server, otlpJson([big]));
    expect(answer.status).toBe(200);
    expect(server.warnings).toEqual([expect.objectContaining({ kind: 'otel-request-over-16mb', spans: 1 })]);
    expect(server.observation(big.spanId)).toBeDefined();
  });

  it('refuses a body that is neither JSON nor protobuf', async () => {
    const answer = await post(server, 'hello', { 'Content-Type': 'text/plain' });
    expect([answer.status, await answer.json()]).toEqual([400, { error: 'Invalid content type' }]);
  });
});

describe('the ingestion API of a v4 server (events_only, its default)', () => {
  const ingest = (server: LangfuseTestServer, batch: unknown[]) =>
    fetch(`${server.baseUrl}/api/public/ingestion`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: auth }, body: JSON.stringify({ batch }) });
  const traceEvent = { id: 'e-trace', type: 'trace-create', timestamp: '2026-01-01T00:00:00.000Z', body: { id: TRACE, name: 't' } };
  const scoreEvent = { id: 'e-score', type: 'score-create', timestamp: '2026-01-01T00:00:00.000Z', body: { traceId: TRACE, name: 'helpful', value: 1, dataType: 'NUMERIC' } };

  it('refuses trace and observation events one by one with "Event type not accepted", and still takes scores', async () => {
    const server = await serverWith();
    const answer = await ingest(server, [traceEvent, scoreEvent]);
    expect(answer.status).toBe(207);
    const body = (await answer.json()) as { successes: { id: string }[]; errors: { id: string; status: number; message: string; error: string }[] };
    expect(body.errors).toEqual([expect.objectContaining({ id: 'e-trace', status: 400, message: 'Event type not accepted' })]);
    expect(body.errors[0]!.error).toContain('LANGFUSE_MIGRATION_V4_WRITE_MODE is events_only');
    expect(body.successes).toEqual([{ id: 'e-score', status: 201 }]);
    expect(server.traces()).toEqual([]);
  });

  it('takes them on v3, and on v4 in the dual write mode', async () => {
    for (const options of [{ langfuseVersion: 3 as const }, { v4WriteMode: 'dual' as const }]) {
      const server = await serverWith(options);
      const body = (await (await ingest(server, [traceEvent])).json()) as { successes: unknown[] };
      expect(body.successes).toHaveLength(1);
    }
  });

  it('will not start in a configuration v4 refuses (events_only with dual-write OTel)', async () => {
    await expect(startLangfuseTestServer({ ...keys, v4NativeOtelBehaviour: 'dual_write' })).rejects.toThrow(/Invalid V4 config/);
  });
});
