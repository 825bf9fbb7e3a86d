// mini_agent_writer on a Supabase-shaped server: a writer without CREATE privileges migrates
// nothing, says exactly what it lacks when it would have to, and loses no row meanwhile.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeliveryError, DeliveryPipeline } from '@mini-agent/core';
import { findPostgresBinaries, startSupabaseProject, type SupabaseProject } from '@mini-agent/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresSink, listMigrations, migrate } from '../src/index.js';
import { newTraceId, partialTrace, toolRecord } from './records.js';

const WRITER = 'mini_agent_writer';
const PASSWORD = 'writer-pass-7c1f';

describe.runIf(findPostgresBinaries() !== null)('mini_agent_writer on a Supabase-shaped server', () => {
  let project: SupabaseProject;
  let spoolDir: string;
  const writerUrl = (database = 'postgres') => {
    const url = new URL(project.urlAs(WRITER));
    url.password = PASSWORD;
    url.pathname = `/${database}`;
    return url.toString();
  };

  beforeAll(async () => {
    project = (await startSupabaseProject()) as SupabaseProject;
    spoolDir = mkdtempSync(join(tmpdir(), 'writer-spool-'));
    await migrate(project.urlAs('postgres'), { supabase: true });
    await project.owner(`ALTER ROLE ${WRITER} WITH LOGIN PASSWORD '${PASSWORD}'`);
  }, 300_000);
  afterAll(async () => {
    await project?.stop();
    if (spoolDir) rmSync(spoolDir, { recursive: true, force: true });
  });

  it('has no CREATE anywhere and no BYPASSRLS, and is a member of service_role', async () => {
    const [row] = await project.owner(
      `SELECT has_database_privilege($1, current_database(), 'CREATE') AS db_create,
              has_schema_privilege($1, 'mini_agent_observability', 'CREATE') AS schema_create,
              has_schema_privilege($1, 'public', 'CREATE') AS public_create,
              (SELECT rolbypassrls FROM pg_roles WHERE rolname = $1) AS bypassrls,
              pg_has_role($1, 'service_role', 'USAGE') AS service_role`,
      [WRITER],
    );
    expect(row).toEqual({ db_create: false, schema_create: false, public_create: false, bypassrls: false, service_role: true });
  });

  it('migrates a fully migrated database as a no-op: that needs only SELECT on schema_migrations', async () => {
    const result = await migrate(writerUrl(), { supabase: true });
    expect(result.applied).toEqual([]);
    expect(result.alreadyApplied).toEqual(listMigrations().map((file) => file.name));
  });

  it('on a database never migrated, fails once, naming the missing privilege and what is pending, password masked', async () => {
    await project.admin('CREATE DATABASE fresh');
    const failure = await migrate(writerUrl('fresh'), { supabase: true }).then(() => undefined, (error: unknown) => error);
    expect(failure).toBeInstanceOf(DeliveryError);
    const message = (failure as Error).message;
    expect(message).toMatch(/^postgres: could not migrate postgres:\/\/mini_agent_writer:\*\*\*@127\.0\.0\.1:\d+\/fresh: user "mini_agent_writer" lacks CREATE on database fresh/);
    expect(message).toContain('migrations are not applied (001_core_schema.sql,');
    expect(message).toContain('mini-agent-otel migrate --supabase');
    expect(message).toContain('--no-migrate');
    expect(message).not.toContain(PASSWORD);
    expect(message).not.toContain('\n');
  });

  it('as a sink with a migration pending: ready names the privilege, the rows wait in the spool, and land once the owner migrates', async () => {
    // A migration the writer would have to apply: its record is gone, as after an upgrade.
    await project.owner("DELETE FROM mini_agent_observability.schema_migrations WHERE name = '010_analytics.sql'");
    const sink = createPostgresSink({ databaseUrl: writerUrl(), supabase: true });
    const pipeline = new DeliveryPipeline(sink, { spoolDir, retry: { initialDelayMs: 50, maxDelayMs: 200 } });
    const traceId = newTraceId();
    try {
      const notReady = await sink.ready.then(() => undefined, (error: unknown) => error as DeliveryError);
      expect(notReady?.message).toMatch(/user "mini_agent_writer" lacks ownership of table \S*tool_executions/);
      expect(notReady?.message).toContain('1 migration is not applied (010_analytics.sql)');
      expect(notReady).toMatchObject({ retryable: true, reason: 'insufficient_privilege' });

      await pipeline.submit([partialTrace(traceId), toolRecord(traceId, { toolName: 'grep' })]);
      const waiting = pipeline.stats();
      expect(waiting).toMatchObject({ delivered: 0, spooled: 2, dropped: {}, rejected: {} });
      expect(waiting.lastError).toContain('lacks ownership of table');

      await migrate(project.urlAs('postgres'), { supabase: true });
      expect(await pipeline.flush(10_000)).toBe(true);
      expect(pipeline.stats()).toMatchObject({ delivered: 2, dropped: {}, rejected: {} });
      const rows = await project.owner('SELECT tool_name FROM mini_agent_observability.tool_executions WHERE trace_id = $1', [traceId]);
      expect(rows).toEqual([{ tool_name: 'grep' }]);
    } finally {
      await pipeline.shutdown();
      await sink.shutdown();
    }
  });

  it('with migrate: false on a database that is not migrated, says so instead of failing each INSERT', async () => {
    const sink = createPostgresSink({ databaseUrl: writerUrl('fresh'), migrate: false });
    try {
      const failure = await sink.ready.then(() => undefined, (error: unknown) => error as DeliveryError);
      expect(failure?.message).toMatch(/could not check the schema of .*\/fresh: the schema is not migrated: \d+ migrations are not applied \(001_core_schema\.sql/);
      expect(failure).toMatchObject({ retryable: true, reason: 'not_migrated' });
    } finally {
      await sink.shutdown();
    }
  });
});
