import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, createNoopMeter, diag, DiagLogLevel, propagation, trace, type MeterProvider } from '@opentelemetry/api';
import { DeliveryError } from '@mini-agent/core';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { createTestDatabase, decodeOtlpTraceRequest, hasPostgres, startLangfuseTestServer, type DecodedOtlpSpan } from '@mini-agent/test-support';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { recordDecision, recordMetric, registerMiniAgentTracing, withLlmCall, withSession, withTool, type MiniAgentTracing } from '../src/index.js';
import { MemorySink } from './memory-sink.js';

/** Options every test starts from: nothing from the environment unless the test says so, no signal handlers in the test worker. */
const isolated = { postgres: false, langfuse: false, otlp: false, exitHooks: false } as const;

let current: MiniAgentTracing | undefined;
afterEach(async () => {
  await current?.shutdown();
  current = undefined;
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  diag.disable();
});

/** A small agent run: a session, two tools (one fails), a decision, a metric, an LLM call. Returns the trace id. */
async function runAgent(): Promise<string> {
  let traceId = '';
  await withSession({ name: 'triage', userId: 'u-7', input: 'why is CI red?' }, async (span) => {
    traceId = span.spanContext().traceId;
    recordDecision({ type: 'tool_selection', options: ['read_log', 'rerun'], chosen: 'read_log', reasoning: 'cheaper' });
    await withTool({ name: 'read_log', category: 'file', input: { job: 42 } }, async () => 'npm ERR! test failed');
    await withTool({ name: 'rerun', category: 'core', input: { job: 42 } }, async () => {
      throw new Error('runner offline');
    }).catch(() => undefined);
    recordMetric({ type: 'latency', value: 12.5, unit: 'ms' });
    await withLlmCall({ model: 'test-model', input: 'summarize the log' }, async (call) => {
      call.setUsage({ inputTokens: 30, outputTokens: 5 });
      return 'a test failed';
    });
    return 'a test failed';
  });
  return traceId;
}

