import type { AgentRecord, ToolExecutionRecord } from '@mini-agent/core';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { buildWorkspacePackage, REPO_ROOT as REPO } from '@mini-agent/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBridge, type Bridge } from '../src/index.js';
import { memorySink } from './helpers.js';

const TOKEN = 'example-token-5f2c';

/** Runs a program to completion with a clean environment plus `env`. */
function run(command: string, args: string[], env: Record<string, string>, cwd = REPO): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(OTEL_|MINI_AGENT_|LANGFUSE_|DATABASE_URL|SUPABASE_|NODE_OPTIONS|VITEST)/.test(k)));
    const child = spawn(command, args, { cwd, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => void (stdout += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => void (stderr += t));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

const ofTrace = (records: readonly AgentRecord[], traceId: string) => records.filter((r) => r.traceId === traceId);
const tools = (records: readonly AgentRecord[]) =>
  records.filter((r): r is ToolExecutionRecord => r.type === 'tool').map((t) => ({ tool: t.toolName, category: t.category, success: t.success }));

describe('the examples, run against a bridge on 127.0.0.1', () => {
  const sink = memorySink();
  let bridge: Bridge;

  beforeAll(async () => {
    bridge = await createBridge({ sinks: [sink], port: 0, token: TOKEN });
  });
  afterAll(async () => {
    await bridge.close();
  });

  it('curl-otlp-json: a shell script posting hand-written OTLP/JSON becomes a session with its tools and LLM call', async () => {
    const result = await run('bash', ['examples/curl-otlp-json/send-trace.sh'], { BRIDGE_URL: bridge.url, MINI_AGENT_BRIDGE_TOKEN: TOKEN });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('bridge answered: {}');
    const traceId = /^trace ([0-9a-f]{32})$/m.exec(result.stdout)?.[1];
    expect(traceId).toBeDefined();

    await bridge.flush();
    const records = ofTrace(sink.records, traceId!);
    expect(records.find((r) => r.type === 'trace' && r.complete)).toMatchObject({
      sessionId: 'curl-session-1',
      userId: 'user-7',
      name: 'answer a question',
      status: 'ok',
      tags: ['curl', 'example'],
    });
    expect(tools(records)).toEqual(
      expect.arrayContaining([
        { tool: 'calculator', category: 'core', success: true },
        { tool: 'web_search', category: 'mcp', success: false },
      ]),
    );
    expect(records.find((r) => r.type === 'generation')).toMatchObject({ model: 'example-model', usage: { input: 42, output: 7 } });
    expect(records.find((r) => r.type === 'metric')).toMatchObject({ metricType: 'latency', value: 4000, unit: 'ms' });
    const session = records.find((r) => r.type === 'span' && r.kind === 'session');
    expect(session).toMatchObject({ attributes: { client: { tool: 'curl', retries: 0 } } });
  });

  it('curl-otlp-json: without the token the script fails and prints the 401 status', async () => {
    const result = await run('bash', ['examples/curl-otlp-json/send-trace.sh'], { BRIDGE_URL: bridge.url });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/401/);
  });

  it('collector-agent: the agent exports standard OTLP and its session lands with every tool, decision and LLM call', async () => {
    // As a user would before `pnpm start` (a turbo cache hit when the workspace is already built).
    await buildWorkspacePackage('@mini-agent/example-collector-agent');
    // Run from its own folder, as `pnpm start` does: the agent describes the folder it runs in.
    const result = await run(
      process.execPath,
      ['dist/main.js'],
      { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: bridge.tracesUrl, MINI_AGENT_BRIDGE_TOKEN: TOKEN, OTEL_SERVICE_NAME: 'collector-agent-test' },
      join(REPO, 'examples', 'collector-agent'),
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const traceId = /^trace ([0-9a-f]{32})$/m.exec(result.stdout)?.[1];
    expect(traceId).toBeDefined();

    await bridge.flush();
    const records = ofTrace(sink.records, traceId!);
    expect(records.find((r) => r.type === 'trace' && r.complete)).toMatchObject({
      name: 'answer about a folder',
      userId: 'local-user',
      agentName: 'collector-agent-test',
      tags: ['example', 'collector'],
      status: 'ok',
    });
    expect(tools(records).sort((a, b) => a.tool.localeCompare(b.tool))).toEqual([
      { tool: 'count_words', category: 'document', success: true },
      { tool: 'format_answer', category: 'core', success: true },
      { tool: 'list_dir', category: 'file', success: true },
      { tool: 'plain_language', category: 'skill', success: true },
      { tool: 'read_file', category: 'file', success: true },
      { tool: 'web_search', category: 'mcp', success: false },
    ]);
    expect(records.find((r) => r.type === 'decision')).toMatchObject({ decisionType: 'tool_selection', chosen: 'README.md' });
    expect(records.find((r) => r.type === 'metric' && r.metricType === 'document_words')).toMatchObject({ unit: '{word}' });
    expect(records.find((r) => r.type === 'generation')).toMatchObject({ model: 'stand-in-model', provider: 'local' });
  }, 600_000);
});
