import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { migrate } from '@mini-agent/exporter-postgres';
import { createTestDatabase, hasPostgres } from '@mini-agent/test-support';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSessions } from './agent-sessions.js';
import { buildCli, runCli } from './built-cli.js';

// The built CLI against a server and an on-disk PGlite directory: sessions 40 and 10 days old,
// then `prune` as a user runs it. PGlite serves one process at a time, so the test closes its own
// instance while the CLI runs (as `serve` must be stopped before pruning its directory).
const DAY = 86_400_000;
const S = 'mini_agent_observability';
const COUNTS = `SELECT (SELECT count(*) FROM ${S}.traces)::int AS traces, (SELECT count(*) FROM ${S}.spans)::int AS spans,
  (SELECT count(*) FROM ${S}.tool_executions)::int AS tool_executions, (SELECT count(*) FROM ${S}.generations)::int AS generations,
  (SELECT count(*) FROM ${S}.performance_metrics)::int AS performance_metrics`;

interface Target {
  readonly flags: string[];
  /** Runs `work` on an open connection, closed afterwards (PGlite: before the CLI opens it). */
  with<T>(work: (query: (text: string) => Promise<Record<string, unknown>[]>) => Promise<T>): Promise<T>;
  writeSessions(daysAgo: number[]): Promise<void>;
  close(): Promise<void>;
}

const sessionsAt = (daysAgo: number[]) => daysAgo.map((d) => ({
  startedAt: new Date(Date.now() - d * DAY), durationMs: 1_000, memoryPct: [50],
  tools: [{ tool: 'read_file', category: 'file', startMs: 10, durationMs: 20 }],
  llmCalls: [{ model: 'gpt-4o', provider: 'openai', inputTokens: 1, outputTokens: 1, startMs: 40, durationMs: 100 }],
}));

const kinds = [
  {
    name: 'a PostgreSQL server',
    available: hasPostgres(),
    async open(): Promise<Target> {
      const database = await createTestDatabase('cli_prune');
      await migrate(database.url);
      const sql = postgres(database.url, { max: 1, onnotice: () => {} });
      return {
        flags: ['--database-url', database.url],
        with: (work) => work(async (text) => [...(await sql.unsafe(text))]),
        writeSessions: async (days) => void (await writeSessions({ databaseUrl: database.url }, sessionsAt(days))),
        async close() {
          await sql.end();
          await database.drop();
        },
      };
    },
  },
  {
    name: 'PGlite',
    available: true,
    async open(): Promise<Target> {
      const dir = mkdtempSync(join(tmpdir(), 'cli-prune-'));
      const dataDir = join(dir, 'pglite');
      const opened = async <T>(work: (db: PGlite) => Promise<T>): Promise<T> => {
        const db = await PGlite.create(dataDir);
        try {
          return await work(db);
        } finally {
          await db.close();
        }
      };
      await opened((db) => migrate(db));
      return {
        flags: ['--data-dir', dataDir],
        with: (work) => opened((db) => work(async (text) => (await db.query<Record<string, unknown>>(text)).rows)),
        writeSessions: (days) => opened(async (db) => void (await writeSessions({ pglite: db }, sessionsAt(days)))),
        close: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
];

let workDir: string;
beforeAll(async () => {
  await buildCli();
  workDir = mkdtempSync(join(tmpdir(), 'cli-prune-work-'));
}, 600_000);
afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe.each(kinds)('mini-agent-otel prune on $name', ({ available, open }) => {
  let target: Target;
  beforeAll(async () => {
    if (!available) return;
    target = await open();
    await target.writeSessions([40, 40, 10]);
  }, 120_000);
  afterAll(async () => {
    await target?.close();
  });
  const counts = () => target.with(async (query) => (await query(COUNTS))[0]);
  const prune = (args: string[]) => runCli(['prune', ...target.flags, ...args], { cwd: workDir });

  it.skipIf(!available)('without a retention set, says how to set one and deletes nothing', async () => {
    const result = await prune([]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('no retention set: nothing to prune');
    expect(result.stdout).toContain(`UPDATE ${S}.retention SET keep_days = 30 WHERE table_group = 'traces';`);
    expect(await counts()).toEqual({ traces: 3, spans: 9, tool_executions: 3, generations: 3, performance_metrics: 3 });
  });

  it.skipIf(!available)('--dry-run reports what --older-than 30d would delete, per table, and deletes nothing', async () => {
    const result = await prune(['--older-than', '30d', '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ {2}traces\s+2 to delete$/m);
    expect(result.stdout).toMatch(/^ {2}spans\s+6 to delete$/m);
    expect(result.stdout).toMatch(/^ {2}tool_executions\s+2 to delete$/m);
    expect(result.stdout).toContain('14 rows would be deleted; nothing was deleted (dry run)');
    expect(await counts()).toEqual({ traces: 3, spans: 9, tool_executions: 3, generations: 3, performance_metrics: 3 });
  });

  it.skipIf(!available)('--older-than 30d deletes exactly the 40-day-old sessions, batch by batch, and exits 0', async () => {
    const result = await prune(['--older-than', '30d', '--batch-size', '1']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // The first batch also takes the old metric samples by their own time (the same cutoff here).
    expect(result.stdout).toMatch(/^ {2}batch 1: 1 traces, 8 rows deleted so far$/m);
    expect(result.stdout).toMatch(/^ {2}batch 2: 2 traces, 14 rows deleted so far$/m);
    expect(result.stdout).toContain('14 rows deleted in 2 batches');
    expect(await counts()).toEqual({ traces: 1, spans: 3, tool_executions: 1, generations: 1, performance_metrics: 1 });
    const again = await prune(['--older-than', '30d']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0 rows deleted in 0 batches');
  });

  it.skipIf(!available)('follows the retention table when --older-than is not given', async () => {
    await target.with((query) => query(`UPDATE ${S}.retention SET keep_days = 5 WHERE table_group = 'traces'`));
    const result = await prune([]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ {2}traces: before \d{4}-/m);
    expect(await counts()).toEqual({ traces: 0, spans: 0, tool_executions: 0, generations: 0, performance_metrics: 0 });
  });

  it.skipIf(!available)('a bad duration or batch size is a usage error (exit 2) naming the flag', async () => {
    const bad = await prune(['--older-than', '30 days']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--older-than must be a duration like 30s, 15m, 24h or 7d, got '30 days'");
    const zero = await prune(['--older-than', '0d']);
    expect(zero.code).toBe(2);
    const batch = await prune(['--batch-size', '0']);
    expect(batch.code).toBe(2);
    expect(batch.stderr).toContain("--batch-size must be a whole number from 1 to 100000, got '0'");
  });
});
