import { SERVER_METADATA_KEYS, startLangfuseTestServer, type LangfuseTestServer, type LangfuseTestServerOptions } from '@mini-agent/test-support';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { AGENT_VERSION, recordCodingRun, type CodingRun } from './coding-run.js';
import { BOTH_TRANSPORTS_SERVER, exporterFor, KEYS, recordsOf, requestsOf, sinkFor, TRANSPORTS, writeTo } from './server.js';

// What Langfuse v4 does with our spans, finding by finding, against the test server's model of
// its OTel processing (which reads Langfuse's attribute names from its own list, not ours).

const servers: LangfuseTestServer[] = [];
afterAll(() => Promise.all(servers.map((s) => s.close())));
afterEach(() => vi.restoreAllMocks());

async function serverWith(options: Partial<LangfuseTestServerOptions> = {}): Promise<LangfuseTestServer> {
  const server = await startLangfuseTestServer({ ...KEYS, ...options });
  servers.push(server);
  return server;
}

/** Like Langfuse Cloud: the write path is decided per request, by its headers. */
const PER_REQUEST_ROUTING = { v4WriteMode: 'dual', v4NativeOtelBehaviour: 'dual_write', directForNewOrganizations: true } as const;

async function exportRun(server: LangfuseTestServer, transport: 'otlp' | 'ingestion', ...batches: CodingRun['spans'][]): Promise<void> {
  const exporter = exporterFor(server, transport);
  for (const batch of batches) await exporter.exportSpans(batch);
  await exporter.shutdown();
}

describe('1. every OTLP request asks for the direct (real-time) path, as this exporter', () => {
  it('sends x-langfuse-ingestion-version: 4 and SDK headers naming this exporter, so a per-request server writes it directly', async () => {
    const server = await serverWith(PER_REQUEST_ROUTING);
    const run = await recordCodingRun({ propagate: true });
    // The session first: children exported before their parent wait for it (the filter reparents) and would share its request.
    await exportRun(server, 'otlp', [run.session], run.children);
    const requests = requestsOf(server, 'otlp');
    expect(requests).toHaveLength(2);
    for (const request of requests) {
      expect(request.headers).toMatchObject({ 'x-langfuse-ingestion-version': '4', 'x-langfuse-sdk-name': 'mini-agent-otel', 'x-langfuse-public-key': KEYS.publicKey });
      expect([request.writePath, request.writePathReason]).toEqual(['direct', 'direct_header']);
    }
  });

  it('uses an instrumentation scope of its own, without "langfuse" in it (Langfuse would take it for its SDK)', async () => {
    const server = await serverWith();
    const run = await recordCodingRun({ propagate: false });
    await exportRun(server, 'otlp', run.spans);
    const scopes = new Set(server.acceptedSpans.map((s) => s.scope.name));
    expect([...scopes]).toEqual(['mini-agent-otel']);
  });
});

describe('2. no metadata key the server overwrites', () => {
  it('sends every metadata key under its own prefix, so the dual path keeps the original scope and attributes', async () => {
    const server = await serverWith({ langfuseVersion: 3 });
    const run = await recordCodingRun({ propagate: false });
    await exportRun(server, 'otlp', run.spans);
    const sentKeys = server.acceptedSpans.flatMap((s) => Object.keys(s.attributes)).filter((k) => k.startsWith('langfuse.observation.metadata.') || k.startsWith('langfuse.trace.metadata.'));
    expect(sentKeys.length).toBeGreaterThan(0);
    for (const key of sentKeys) {
      const metadataKey = key.replace(/^langfuse\.(observation|trace)\.metadata\./, '');
      expect(SERVER_METADATA_KEYS).not.toContain(metadataKey);
      expect(metadataKey.startsWith('mini_agent.')).toBe(true);
    }
    const tool = server.observation(run.id('execute_tool run_tests'))!;
    expect(tool.metadata['mini_agent.span.scope']).toEqual({ name: 'test-support', version: null });
    expect(tool.metadata['mini_agent.span.attributes']).toMatchObject({ 'gen_ai.tool.name': 'run_tests' });
    expect(server.trace(run.traceId)!.metadata['mini_agent.agent.version']).toBe(AGENT_VERSION);
  });
});

