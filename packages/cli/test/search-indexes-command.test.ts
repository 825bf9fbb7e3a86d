// `search-indexes`: the dashboard search's trigram indexes, built and dropped from the CLI on a
// real PostgreSQL server; refused, with the reason, for the embedded PGlite database.
import { tmpdir } from 'node:os';
import { createTestDatabase, hasPostgres, type TestDatabase } from '@mini-agent/test-support';
import { migrate } from '@mini-agent/exporter-postgres';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, runCli as runBuiltCli } from './built-cli.js';

const runCli = (args: readonly string[]) => runBuiltCli(args, { cwd: tmpdir() });

beforeAll(async () => {
  await buildCli();
}, 600_000);

describe.runIf(hasPostgres())('mini-agent-otel search-indexes', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('search_indexes_cli');
    await migrate(database.url);
  });
  afterAll(async () => {
    await database?.drop();
  });

  const indexes = async () => {
    const sql = postgres(database.url, { max: 1, onnotice: () => {} });
    try {
      return (await sql`SELECT indexname FROM pg_indexes WHERE indexname LIKE '%search_idx' ORDER BY 1`).map((r) => r.indexname as string);
    } finally {
      await sql.end();
    }
  };

  it('builds the three indexes, idempotently, and drops them with --drop', async () => {
    const built = await runCli(['search-indexes', '--database-url', database.url]);
    expect(built.stderr).toBe('');
    expect(built.code).toBe(0);
    expect(built.stdout).toContain('in place: generations_search_idx, tool_executions_search_idx, traces_search_idx');
    expect(await indexes()).toEqual(['generations_search_idx', 'tool_executions_search_idx', 'traces_search_idx']);
    expect((await runCli(['search-indexes', '--database-url', database.url])).code).toBe(0);

    const dropped = await runCli(['search-indexes', '--database-url', database.url, '--drop']);
    expect(dropped.code).toBe(0);
    expect(dropped.stdout).toContain('no search index in place');
    expect(await indexes()).toEqual([]);
  });
});

describe('mini-agent-otel search-indexes on the embedded database', () => {
  it('says PGlite gets no index and exits with a usage error', async () => {
    const result = await runCli(['search-indexes', '--data-dir', 'does-not-matter']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('the embedded PGlite database gets no search index');
  });
});
