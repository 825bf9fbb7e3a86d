// The bridge and the demo as mini_agent_writer, the least-privilege role of the Supabase layer, on
// a database set up the way Supabase sets one up: through the built CLI, as a user runs it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPostgresBinaries, recordSpans, startSupabaseProject, type SupabaseProject } from '@mini-agent/test-support';
import { migrate } from '@mini-agent/exporter-postgres';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, CLI_BIN, cleanEnv, runCli, runNode } from './built-cli.js';

const PASSWORD = 'writer-secret-91b2';

function sessionSpans(tag: string): Promise<ReadableSpan[]> {
  return recordSpans((tracer) => {
    tracer.startActiveSpan(`${tag} session`, (root) => {
      root.setAttribute('mini_agent.span.kind', 'session');
      tracer.startSpan(`${tag} tool`, { attributes: { 'mini_agent.span.kind': 'tool', 'mini_agent.tool.name': `${tag}_tool` } }).end();
      root.end();
    });
  });
}

function send(url: string, spans: ReadableSpan[]): Promise<ExportResult> {
  const exporter = new OTLPTraceExporter({ url });
  return new Promise<ExportResult>((resolve) => exporter.export(spans, resolve)).finally(() => exporter.shutdown());
}

describe.runIf(findPostgresBinaries() !== null)('serve and demo as mini_agent_writer', () => {
  let project: SupabaseProject;
  let workDir: string;
  let writerUrl: string;

  beforeAll(async () => {
    await buildCli();
    project = (await startSupabaseProject()) as SupabaseProject;
    workDir = mkdtempSync(join(tmpdir(), 'cli-writer-test-'));
    await migrate(project.urlAs('postgres'), { supabase: true });
    await project.owner(`ALTER ROLE mini_agent_writer WITH LOGIN PASSWORD '${PASSWORD}'`);
    const url = new URL(project.urlAs('mini_agent_writer'));
    url.password = PASSWORD;
    writerUrl = url.toString();
  }, 600_000);
  afterAll(async () => {
    await project?.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('serve without --no-migrate, with a migration pending the writer may not apply, stops at start with one clear error', async () => {
    // As after an upgrade that ships a migration: the owner has not applied it yet.
    await project.owner("DELETE FROM mini_agent_observability.schema_migrations WHERE name = '010_analytics.sql'");
    try {
      const result = await runCli(['serve', '--port', '0', '--database-url', writerUrl, '--spool-dir', join(workDir, 'spool-refused')], {
        cwd: workDir,
        env: cleanEnv(),
      });
      expect(result.code).toBe(1);
      expect(result.stdout).not.toContain('sinks ready');
      expect(result.stdout).toMatch(/^stopped: 0 spans received/m);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^mini-agent-otel serve: could not migrate postgres:\/\/mini_agent_writer:\*\*\*@127\.0\.0\.1:\d+\/postgres: user "mini_agent_writer" lacks ownership of table \S*tool_executions/);
      expect(lines[0]).toContain('1 migration is not applied (010_analytics.sql)');
      expect(lines[0]).toContain('--no-migrate');
      expect(result.stderr).not.toContain(PASSWORD);
    } finally {
      await migrate(project.urlAs('postgres'), { supabase: true });
    }
  }, 300_000);

  it('serve --no-migrate stores what an OTLP exporter sends, and MINI_AGENT_MIGRATE=false does the same', async () => {
    for (const [tag, args, env] of [
      ['flag', ['--no-migrate'], {}],
      ['env', [], { MINI_AGENT_MIGRATE: 'false' }],
    ] as const) {
      const spans = await sessionSpans(tag);
      let answer: ExportResult | undefined;
      let steps: Promise<void> | undefined;
      const result = await runNode([CLI_BIN, 'serve', '--port', '0', '--database-url', writerUrl, '--no-spool', ...args], {
        cwd: workDir,
        env: cleanEnv(env),
        onStdout: (stdout, child) => {
          const url = /^mini-agent bridge listening on (http:\/\/\S+)$/m.exec(stdout)?.[1];
          if (!url || steps || !stdout.includes('sinks ready')) return;
          steps = send(url, spans).then((r) => void (answer = r)).finally(() => child.kill('SIGTERM'));
        },
      });
      await steps;
      expect(result.stderr, tag).toBe('');
      expect(result.code, tag).toBe(0);
      expect(answer?.code, tag).toBe(0);
      expect(result.stdout, tag).toMatch(/stopped: 2 spans received, 2 exported, 0 failed/);
      const rows = await project.owner('SELECT tool_name, success FROM mini_agent_observability.tool_executions WHERE tool_name = $1', [`${tag}_tool`]);
      expect(rows, tag).toEqual([{ tool_name: `${tag}_tool`, success: true }]);
      const [trace] = await project.owner<{ complete: boolean }>('SELECT complete FROM mini_agent_observability.traces WHERE name = $1', [`${tag} session`]);
      expect(trace, tag).toEqual({ complete: true });
    }
  }, 300_000);

  it('demo --no-migrate runs its session as the writer and reads back what landed', async () => {
    const result = await runCli(['demo', '--no-migrate', '--no-spool', '--database-url', writerUrl], { cwd: workDir, env: cleanEnv() });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Checking the tables are migrated (--no-migrate)...');
    expect(result.stdout).toMatch(/What landed for trace [0-9a-f]{32}:/);
  }, 300_000);
});
