import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { InterpretingExporter } from '@mini-agent/core';
import { createPostgresSink } from '@mini-agent/exporter-postgres';
import { createTestDatabase, hasPostgres, REPO_ROOT, type TestDatabase } from '@mini-agent/test-support';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { agentRun, manySpans } from '../../packages/bridge/test/helpers.js';
import { buildCli } from './bridge-process.js';
import { describeWithCollector } from './otelcol.js';
import { countSpans, exportSpans, snapshot, startStack, waitUntil, type Stack } from './stack.js';

const run = promisify(execFile);

describeWithCollector('agents → the shipped Collector → mini-agent-otel serve → PostgreSQL', (otelcol) => {
  let viaCollector: TestDatabase;
  let inProcess: TestDatabase;
  let stack: Stack;
  let python = '';

  beforeAll(async () => {
    if (!hasPostgres()) return;
    // The Python agent's venv (python/.venv, made once from PyPI; a first install takes a while).
    const venv = await run('bash', ['python/scripts/ensure-venv.sh'], { cwd: REPO_ROOT, maxBuffer: 16 << 20 });
    python = venv.stdout.trim().split('\n').at(-1)!;
    await buildCli();
    viaCollector = await createTestDatabase('collector_agents');
    inProcess = await createTestDatabase('collector_inproc');
    stack = await startStack(otelcol, viaCollector.url);
  }, 600_000);
  afterAll(async () => {
    await stack?.close();
    await viaCollector?.drop();
    await inProcess?.drop();
  });

  /** Writes the spans in process (the SDK's spans straight into the Postgres sink). */
  async function writeInProcess(spans: ReadableSpan[]): Promise<void> {
    const exporter = new InterpretingExporter({ sinks: [createPostgresSink({ databaseUrl: inProcess.url })] });
    expect((await exporter.exportSpans(spans)).code).toBe(0);
    await exporter.shutdown();
  }

  for (const protocol of ['http', 'grpc'] as const) {
    const label = protocol === 'http' ? 'OTLP/HTTP protobuf' : 'OTLP/gRPC';
    it.skipIf(!hasPostgres())(`a JS agent exporting ${label}: the rows equal those of the in-process path for the same session`, async () => {
      const spans = [...(await agentRun(`collector-${protocol}`)), ...(await manySpans(30, `collector-${protocol}-bulk`))];
      const traceIds = [...new Set(spans.map((s) => s.spanContext().traceId))];
      await writeInProcess(spans);
      const expected = await snapshot(inProcess.url, traceIds);
      expect(expected.spans).toHaveLength(spans.length);
      expect(expected.tool_executions!.length).toBeGreaterThan(2);

      const result = await exportSpans(protocol, protocol === 'http' ? stack.httpUrl : stack.grpcUrl, spans);
      expect(result.code, String(result.error)).toBe(ExportResultCode.SUCCESS);
      // The Collector batches for up to 2 s, then the bridge stores: wait for the rows.
      const stored = await waitUntil(async () => (await snapshot(viaCollector.url, traceIds)).spans!.length === spans.length, 30_000);
      expect(stored, stack.collector.output().slice(-2000)).toBe(true);
      expect(await snapshot(viaCollector.url, traceIds)).toEqual(expected);
    });
  }

  it.skipIf(!hasPostgres())('a Python agent on the plain OpenTelemetry SDK (OTLP/HTTP protobuf) through the same Collector', async () => {
    const before = await countSpans(viaCollector.url);
    const agent = await run(python, ['collector/test/agents/python_agent.py'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: stack.httpUrl, AGENT_SESSION_ID: 'python-via-collector' },
    });
    const traceId = agent.stdout.trim().split('\n').at(-1)!;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(await waitUntil(async () => (await countSpans(viaCollector.url)) === before + 4, 30_000)).toBe(true);

    const rows = await snapshot(viaCollector.url, [traceId]);
    expect(rows.traces).toEqual([
      expect.objectContaining({ id: traceId, session_id: 'python-via-collector', agent_name: 'python-folder-agent', user_id: 'user-py', complete: true }),
    ]);
    expect(rows.spans!.map((s) => [s.name, s.kind]).sort()).toEqual([
      ['chat gpt-4o-mini', 'llm'],
      ['fetch_url', 'tool'],
      ['list_files', 'tool'],
      ['python: summarise folder', 'session'],
    ]);
    const tools = Object.fromEntries(rows.tool_executions!.map((t) => [t.tool_name, t]));
    expect(tools.list_files).toMatchObject({ category: 'file', success: true, input: { path: '.' }, output: { files: ['a.txt', 'b.txt'] } });
    expect(tools.fetch_url).toMatchObject({ success: false, error_message: 'connection refused' });
    expect(rows.generations).toEqual([expect.objectContaining({ model: 'gpt-4o-mini', input_tokens: 200, output_tokens: 40 })]);
    // The Python SDK's resource and scope came through the Collector unchanged.
    expect(rows.traces![0]!.resource).toMatchObject({ 'service.name': 'python-folder-agent', 'telemetry.sdk.language': 'python' });
    expect(rows.spans!.every((s) => s.scope_name === 'python-agent' && s.scope_version === '1.0.0')).toBe(true);
  });
});
