import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { SERVER_METADATA_KEYS, startLangfuseTestServer, type LangfuseTestServer } from '@mini-agent/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, cleanEnv, runCli } from './built-cli.js';

const KEYS = { publicKey: 'pk-lf-demo', secretKey: 'sk-lf-demo' };
const TOOLS = ['run_tests', 'read_file', 'github.search_issues', 'parse_pdf', 'write_patch', 'write_file'];
let workDir: string;
let server: LangfuseTestServer;

beforeAll(async () => {
  await buildCli();
  workDir = mkdtempSync(join(tmpdir(), 'cli-demo-langfuse-'));
  // Like Langfuse Cloud: the write path is decided per request, so a missing header would show.
  server = await startLangfuseTestServer({ ...KEYS, v4WriteMode: 'dual', v4NativeOtelBehaviour: 'dual_write' });
}, 600_000);
afterAll(async () => {
  await server?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const langfuseEnv = () => cleanEnv({ LANGFUSE_PUBLIC_KEY: KEYS.publicKey, LANGFUSE_SECRET_KEY: KEYS.secretKey, LANGFUSE_BASE_URL: server.baseUrl });

describe('mini-agent-otel demo with LANGFUSE_* pointed at a Langfuse v4 server', () => {
  it('sends OTLP on the real-time path; every observation carries session and user; one release; tools named by tool; no overwritten metadata key', async () => {
    server.reset();
    const dataDir = join(workDir, 'pglite-otlp');
    const result = await runCli(['demo', '--data-dir', dataDir, '--no-spool'], { cwd: workDir, env: langfuseEnv() });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Also sending to: langfuse');
    const traceId = /What landed for trace ([0-9a-f]{32})/.exec(result.stdout)![1]!;

    const requests = server.requests.filter((r) => r.path === '/api/public/otel/v1/traces');
    expect(requests.length).toBeGreaterThan(0);
    for (const request of requests) {
      expect(request.headers['x-langfuse-ingestion-version']).toBe('4');
      expect([request.status, request.writePath]).toEqual([200, 'direct']);
    }
    const observations = server.observations(traceId);
    // The session, 8 tool calls, the LLM call and the 2 decisions recorded inside the session.
    expect(observations).toHaveLength(12);
    const sessionId = observations[0]!.sessionId;
    expect(sessionId).toMatch(/^demo-/);
    for (const o of observations) expect(o).toMatchObject({ sessionId, userId: 'demo-user', traceName: 'fix the failing rounding test' });
    expect(new Set(observations.map((o) => o.release))).toEqual(new Set(['1.0.0']));
    expect(new Set(observations.map((o) => o.version))).toEqual(new Set(['1.0.0']));
    const tools = observations.filter((o) => o.type === 'TOOL').map((o) => o.name);
    expect(new Set(tools)).toEqual(new Set(TOOLS));

    const metadataKeys = server.acceptedSpans.flatMap((s) => Object.keys(s.attributes)).filter((k) => /^langfuse\.(observation|trace)\.metadata\./.test(k));
    const overwritten = metadataKeys.map((k) => k.replace(/^langfuse\.(observation|trace)\.metadata\./, '')).filter((k) => (SERVER_METADATA_KEYS as readonly string[]).includes(k));
    expect(metadataKeys.length).toBeGreaterThan(0);
    expect(overwritten).toEqual([]);

    // The other sink of the same run: every row of the span tables names the same session and user.
    const db = await PGlite.create(dataDir);
    try {
      for (const table of ['spans', 'tool_executions', 'generations']) {
        const { rows } = await db.query<{ session_id: string | null; user_id: string | null }>(
          `SELECT session_id, user_id FROM mini_agent_observability.${table} WHERE trace_id = $1`,
          [traceId],
        );
        expect(rows.length, table).toBeGreaterThan(0);
        expect(rows, table).toEqual(rows.map(() => ({ session_id: sessionId, user_id: 'demo-user' })));
      }
    } finally {
      await db.close();
    }
  }, 240_000);

  it('--langfuse-transport ingestion: the legacy API is used (this server still takes it), with its deprecation warning', async () => {
    server.reset();
    const result = await runCli(['demo', '--data-dir', join(workDir, 'pglite-ingestion'), '--no-spool', '--langfuse-transport', 'ingestion'], { cwd: workDir, env: langfuseEnv() });
    expect(result.code).toBe(0);
    // This v4 server runs in the dual write mode, which still takes legacy events: nothing refused.
    expect(server.requests.some((r) => r.path === '/api/public/ingestion' && r.status === 207)).toBe(true);
    expect(result.stderr).toContain("transport 'ingestion' uses Langfuse's legacy batch ingestion API");
  }, 240_000);

  it('LANGFUSE_TRANSPORT=ingestion against a v4 server at its defaults: the refusal is reported once, plainly', async () => {
    const v4 = await startLangfuseTestServer(KEYS);
    try {
      const env = cleanEnv({ LANGFUSE_PUBLIC_KEY: KEYS.publicKey, LANGFUSE_SECRET_KEY: KEYS.secretKey, LANGFUSE_BASE_URL: v4.baseUrl, LANGFUSE_TRANSPORT: 'ingestion' });
      const result = await runCli(['demo', '--data-dir', join(workDir, 'pglite-refused'), '--no-spool'], { cwd: workDir, env });
      expect(result.code).toBe(0);
      // Said once by the exporter however many batches were refused; the demo's summary names it again.
      expect(result.stderr.match(/@mini-agent\/exporter-langfuse: Langfuse refused \d+ of \d+ events: this server takes OTLP only: use transport 'otlp'/g)).toHaveLength(1);
      expect(result.stderr).toMatch(/warning: langfuse did not store \d+ records/);
      expect(v4.traces()).toEqual([]);
    } finally {
      await v4.close();
    }
  }, 240_000);

  it('refuses a --langfuse-transport that names no transport, as a usage error', async () => {
    const result = await runCli(['demo', '--langfuse-transport', 'grpc'], { cwd: workDir, env: langfuseEnv() });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('mini-agent-otel demo: --langfuse-transport must be otlp or ingestion, got "grpc"');
  });
});
