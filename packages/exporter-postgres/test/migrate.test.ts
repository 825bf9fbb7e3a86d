import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeliveryError } from '@mini-agent/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EARLIER_REVISIONS } from '../src/earlier-revisions.js';
import { findSqlDir, isSupabaseFile, listMigrations, migrate } from '../src/index.js';
import { BACKENDS, type TestDb } from './backends.js';

const repoFiles = listMigrations().map((f) => f.name);
const coreFiles = repoFiles.filter((name) => !isSupabaseFile(name));
const supabaseFiles = repoFiles.filter(isSupabaseFile);

const TABLES = ['decisions', 'generations', 'performance_metrics', 'schema_migrations', 'spans', 'tool_executions', 'traces'];

async function tablesOf(db: TestDb): Promise<string[]> {
  const rows = await db.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'mini_agent_observability' AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  return rows.map((r) => String(r.table_name));
}

async function recorded(db: TestDb): Promise<{ name: string; checksum: string }[]> {
  return (await db.query('SELECT name, checksum FROM mini_agent_observability.schema_migrations ORDER BY name')) as {
    name: string;
    checksum: string;
  }[];
}

/** A folder holding the core schema only, that a test may add files to (the later files are slow on PGlite). */
function coreSqlDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mini-agent-sql-'));
  cpSync(join(findSqlDir(), '001_core_schema.sql'), join(dir, '001_core_schema.sql'));
  return dir;
}

describe('the migration files', () => {
  it('start with the core schema and apply in file-name order', () => {
    expect(repoFiles[0]).toBe('001_core_schema.sql');
    expect([...repoFiles].sort()).toEqual(repoFiles);
  });

  it('knows the earlier revisions by the checksums those revisions really had', () => {
    // Each listed checksum is of a revision of the file in the repository's history, never of the current one.
    for (const [name, checksums] of Object.entries(EARLIER_REVISIONS)) {
      expect(repoFiles).toContain(name);
      expect(checksums).not.toContain(listMigrations().find((f) => f.name === name)?.checksum);
    }
  });

  it('are shipped inside the package by the build step', () => {
    // The build copies sql/ next to the package; without a build, the repository's folder is used.
    expect(readFileSync(join(findSqlDir(), '001_core_schema.sql'), 'utf8')).toContain('CREATE SCHEMA IF NOT EXISTS mini_agent_observability');
  });
});