describe('3. session, user, tags, trace name, release and environment on every observation', () => {
  it('also on spans exported before the session span, from the attributes propagated where they started', async () => {
    const server = await serverWith();
    const run = await recordCodingRun({ propagate: true });
    await exportRun(server, 'otlp', run.children, [run.session]);
    const observations = server.observations(run.traceId);
    expect(observations).toHaveLength(run.spans.length);
    for (const o of observations) {
      expect(o).toMatchObject({ writePath: 'direct', sessionId: 'chat-42', userId: 'user-7', tags: ['coding'], traceName: 'fix the test', environment: 'staging', release: AGENT_VERSION });
    }
  });

  it('from the session span of the same batch when nothing was propagated', async () => {
    const server = await serverWith();
    const run = await recordCodingRun({ propagate: false });
    await exportRun(server, 'otlp', run.spans);
    expect(server.observations(run.traceId).every((o) => o.sessionId === 'chat-42' && o.userId === 'user-7' && o.traceName === 'fix the test')).toBe(true);
  });
});

describe('4. one release per trace: the agent’s version, not the service’s', () => {
  it('gives the session’s agent version to the spans that only know the resource’s service.version', async () => {
    const server = await serverWith();
    const run = await recordCodingRun({ propagate: false });
    await exportRun(server, 'otlp', run.spans);
    expect(new Set(server.observations(run.traceId).map((o) => o.release))).toEqual(new Set([AGENT_VERSION]));
  });
});

describe.each(TRANSPORTS)('over the %s transport', (transport) => {
  let server: LangfuseTestServer;
  let run: CodingRun;
  it('prepares a run on a server both transports serve', async () => {
    server = await serverWith(BOTH_TRANSPORTS_SERVER);
    run = await recordCodingRun({ propagate: false });
    await exportRun(server, transport, run.spans);
    expect(server.observations(run.traceId)).toHaveLength(run.spans.length);
  });

  it('5. names a tool observation by its tool, not by its span', () => {
    expect(server.observation(run.id('execute_tool run_tests'))).toMatchObject({ type: 'TOOL', name: 'run_tests' });
  });

  it('6. keeps a decision’s duration: a timed decision is a span observation with its end', () => {
    const decision = server.observation(run.id('decide plan'))!;
    expect(decision).toMatchObject({ type: 'SPAN', output: 'read first', metadata: expect.objectContaining({ 'mini_agent.decision.type': 'plan' }) });
    expect(Date.parse(decision.endTime!) - Date.parse(decision.startTime!)).toBe(30);
  });

  it('7. gives trace and observations the agent’s version as Langfuse’s version', () => {
    expect(server.trace(run.traceId)!.version).toBe(AGENT_VERSION);
    expect(new Set(server.observations(run.traceId).map((o) => o.version))).toEqual(new Set([AGENT_VERSION]));
  });

  it('8. prices cache-creation tokens under Langfuse’s key, taken out of input', () => {
    expect(server.observation(run.id('chat claude'))!.usageDetails).toEqual({ input: 100, output: 30, total: 1230, input_cached_tokens: 200, input_cache_creation: 900 });
  });
});

describe('the legacy ingestion transport', () => {
  it('against a v4 server: said once, plainly (OTLP only), counted as rejected, never retried', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const server = await serverWith();
    const run = await recordCodingRun({ propagate: false });
    const sink = sinkFor(server, 'ingestion');
    const first = await sink.write(recordsOf(run.spans)).catch((error: Error) => error);
    const second = await writeTo(sink, recordsOf(run.spans));
    expect(first).toMatchObject({ retryable: false, message: expect.stringContaining("this server takes OTLP only: use transport 'otlp'") });
    expect(second?.message).toContain('OTLP only');
    expect(requestsOf(server, 'ingestion')).toHaveLength(2); // one per write: no retry
    expect(sink.stats()).toMatchObject({ rejected: 2 * (run.spans.length + 1), retries: 0, delivered: 0 });
    expect(warn.mock.calls.filter(([line]) => String(line).includes('OTLP only'))).toHaveLength(1);
  });

  it('warns once per process that it is kept for v2/v3 servers', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const server = await serverWith(BOTH_TRANSPORTS_SERVER);
    // A fresh copy of the package: as a new process would load it.
    vi.resetModules();
    const fresh = await import('../src/index.js');
    const options = { ...KEYS, baseUrl: server.baseUrl, transport: 'ingestion' } as const;
    fresh.createLangfuseSink(options);
    fresh.createLangfuseSink(options);
    fresh.createLangfuseSink({ ...options, transport: 'otlp' });
    const lines = warn.mock.calls.map(([line]) => String(line)).filter((line) => line.includes('legacy batch ingestion API'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/self-hosted Langfuse v2 and v3/);
  });
});