describe('registerMiniAgentTracing', () => {
  it('spans go through one interpreting exporter to every sink, with the agent identified on the resource', async () => {
    const first = new MemorySink('first');
    const second = new MemorySink('second');
    current = registerMiniAgentTracing({ ...isolated, serviceName: 'triage-bot', serviceVersion: '2.1.0', sinks: [first, second] });
    const traceId = await runAgent();
    await current.forceFlush();

    for (const sink of [first, second]) {
      const tools = sink.of('tool');
      expect(tools.map((t) => [t.toolName, t.success])).toEqual([
        ['read_log', true],
        ['rerun', false],
      ]);
      expect(sink.of('generation')[0]?.usage).toMatchObject({ input: 30, output: 5 });
    }
    const session = first.of('trace').find((t) => t.complete);
    expect(session).toMatchObject({ traceId, name: 'triage', agentName: 'triage-bot', agentVersion: '2.1.0', userId: 'u-7' });
    expect(session?.resource).toMatchObject({ 'service.name': 'triage-bot', 'service.version': '2.1.0', 'mini_agent.agent.name': 'triage-bot' });
    expect(current.stats().sinks.first?.delivered).toBe(first.records.length);
  });

  it('the service name comes from OTEL_SERVICE_NAME when not given, else defaults to mini-agent', async () => {
    vi.stubEnv('OTEL_SERVICE_NAME', 'from-env');
    const sink = new MemorySink();
    current = registerMiniAgentTracing({ ...isolated, sinks: [sink] });
    withSession({ name: 's' }, () => undefined);
    await current.shutdown();
    expect(sink.of('span')[0]?.resource['service.name']).toBe('from-env');

    vi.stubEnv('OTEL_SERVICE_NAME', '');
    const next = new MemorySink();
    current = registerMiniAgentTracing({ ...isolated, sinks: [next] });
    withSession({ name: 's' }, () => undefined);
    await current.shutdown();
    expect(next.of('span')[0]?.resource['service.name']).toBe('mini-agent');
  });

  it('a second call warns and hands back the first registration; after shutdown a new one can start', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    current = registerMiniAgentTracing({ ...isolated, sinks: [new MemorySink()] });
    const again = registerMiniAgentTracing({ ...isolated, serviceName: 'other' });
    expect(again).toBe(current);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain('called twice');

    await current.shutdown();
    const sink = new MemorySink();
    current = registerMiniAgentTracing({ ...isolated, sinks: [sink] });
    expect(current).not.toBe(again);
    withTool({ name: 'after_restart', category: 'core' }, () => 1);
    await current.forceFlush();
    expect(sink.of('tool').map((t) => t.toolName)).toEqual(['after_restart']);
  });

  it('when the application registered its own provider first, it is told that spans go there', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const theirs = new BasicTracerProvider();
    trace.setGlobalTracerProvider(theirs);
    try {
      current = registerMiniAgentTracing({ ...isolated, sinks: [new MemorySink()] });
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]?.[0])).toContain('another OpenTelemetry tracer provider was registered first');
    } finally {
      await current?.shutdown();
      current = undefined;
      trace.disable();
      context.disable();
      propagation.disable();
    }
  });

  it('shutdown unregisters the global provider, so helpers become no-ops instead of failing', async () => {
    current = registerMiniAgentTracing({ ...isolated, sinks: [new MemorySink()] });
    await current.shutdown();
    expect(trace.getTracer('x').startSpan('y').isRecording()).toBe(false);
    expect(withTool({ name: 'still_works', category: 'core' }, () => 'value')).toBe('value');
  });

  it('a sink that fails every write costs the agent nothing: values come back, drops are counted', async () => {
    const broken = new MemorySink('broken', new DeliveryError('disk full', false));
    const healthy = new MemorySink('healthy');
    current = registerMiniAgentTracing({ ...isolated, sinks: [broken, healthy] });
    expect(await withSession({ name: 'resilient' }, async () => withTool({ name: 't', category: 'core' }, async () => 'ok'))).toBe('ok');
    await current.forceFlush();
    expect(healthy.of('tool')).toHaveLength(1);
    const stats = current.stats().sinks.broken;
    expect(stats?.lastError).toContain('disk full');
    expect(Object.values(stats?.rejected ?? {}).reduce((a, b) => a + b, 0)).toBe(healthy.records.length);
  });

  it('spans the batch processor drops on a full queue are counted in stats(), and still reach a meter provider the user gave', async () => {
    const sink = new MemorySink();
    const seen: { value: number; attributes: Record<string, unknown> | undefined }[] = [];
    const userMeter = createNoopMeter();
    const userProvider = {
      getMeter: () => ({
        ...userMeter,
        createUpDownCounter: userMeter.createUpDownCounter.bind(userMeter),
        createObservableUpDownCounter: userMeter.createObservableUpDownCounter.bind(userMeter),
        createCounter: () => ({ add: (value: number, attributes?: Record<string, unknown>) => seen.push({ value, attributes }) }),
      }),
    } as unknown as MeterProvider;
    current = registerMiniAgentTracing({ ...isolated, sinks: [sink], batch: { maxQueueSize: 64, maxExportBatchSize: 64, selfObsMeterProvider: userProvider } });
    const tracer = trace.getTracer('flood');
    const ENDED = 5_000;
    // Ended in one synchronous burst: the processor can hand over one batch, the rest of the queue fills up.
    for (let i = 0; i < ENDED; i++) tracer.startSpan(`burst ${i}`).end();
    await current.forceFlush();
    const stats = current.stats();
    const dropped = stats.processor.dropped.queue_full ?? 0;
    expect(dropped).toBeGreaterThan(0);
    expect(stats.spans.received + dropped).toBe(ENDED);
    const userDropped = seen.filter((m) => m.attributes?.['error.type'] === 'queue_full').reduce((n, m) => n + m.value, 0);
    expect(userDropped).toBe(dropped);
  });

  it('without Langfuse keys Langfuse is not attached and diag says why, once', async () => {
    vi.stubEnv('LANGFUSE_PUBLIC_KEY', '');
    vi.stubEnv('LANGFUSE_SECRET_KEY', '');
    const warnings: string[] = [];
    diag.setLogger({ warn: (m: string) => void warnings.push(m), error() {}, info() {}, debug() {}, verbose() {} }, DiagLogLevel.WARN);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    current = registerMiniAgentTracing({ postgres: false, otlp: false, exitHooks: false, sinks: [new MemorySink()] });
    expect(current.sinks.map((s) => s.name)).toEqual(['memory']);
    expect(warnings.filter((w) => w.includes('Langfuse is not attached'))).toHaveLength(1);
    expect(warn).not.toHaveBeenCalled();
  });

  it('with only one Langfuse key the console warns (that looks like a mistake) and Langfuse stays off', async () => {
    vi.stubEnv('LANGFUSE_PUBLIC_KEY', 'pk-lf-half');
    vi.stubEnv('LANGFUSE_SECRET_KEY', '');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    current = registerMiniAgentTracing({ postgres: false, otlp: false, exitHooks: false });
    expect(current.sinks).toHaveLength(0);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain('LANGFUSE_SECRET_KEY is not set');
    expect(String(warn.mock.calls[0]?.[0])).not.toContain('pk-lf-half');
  });

  it('with Langfuse keys in the environment the session reaches Langfuse as a trace with observations', async () => {
    const server = await startLangfuseTestServer({ publicKey: 'pk-lf-test', secretKey: 'sk-lf-test' });
    try {
      vi.stubEnv('LANGFUSE_PUBLIC_KEY', 'pk-lf-test');
      vi.stubEnv('LANGFUSE_SECRET_KEY', 'sk-lf-test');
      vi.stubEnv('LANGFUSE_BASE_URL', server.baseUrl);
      current = registerMiniAgentTracing({ postgres: false, otlp: false, exitHooks: false });
      expect(current.sinks.map((s) => s.name)).toEqual(['langfuse']);
      const traceId = await runAgent();
      await current.shutdown();
      expect(server.trace(traceId)?.name).toBe('triage');
      // Exactly what the agent made: the session, two tools (one failed), the LLM call and the decision.
      const shown = server.observations(traceId).map((o) => [o.type, o.name, o.level]);
      expect(shown.sort((a, b) => String(a[1]).localeCompare(String(b[1])))).toEqual([
        ['GENERATION', 'chat test-model', 'DEFAULT'],
        ['TOOL', 'read_log', 'DEFAULT'],
        ['TOOL', 'rerun', 'ERROR'],
        ['EVENT', 'tool_selection', 'DEFAULT'],
        ['AGENT', 'triage', 'DEFAULT'],
      ]);
    } finally {
      await server.close();
    }
  });

  it('OTEL_EXPORTER_OTLP_ENDPOINT adds a standard OTLP/HTTP protobuf exporter to a collector', async () => {
    const received: DecodedOtlpSpan[] = [];
    const paths: string[] = [];
    const collector = createServer(async (req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      paths.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
      received.push(...decodeOtlpTraceRequest(Buffer.concat(chunks), { contentType: req.headers['content-type'], contentEncoding: req.headers['content-encoding'] }));
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    try {
      vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', `http://127.0.0.1:${(collector.address() as AddressInfo).port}`);
      const sink = new MemorySink();
      current = registerMiniAgentTracing({ postgres: false, langfuse: false, exitHooks: false, sinks: [sink] });
      const traceId = await runAgent();
      await current.shutdown();
      expect(paths[0]).toBe('POST /v1/traces application/x-protobuf');
      expect(received.filter((s) => s.traceId === traceId).map((s) => s.name).sort()).toEqual(
        ['chat test-model', 'execute_tool read_log', 'execute_tool rerun', 'triage'].sort(),
      );
      expect(sink.of('tool')).toHaveLength(2); // the interpreting path still got everything
    } finally {
      await new Promise((resolve) => collector.close(resolve));
    }
  });
});

