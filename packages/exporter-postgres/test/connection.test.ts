import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, hasPostgres } from '@mini-agent/test-support';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { createPostgresSink, DEFAULT_PGLITE_DIR, maskDatabaseUrl } from '../src/index.js';
import { labelOf, resolveConnection } from '../src/connection.js';
import { newTraceId, spanRecord, toolRecord } from './records.js';
import { startStatementNamesProxy } from './statement-names-proxy.js';

describe('choosing the database', () => {
  const env = { DATABASE_URL: 'postgres://env@db:5432/a', SUPABASE_DB_URL: 'postgres://supabase@db:5432/b' };

  it('uses the embedded PGlite at .mini-agent/pglite when no URL is configured anywhere', () => {
    expect(resolveConnection({}, {})).toEqual({ kind: 'pglite', dataDir: DEFAULT_PGLITE_DIR });
    expect(DEFAULT_PGLITE_DIR).toBe('.mini-agent/pglite');
  });

  it('takes DATABASE_URL, then SUPABASE_DB_URL, from the environment', () => {
    expect(resolveConnection({}, env)).toMatchObject({ kind: 'url', url: env.DATABASE_URL });
    expect(resolveConnection({}, { SUPABASE_DB_URL: env.SUPABASE_DB_URL })).toMatchObject({ kind: 'url', url: env.SUPABASE_DB_URL });
  });

  it('lets explicit options win over the environment', () => {
    expect(resolveConnection({ databaseUrl: 'postgres://opt@h/c' }, env)).toMatchObject({ url: 'postgres://opt@h/c' });
    expect(resolveConnection({ dataDir: 'memory://' }, env)).toEqual({ kind: 'pglite', dataDir: 'memory://' });
  });

  it('turns prepared statements off for the Supabase transaction pooler (port 6543), on elsewhere', () => {
    expect(resolveConnection({ databaseUrl: 'postgres://postgres.ref:pw@aws-0-eu.pooler.supabase.com:6543/postgres' })).toMatchObject({ prepare: false });
    expect(resolveConnection({ databaseUrl: 'postgres://u@h:6432/db?pgbouncer=true' })).toMatchObject({ prepare: false });
    expect(resolveConnection({ databaseUrl: 'postgres://postgres.ref:pw@aws-0-eu.pooler.supabase.com:5432/postgres' })).toMatchObject({ prepare: true });
    expect(resolveConnection({ databaseUrl: 'postgres://u@h:6543/db', prepare: true })).toMatchObject({ prepare: true });
  });

  it('never prints a password', () => {
    expect(maskDatabaseUrl('postgres://app:s3cr%40t@db.example.com:5432/prod?sslmode=require')).toBe(
      'postgres://app:***@db.example.com:5432/prod?sslmode=require',
    );
    expect(maskDatabaseUrl('postgres://app@db/prod?password=s3cret')).toBe('postgres://app@db/prod?password=***');
    expect(maskDatabaseUrl('postgres://app:s3cret@h1:5432,h2:5433/prod')).toBe('postgres://app:***@h1:5432,h2:5433/prod');
    expect(labelOf(resolveConnection({ databaseUrl: 'postgres://app:s3cret@db/prod' }))).toBe('postgres://app:***@db/prod');
    expect(maskDatabaseUrl('postgres://app@db/prod')).toBe('postgres://app@db/prod');
  });
});

describe.runIf(hasPostgres())('talking to a server without prepared statements, as behind a transaction pooler', () => {
  /** Writes three batches through a proxy that reads the wire; returns the Parse names and the stored span count. */
  async function writeThroughProxy(prepare: boolean | undefined): Promise<{ names: string[]; stored: number }> {
    const database = await createTestDatabase('exporter_pg');
    const proxy = await startStatementNamesProxy(database.url);
    const traceId = newTraceId();
    const sink = createPostgresSink({ databaseUrl: proxy.url, ...(prepare === undefined ? {} : { prepare }) });
    try {
      for (let i = 0; i < 3; i++) await sink.write([spanRecord(traceId), toolRecord(traceId)]);
      await sink.shutdown();
      const sql = postgres(database.url, { max: 1, onnotice: () => {} });
      try {
        const [row] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM mini_agent_observability.spans WHERE trace_id = ${traceId}`;
        return { names: [...proxy.parsedNames], stored: row?.n ?? 0 };
      } finally {
        await sql.end();
      }
    } finally {
      await sink.shutdown();
      await proxy.close();
      await database.drop();
    }
  }

  it('writes batch after batch with prepare: false, sending only unnamed statements', async () => {
    const { names, stored } = await writeThroughProxy(false);
    expect(stored).toBe(3);
    // The writes do go through the extended protocol (parameters), just never under a name.
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((name) => name !== '')).toEqual([]);
  });

  it('names its statements when prepare is on (the proxy does see them)', async () => {
    const { names, stored } = await writeThroughProxy(undefined);
    expect(stored).toBe(3);
    expect(names.some((name) => name !== '')).toBe(true);
  });
});

describe('the embedded default on disk', () => {
  it('creates the database in its data directory, shares it within the process, and finds the rows after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mini-agent-pglite-'));
    const dataDir = join(dir, 'nested', 'pglite');
    try {
      const traceId = newTraceId();
      // Two writers on one directory (say, an exporter and the bridge) must share one PGlite: two would corrupt it.
      const first = createPostgresSink({ dataDir });
      const second = createPostgresSink({ dataDir });
      expect(first.target).toBe(`PGlite at ${dataDir}`);
      await first.write([spanRecord(traceId, { name: 'from the first sink' })]);
      await first.shutdown();
      // The first one leaving does not close the database under the second.
      await second.write([spanRecord(traceId, { name: 'from the second sink' })]);
      await second.shutdown();

      const { PGlite } = await import('@electric-sql/pglite');
      const reopened = await PGlite.create(dataDir);
      try {
        const { rows } = await reopened.query<{ name: string }>(
          'SELECT name FROM mini_agent_observability.spans WHERE trace_id = $1 ORDER BY name',
          [traceId],
        );
        expect(rows).toEqual([{ name: 'from the first sink' }, { name: 'from the second sink' }]);
      } finally {
        await reopened.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // initdb in WebAssembly writing to disk: seconds alone, much longer on a busy machine.
  }, 180_000);
});
