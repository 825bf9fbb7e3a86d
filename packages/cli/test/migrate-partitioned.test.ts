// `migrate --partitioned`: the big tables laid out as time partitions from the CLI, then pruned.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, runCli } from './built-cli.js';

let workDir: string;

beforeAll(async () => {
  await buildCli();
  workDir = mkdtempSync(join(tmpdir(), 'cli-partitioned-test-'));
}, 600_000);
afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('mini-agent-otel migrate --partitioned', () => {
  it('converts a database with rows, says the layout of each table, and prune drops the old partitions', async () => {
    const dataDir = join(workDir, 'pglite');
    expect((await runCli(['migrate', '--data-dir', dataDir], { cwd: workDir })).code).toBe(0);
    const db = await PGlite.create(dataDir);
    try {
      await db.exec(`
        INSERT INTO mini_agent_observability.traces (id, started_at, ended_at) VALUES
          ('old', now() - interval '20 days', now() - interval '20 days'), ('new', now(), now());
        INSERT INTO mini_agent_observability.tool_executions (id, trace_id, name, tool_name, category, success, started_at, ended_at, duration_ms)
          VALUES ('a', 'old', 'x', 'read_file', 'file', true, now() - interval '20 days', now() - interval '20 days', 5),
                 ('a', 'new', 'x', 'read_file', 'file', true, now(), now(), 5);`);
    } finally {
      await db.close();
    }

    const converted = await runCli(['migrate', '--data-dir', dataDir, '--partitioned', 'week'], { cwd: workDir });
    expect(converted.stderr).toBe('');
    expect(converted.code).toBe(0);
    expect(converted.stdout).toMatch(/ {2}tool_executions: \d+ partitions by week of started_at\n/);
    expect(converted.stdout).toMatch(/ {2}decisions: \d+ partitions by week of decided_at\n/);

    const pruned = await runCli(['prune', '--data-dir', dataDir, '--older-than', '10d'], { cwd: workDir });
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toMatch(/2 rows deleted in 1 batch and \d+ whole partitions? dropped/);
    const after = await PGlite.create(dataDir);
    try {
      const { rows } = await after.query('SELECT trace_id FROM mini_agent_observability.tool_executions');
      expect(rows).toEqual([{ trace_id: 'new' }]);
    } finally {
      await after.close();
    }
  }, 300_000);

  it('refuses a grain it does not know with exit code 2', async () => {
    const month = await runCli(['migrate', '--data-dir', join(workDir, 'x'), '--partitioned', 'month'], { cwd: workDir });
    expect(month.code).toBe(2);
    expect(month.stderr).toBe("mini-agent-otel migrate: --partitioned must be day or week, got 'month'\n");
  }, 300_000);
});