describe('registerMiniAgentTracing into a database', () => {
  it.skipIf(!hasPostgres())('with DATABASE_URL, a session lands as rows in a real PostgreSQL server', async () => {
    const db = await createTestDatabase('otel');
    const sql = postgres(db.url, { max: 1, onnotice: () => {} });
    try {
      vi.stubEnv('DATABASE_URL', db.url);
      current = registerMiniAgentTracing({ langfuse: false, otlp: false, exitHooks: false, serviceName: 'pg-agent' });
      await current.ready;
      const traceId = await runAgent();
      await current.shutdown();

      const tools = await sql`SELECT tool_name, category, success, error_message, input, output FROM mini_agent_observability.tool_executions WHERE trace_id = ${traceId} ORDER BY tool_name`;
      expect(tools.map((t) => ({ ...t }))).toEqual([
        { tool_name: 'read_log', category: 'file', success: true, error_message: null, input: { job: 42 }, output: 'npm ERR! test failed' },
        { tool_name: 'rerun', category: 'core', success: false, error_message: 'runner offline', input: { job: 42 }, output: null },
      ]);
      const [session] = await sql`SELECT name, agent_name, user_id, status, input, output FROM mini_agent_observability.traces WHERE id = ${traceId}`;
      expect({ ...session }).toEqual({ name: 'triage', agent_name: 'pg-agent', user_id: 'u-7', status: 'ok', input: 'why is CI red?', output: 'a test failed' });
      const [decision] = await sql`SELECT decision_type, chosen FROM mini_agent_observability.decisions WHERE trace_id = ${traceId}`;
      expect({ ...decision }).toEqual({ decision_type: 'tool_selection', chosen: 'read_log' });
      const metrics = await sql`SELECT metric_type, unit FROM mini_agent_observability.performance_metrics WHERE trace_id = ${traceId}`;
      expect(metrics.map((m) => `${m.metric_type}:${m.unit}`).sort()).toEqual(
        ['cpu:%', 'cpu:ms', 'latency:ms', 'memory:%', 'memory:%', 'memory:By', 'memory:By'].sort(),
      );
      const [generation] = await sql`SELECT model, input_tokens, output_tokens FROM mini_agent_observability.generations WHERE trace_id = ${traceId}`;
      expect({ ...generation }).toEqual({ model: 'test-model', input_tokens: '30', output_tokens: '5' });
    } finally {
      await sql.end();
      await db.drop();
    }
  });

  it('with no database configured, rows go to the embedded PGlite database in .mini-agent/pglite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otel-pglite-'));
    const cwd = process.cwd();
    try {
      process.chdir(dir);
      vi.stubEnv('DATABASE_URL', '');
      vi.stubEnv('SUPABASE_DB_URL', '');
      current = registerMiniAgentTracing({ langfuse: false, otlp: false, exitHooks: false });
      await current.ready;
      const traceId = await runAgent();
      await current.shutdown();

      const db = await PGlite.create(join(dir, '.mini-agent', 'pglite'));
      try {
        const { rows } = await db.query<{ tool_name: string; success: boolean }>(
          'SELECT tool_name, success FROM mini_agent_observability.tool_executions WHERE trace_id = $1 ORDER BY tool_name',
          [traceId],
        );
        expect(rows).toEqual([
          { tool_name: 'read_log', success: true },
          { tool_name: 'rerun', success: false },
        ]);
        const { rows: spans } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM mini_agent_observability.spans WHERE trace_id = $1', [traceId]);
        expect(spans[0]?.n).toBe(4);
      } finally {
        await db.close();
      }
    } finally {
      process.chdir(cwd);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000); // a fresh PGlite directory runs initdb in WebAssembly: seconds on an idle machine, far more on a busy one
});
