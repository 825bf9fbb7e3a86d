import { setTimeout as sleep } from 'node:timers/promises';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { freePort, recordSpans } from '@mini-agent/test-support';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, CLI_BIN, cleanEnv, runNode, type ProcessResult } from './built-cli.js';

let workDir: string;
beforeAll(async () => {
  await buildCli();
  workDir = mkdtempSync(join(tmpdir(), 'cli-serve-spool-'));
}, 600_000);
afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

function send(url: string, spans: ReadableSpan[]): Promise<ExportResult> {
  const exporter = new OTLPTraceExporter({ url });
  return new Promise<ExportResult>((resolve) => exporter.export(spans, resolve)).finally(() => exporter.shutdown());
}

/** Runs `serve` until `whenListening` is done with the bridge's URL, then sends SIGTERM. */
async function serveUntil(args: string[], whenListening: (url: string) => Promise<void>, cwd = workDir): Promise<ProcessResult> {
  let steps: Promise<void> | undefined;
  let failure: unknown;
  const result = await runNode([CLI_BIN, 'serve', '--port', '0', '--no-langfuse', ...args], {
    cwd,
    env: cleanEnv(),
    onStdout: (stdout, child) => {
      const url = /^mini-agent bridge listening on (http:\/\/\S+)$/m.exec(stdout)?.[1];
      if (!url || steps) return;
      steps = whenListening(url)
        .catch((error: unknown) => void (failure = error))
        .finally(() => child.kill('SIGTERM'));
    },
  });
  await steps;
  if (failure) throw failure;
  return result;
}

describe('mini-agent-otel serve keeps a durable spool by default', () => {
  it('spans sent while the database is unreachable are answered 200 from the spool, and the next start stores them', async () => {
    const spans = await recordSpans((tracer) => {
      for (let i = 0; i < 20; i++) tracer.startSpan(`spooled ${i}`, { attributes: { 'mini_agent.span.kind': 'tool', 'mini_agent.tool.name': 'grep' } }).end();
    });
    const unreachable = `postgres://postgres@127.0.0.1:${await freePort()}/nowhere`;
    const answers: ExportResult[] = [];
    const first = await serveUntil(['--database-url', unreachable], async (url) => {
      answers.push(await send(url, spans));
    });
    const spoolDir = join(workDir, '.mini-agent', 'spool');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`spool: ${spoolDir}`);
    expect(answers[0]?.code).toBe(0);
    expect(first.stdout).toMatch(/postgres: \d+ bytes spooled, delivered on the next start/);
    expect(readdirSync(join(spoolDir, 'postgres')).some((f) => f.endsWith('.seg'))).toBe(true);

    // The database is back (here: the embedded one); the spool drains into it on start.
    const dataDir = join(workDir, 'pglite');
    const second = await serveUntil(['--data-dir', dataDir], async (url) => {
      // Stop it once it has started: the embedded database created and the sinks ready.
      const ready = new URL('/health/ready', url);
      for (let i = 0; i < 600; i++) {
        if ((await fetch(ready).catch(() => undefined))?.ok) return;
        await sleep(100);
      }
    });
    expect(second, second.stderr).toMatchObject({ code: 0, signal: null });
    expect(second.stdout).not.toMatch(/bytes spooled/);
    const db = await PGlite.create(dataDir);
    try {
      const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM mini_agent_observability.tool_executions WHERE tool_name = 'grep'");
      expect(rows[0]?.n).toBe(20);
    } finally {
      await db.close();
    }
  }, 300_000);

  it('--no-spool turns it off, and contradicting flags are a usage error', async () => {
    // A folder of its own: the first test's spool already exists in workDir, so only a fresh
    // working directory shows whether this run created one.
    const dir = join(workDir, 'no-spool');
    mkdirSync(dir);
    const spans = await recordSpans((tracer) => {
      for (let i = 0; i < 5; i++) tracer.startSpan(`unspooled ${i}`, { attributes: { 'mini_agent.span.kind': 'tool', 'mini_agent.tool.name': 'grep' } }).end();
    });
    // The database is unreachable, so a spool (if there were one) would have to take the spans.
    const unreachable = `postgres://postgres@127.0.0.1:${await freePort()}/nowhere`;
    const answers: ExportResult[] = [];
    const result = await serveUntil(['--no-spool', '--database-url', unreachable], async (url) => {
      answers.push(await send(url, spans));
    }, dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('spool: off');
    expect(answers).toHaveLength(1);
    expect(result.stdout).not.toMatch(/bytes spooled/);
    expect(existsSync(join(dir, '.mini-agent'))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
    const usage = await runNode([CLI_BIN, 'serve', '--no-spool', '--spool-dir', 'x'], { cwd: workDir });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--spool-dir and --no-spool contradict each other');
  }, 120_000);
});
