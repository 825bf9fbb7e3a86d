// `migrate --tenancy`: the Supabase layer's per-user isolation, switched on and off from the CLI.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, runCli } from './built-cli.js';

let workDir: string;

beforeAll(async () => {
  await buildCli();
  workDir = mkdtempSync(join(tmpdir(), 'cli-tenancy-test-'));
}, 600_000);
afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('mini-agent-otel migrate --tenancy', () => {
  it('records the tenancy, says which is in force, and keeps it when not given', async () => {
    const dataDir = join(workDir, 'pglite');
    const user = await runCli(['migrate', '--data-dir', dataDir, '--supabase', '--tenancy', 'user'], { cwd: workDir });
    expect(user.stderr).toBe('');
    expect(user.code).toBe(0);
    expect(user.stdout).toContain('applied  033_supabase_readers.sql');
    expect(user.stdout).toContain('tenancy: user (a reader reads only their own sessions; admins read all)');
    expect(user.stdout).toContain('  note: signed-in users no longer read telemetry unless they are readers. Add each reader once: INSERT INTO mini_agent_observability.readers');

    const kept = await runCli(['migrate', '--data-dir', dataDir, '--supabase'], { cwd: workDir });
    expect(kept.code).toBe(0);
    expect(kept.stdout).toContain('up to date');
    expect(kept.stdout).toContain('tenancy: user');

    const project = await runCli(['migrate', '--data-dir', dataDir, '--supabase', '--tenancy', 'project'], { cwd: workDir });
    expect(project.code).toBe(0);
    expect(project.stdout).toContain('tenancy: project (every reader reads every session)');
    const db = await PGlite.create(dataDir);
    try {
      const { rows } = await db.query('SELECT tenancy FROM mini_agent_observability.access_settings');
      expect(rows).toEqual([{ tenancy: 'project' }]);
    } finally {
      await db.close();
    }
  }, 300_000);

  it('refuses a tenancy it does not know, and a tenancy without the Supabase layer, with exit code 2', async () => {
    const bogus = await runCli(['migrate', '--data-dir', join(workDir, 'x'), '--supabase', '--tenancy', 'team'], { cwd: workDir });
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toBe("mini-agent-otel migrate: --tenancy must be project or user, got 'team'\n");
    const alone = await runCli(['migrate', '--data-dir', join(workDir, 'x'), '--tenancy', 'user'], { cwd: workDir });
    expect(alone.code).toBe(2);
    expect(alone.stderr).toBe('mini-agent-otel migrate: --tenancy applies to the Supabase layer: add --supabase\n');
  }, 300_000);
});
