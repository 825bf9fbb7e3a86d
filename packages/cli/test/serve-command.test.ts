import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { recordSpans, startLangfuseTestServer } from '@mini-agent/test-support';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, CLI_BIN, cleanEnv, runNode } from './built-cli.js';

const TOKEN = 'serve-test-token';
let workDir: string;

beforeAll(async () => {
  await buildCli();
  workDir = mkdtempSync(join(tmpdir(), 'cli-serve-test-'));
}, 600_000);
afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** `count` tool spans of one session, as an agent's SDK would export them. */
function toolSpans(count: number, tag: string): Promise<ReadableSpan[]> {
  return recordSpans((tracer) => {
    tracer.startActiveSpan(`${tag} session`, (root) => {
      root.setAttribute('mini_agent.span.kind', 'session');
      for (let i = 1; i < count; i++) {
        tracer.startSpan(`${tag} tool ${i}`, { attributes: { 'mini_agent.span.kind': 'tool', 'mini_agent.tool.name': `tool_${i % 5}` } }).end();
      }
      root.end();
    });
  });
}

function send(url: string, spans: ReadableSpan[], token = TOKEN): Promise<ExportResult> {
  const exporter = new OTLPTraceExporter({ url, headers: { Authorization: `Bearer ${token}` } });
  return new Promise<ExportResult>((resolve) => exporter.export(spans, resolve)).finally(() => exporter.shutdown());
}

describe('mini-agent-otel serve', () => {
  it('stores what OTLP exporters send in the database and Langfuse, logs throughput each second, and on SIGTERM stores what it holds and exits 0', async () => {
    const dataDir = join(workDir, 'pglite');
    const langfuse = await startLangfuseTestServer({ publicKey: 'pk-lf-serve', secretKey: 'sk-lf-serve' });
    const first = await toolSpans(200, 'first');
    const last = await toolSpans(300, 'last');
    let steps: Promise<void> | undefined;
    let failure: unknown;
    const answers: { first?: ExportResult; last?: ExportResult; noToken?: ExportResult; health?: unknown } = {};
    let output = '';

    const result = await runNode([CLI_BIN, 'serve', '--port', '0', '--data-dir', dataDir], {
      cwd: workDir,
      env: cleanEnv({
        MINI_AGENT_BRIDGE_TOKEN: TOKEN,
        LANGFUSE_PUBLIC_KEY: 'pk-lf-serve',
        LANGFUSE_SECRET_KEY: 'sk-lf-serve',
        LANGFUSE_BASE_URL: langfuse.baseUrl,
      }),
      onStdout: (stdout, child) => {
        output = stdout;
        const url = /^mini-agent bridge listening on (http:\/\/\S+)$/m.exec(stdout)?.[1];
        if (!url || steps || !stdout.includes('sinks ready')) return;
        steps = (async () => {
          answers.noToken = await send(url, await toolSpans(3, 'refused'), 'wrong-token');
          answers.first = await send(url, first);
          // Under load the bridge reports once a second: wait for that line, then send more and stop at once.
          while (!/^bridge: \d+ spans\/s in/m.test(output)) await new Promise((r) => setTimeout(r, 50));
          answers.health = await (await fetch(url.replace('/v1/traces', '/health'))).json();
          answers.last = await send(url, last);
        })()
          .catch((error: unknown) => void (failure = error))
          .finally(() => child.kill('SIGTERM'));
      },
    });
    await steps;
    await langfuse.close();
    if (failure) throw failure;

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`sinks: postgres (PGlite at ${dataDir}), langfuse (${langfuse.baseUrl}, otlp)`);
    expect(result.stdout).toContain('token: required');
    expect(result.stdout).toMatch(/^bridge: \d+ spans\/s in, \d+ spans\/s exported, queue \d+/m);
    expect(result.stdout).toContain('SIGTERM: shutting down');
    expect(result.stdout).toMatch(/^stopped: 500 spans received, 500 exported, 0 failed, 0 rejected$/m);
    expect(answers.noToken?.code).toBe(1);
    expect(answers.first?.code).toBe(0);
    expect(answers.last?.code).toBe(0);
    expect(answers.health).toMatchObject({ live: true, sinks: { postgres: { healthy: true } } });

    // Langfuse got every span too: one observation per span, under the two traces.
    const traceIds = [first[0]!.spanContext().traceId, last[0]!.spanContext().traceId];
    expect(langfuse.traces().map((t) => t.id).sort()).toEqual([...traceIds].sort());
    expect(new Set(langfuse.observations().map((o) => o.id))).toEqual(new Set([...first, ...last].map((s) => s.spanContext().spanId)));

    // Every span answered 200 is a row, including those sent just before SIGTERM.
    const db = await PGlite.create(dataDir);
    try {
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM mini_agent_observability.spans');
      expect(rows[0]?.n).toBe(500);
      const tools = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM mini_agent_observability.tool_executions');
      expect(tools.rows[0]?.n).toBe(498);
    } finally {
      await db.close();
    }
  }, 300_000);

  it('a SIGTERM sent twice (to the process and its group, as timeout does) during start-up still stops it cleanly, database intact', async () => {
    const dataDir = join(workDir, 'pglite-double-term');
    let signals = 0;
    const result = await runNode([CLI_BIN, 'serve', '--port', '0', '--data-dir', dataDir, '--no-spool'], {
      cwd: workDir,
      env: cleanEnv(),
      onStdout: (stdout, child) => {
        // The first as soon as it listens (usually while the embedded database is still being
        // created); the second once the first is being handled, so the two cannot merge into one.
        if (signals === 0 && stdout.includes('mini-agent bridge listening on')) {
          signals = 1;
          child.kill('SIGTERM');
        } else if (signals === 1 && stdout.includes('SIGTERM: shutting down')) {
          signals = 2;
          child.kill('SIGTERM');
        }
      },
    });
    expect(signals).toBe(2);
    expect(result.signal).toBeNull();
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('SIGTERM again: already stopping');
    expect(result.stdout).toMatch(/^stopped: 0 spans received/m);
    const db = await PGlite.create(dataDir);
    try {
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM mini_agent_observability.spans');
      expect(rows[0]?.n).toBe(0);
    } finally {
      await db.close();
    }
  }, 300_000);

  it('refuses a port that is not a number with a usage error', async () => {
    const result = await runNode([CLI_BIN, 'serve', '--port', 'http'], { cwd: workDir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--port must be a number');
  });

  it('refuses a --langfuse-transport that names no transport, and lists the flag in its help', async () => {
    const result = await runNode([CLI_BIN, 'serve', '--langfuse-transport', 'udp'], { cwd: workDir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--langfuse-transport must be otlp or ingestion, got "udp"');
    const help = await runNode([CLI_BIN, 'serve', '--help'], { cwd: workDir });
    expect(help.stdout).toContain('--langfuse-transport otlp|ingestion');
  });
});