for (const backend of BACKENDS) {
  describe.runIf(backend.available)(`migrate() on ${backend.name}`, () => {
    let db: TestDb;
    const dirs: string[] = [];
    beforeEach(async () => {
      db = await backend.create();
    });
    afterEach(async () => {
      await db.close();
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    });

    it('creates every table on an empty database and records each file with its checksum', async () => {
      const result = await migrate(db.target);
      expect(result).toMatchObject({ applied: coreFiles, alreadyApplied: [], skipped: supabaseFiles, changed: [] });
      expect(await tablesOf(db)).toEqual(expect.arrayContaining(TABLES));
      const sha = (name: string) => createHash('sha256').update(readFileSync(join(findSqlDir(), name), 'utf8')).digest('hex');
      expect(await recorded(db)).toEqual(coreFiles.map((name) => ({ name, checksum: sha(name) })));
    });

    it('does nothing on a database already at the latest version', async () => {
      await migrate(db.target);
      await db.query(`INSERT INTO mini_agent_observability.traces (id) VALUES ('0af7651916cd43dd8448eb211c80319c')`);
      const again = await migrate(db.target);
      expect(again).toMatchObject({ applied: [], alreadyApplied: coreFiles, changed: [] });
      expect(await recorded(db)).toHaveLength(coreFiles.length);
      expect(await db.query('SELECT id FROM mini_agent_observability.traces')).toHaveLength(1);
    });

    it('applies only the files added since the last run', async () => {
      const dir = coreSqlDir();
      dirs.push(dir);
      await migrate(db.target, { sqlDir: dir });
      writeFileSync(join(dir, '900_tool_owner.sql'), 'ALTER TABLE mini_agent_observability.tool_executions ADD COLUMN owner text;');
      const result = await migrate(db.target, { sqlDir: dir });
      expect(result).toMatchObject({ applied: ['900_tool_owner.sql'], alreadyApplied: ['001_core_schema.sql'] });
      const [column] = await db.query(
        `SELECT data_type FROM information_schema.columns WHERE table_name = 'tool_executions' AND column_name = 'owner'`,
      );
      expect(column?.data_type).toBe('text');
    });

    it('applies the Supabase layer only when asked', async () => {
      await migrate(db.target);
      const withSupabase = await migrate(db.target, { supabase: true });
      expect(withSupabase).toMatchObject({ applied: supabaseFiles, alreadyApplied: coreFiles, skipped: [] });
      expect((await recorded(db)).map((r) => r.name)).toEqual(repoFiles);
    });

    it('upgrading a Supabase database brings the columns added since to its public views, which still run as the caller', async () => {
      // A database migrated before 030 existed, Supabase layer included: its views froze the columns of then.
      const dir = mkdtempSync(join(tmpdir(), 'mini-agent-sql-'));
      dirs.push(dir);
      for (const name of repoFiles.filter((n) => n < '030')) cpSync(join(findSqlDir(), name), join(dir, name));
      await migrate(db.target, { sqlDir: dir, supabase: true });
      const publicColumns = async () =>
        db.query(
          `SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name IN ('mini_agent_generations', 'mini_agent_tool_executions')
              AND column_name IN ('call_id', 'tool_type', 'cache_creation_tokens') ORDER BY 1, 2`,
        );
      expect(await publicColumns()).toEqual([]);

      expect((await migrate(db.target, { supabase: true })).applied).toContain('030_genai_columns.sql');
      expect(await publicColumns()).toEqual([
        { table_name: 'mini_agent_generations', column_name: 'cache_creation_tokens' },
        { table_name: 'mini_agent_tool_executions', column_name: 'call_id' },
        { table_name: 'mini_agent_tool_executions', column_name: 'tool_type' },
      ]);
      const views = await db.query(
        `SELECT c.relname, c.reloptions, has_table_privilege('authenticated', c.oid, 'SELECT') AS readable,
                has_table_privilege('anon', c.oid, 'SELECT') AS anon_readable
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND c.relname IN ('mini_agent_generations', 'mini_agent_tool_executions') ORDER BY 1`,
      );
      expect(views).toEqual([
        { relname: 'mini_agent_generations', reloptions: ['security_invoker=true'], readable: true, anon_readable: false },
        { relname: 'mini_agent_tool_executions', reloptions: ['security_invoker=true'], readable: true, anon_readable: false },
      ]);
    });

    it('adopts a database whose tables were created by running the files by hand', async () => {
      for (const file of listMigrations().filter((f) => !isSupabaseFile(f.name))) {
        if (typeof db.target === 'string') await db.query(file.sql);
        else await db.target.exec(file.sql);
      }
      const result = await migrate(db.target);
      expect(result.applied).toEqual(coreFiles);
      expect(await recorded(db)).toHaveLength(coreFiles.length);
    });

    it('refuses to run over a file changed after it was applied, naming it and both checksums, and applies nothing', async () => {
      const dir = coreSqlDir();
      dirs.push(dir);
      await migrate(db.target, { sqlDir: dir });
      const applied = createHash('sha256').update(readFileSync(join(dir, '001_core_schema.sql'))).digest('hex');
      writeFileSync(join(dir, '001_core_schema.sql'), `${readFileSync(join(dir, '001_core_schema.sql'), 'utf8')}\n-- edited\n`);
      const now = createHash('sha256').update(readFileSync(join(dir, '001_core_schema.sql'))).digest('hex');
      writeFileSync(join(dir, '002_more.sql'), 'CREATE TABLE mini_agent_observability.more (id text PRIMARY KEY);');

      const error = await migrate(db.target, { sqlDir: dir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DeliveryError);
      const message = (error as DeliveryError).message;
      expect(message).toContain(`001_core_schema.sql (applied with checksum ${applied}, the file now has ${now})`);
      expect(message).toContain('--allow-changed');
      // Refused before anything ran: the pending file is not applied.
      expect(await tablesOf(db)).not.toContain('more');

      const result = await migrate(db.target, { sqlDir: dir, allowChanged: true });
      expect(result).toMatchObject({ changed: ['001_core_schema.sql'], applied: ['002_more.sql'], earlierRevisions: [] });
      expect(await recorded(db)).toContainEqual({ name: '001_core_schema.sql', checksum: applied });
    });

    it('accepts a released file applied in one of its known earlier revisions, without running it again', async () => {
      const dir = coreSqlDir();
      dirs.push(dir);
      cpSync(join(findSqlDir(), '010_analytics.sql'), join(dir, '010_analytics.sql'));
      await migrate(db.target, { sqlDir: dir });
      // 010 was edited in place before migrations became immutable; a database migrated then holds that checksum.
      const [earliest] = EARLIER_REVISIONS['010_analytics.sql'] as [string];
      await db.query(`UPDATE mini_agent_observability.schema_migrations SET checksum = $1 WHERE name = '010_analytics.sql'`, [earliest]);
      const result = await migrate(db.target, { sqlDir: dir });
      expect(result).toMatchObject({ applied: [], changed: [], earlierRevisions: ['010_analytics.sql'], alreadyApplied: ['001_core_schema.sql'] });
      expect(await recorded(db)).toContainEqual({ name: '010_analytics.sql', checksum: earliest });
    });


    it('stops at a broken file, naming it, keeps the files before it, and applies it once fixed', async () => {
      const dir = coreSqlDir();
      dirs.push(dir);
      writeFileSync(join(dir, '900_broken.sql'), 'CREATE TABLE mini_agent_observability.extra (id text PRIMARY KEY);\nSELEC 1;');
      const error = await migrate(db.target, { sqlDir: dir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DeliveryError);
      expect((error as DeliveryError).retryable).toBe(false);
      expect((error as DeliveryError).message).toMatch(/^postgres: could not migrate .*: 900_broken\.sql: syntax error/);
      expect((error as DeliveryError).message).not.toContain('\n');
      // The broken file's transaction was rolled back: its first statement left nothing behind.
      expect(await tablesOf(db)).not.toContain('extra');
      expect((await recorded(db)).map((r) => r.name)).toEqual(['001_core_schema.sql']);

      writeFileSync(join(dir, '900_broken.sql'), 'CREATE TABLE mini_agent_observability.extra (id text PRIMARY KEY);');
      expect((await migrate(db.target, { sqlDir: dir })).applied).toEqual(['900_broken.sql']);
    });

    it('lets several processes migrate at once: each file runs exactly once', async () => {
      const results = await Promise.all([1, 2, 3, 4].map(() => migrate(db.target)));
      const applied = results.flatMap((r) => r.applied).sort();
      expect(applied).toEqual([...coreFiles].sort());
      for (const r of results) expect([...r.applied, ...r.alreadyApplied].sort()).toEqual([...coreFiles].sort());
      expect(await recorded(db)).toHaveLength(coreFiles.length);
    });
  });
}
