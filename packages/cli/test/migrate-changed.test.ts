// `migrate` over a migration that changed after it was applied: refused, unless --allow-changed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { listMigrations } from '@mini-agent/exporter-postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, runCli } from './built-cli.js';

let workDir: string;

beforeAll(async () => {
  await buildCli();
  workDir = mkdtempSync(join(tmpdir(), 'cli-changed-test-'));
}, 600_000);
afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** Records another checksum for a file, as a database migrated from an edited checkout would hold. */
async function recordChecksum(dataDir: string, name: string, checksum: string): Promise<void> {
  const db = await PGlite.create(dataDir);
  try {
    await db.query('UPDATE mini_agent_observability.schema_migrations SET checksum = $1 WHERE name = $2', [checksum, name]);
  } finally {
    await db.close();
  }
}

describe('mini-agent-otel migrate over a changed migration', () => {
  it('refuses, naming the file and both checksums; --allow-changed goes on; a known earlier revision passes', async () => {
    const dataDir = join(workDir, 'pglite');
    expect((await runCli(['migrate', '--data-dir', dataDir], { cwd: workDir })).code).toBe(0);
    const current = listMigrations().find((f) => f.name === '011_alerts.sql')?.checksum as string;

    const edited = 'e'.repeat(64);
    await recordChecksum(dataDir, '011_alerts.sql', edited);
    const refused = await runCli(['migrate', '--data-dir', dataDir], { cwd: workDir });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`011_alerts.sql (applied with checksum ${edited}, the file now has ${current})`);
    expect(refused.stderr).toContain('--allow-changed');
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);

    const allowed = await runCli(['migrate', '--data-dir', dataDir, '--allow-changed'], { cwd: workDir });
    expect(allowed.code).toBe(0);
    expect(allowed.stderr).toBe('warning: 011_alerts.sql changed since it was applied; it is not applied again (--allow-changed)\n');

    // Applied before 011 was edited in place (a released revision): accepted without a refusal.
    await recordChecksum(dataDir, '011_alerts.sql', '4fb74fa12ccc202de656701657253855b6ddec71af65c00e13eff19e47dd0be8');
    const earlier = await runCli(['migrate', '--data-dir', dataDir], { cwd: workDir });
    expect(earlier.stderr).toBe('');
    expect(earlier.code).toBe(0);
    expect(earlier.stdout).toContain('note: 011_alerts.sql was applied in an earlier released revision; kept as applied');
  }, 300_000);
});
