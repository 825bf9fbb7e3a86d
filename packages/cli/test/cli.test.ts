import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { createTestDatabase, freePort, hasPostgres, type TestDatabase } from '@mini-agent/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, cleanEnv, runCli } from './built-cli.js';

const CATEGORIES = ['core', 'file', 'mcp', 'document', 'skill'];
let workDir: string;

beforeAll(async () => {
  await buildCli();
  workDir = mkdtempSync(join(tmpdir(), 'cli-test-'));
}, 600_000);
afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** The trace id the demo printed. */
function traceIdOf(stdout: string): string {
  const id = /What landed for trace ([0-9a-f]{32})/.exec(stdout)?.[1];
  if (!id) throw new Error(`no trace id in demo output:\n${stdout}`);
  return id;
}

/** Checks what every demo run must print: rows per table, all five categories, the failure. */
function expectDemoReport(stdout: string): void {
  expect(stdout).toContain('Running a simulated agent session:');
  expect(stdout).toMatch(/tool_executions\s+8\n/);
  expect(stdout).toMatch(/traces\s+1\n/);
  expect(stdout).toMatch(/generations\s+1\n/);
  expect(stdout).toMatch(/decisions\s+2\n/);
  for (const category of CATEGORIES) expect(stdout).toMatch(new RegExp(`^  ${category}\\s+\\S+\\s+[\\d.]+ ms  (ok|FAILED)$`, 'm'));
  expect(stdout).toMatch(/^ {2}file\s+write_file\s+[\d.]+ ms {2}FAILED$/m);
  expect(stdout).toContain("The failure:\n  write_file (file): EACCES: permission denied, open 'src/generated/math.ts'");
  expect(stdout).toContain('LLM call: demo-model-small, 812 input / 64 output tokens');
}

describe('mini-agent-otel demo', () => {
  it('with no database configured, the session lands in an embedded PGlite database and the rows are printed', async () => {
    const dataDir = join(workDir, 'pglite-demo');
    const result = await runCli(['demo', '--data-dir', dataDir], { cwd: workDir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Database: PGlite at ${dataDir}`);
    expectDemoReport(result.stdout);

    // Read the rows back independently of the CLI.
    const db = await PGlite.create(dataDir);
    try {
      const traceId = traceIdOf(result.stdout);
      const { rows } = await db.query<{ category: string; success: boolean }>(
        'SELECT DISTINCT category, success FROM mini_agent_observability.tool_executions WHERE trace_id = $1 ORDER BY 1, 2',
        [traceId],
      );
      expect(rows.filter((r) => r.success).map((r) => r.category).sort()).toEqual([...CATEGORIES].sort());
      expect(rows.filter((r) => !r.success)).toEqual([{ category: 'file', success: false }]);
    } finally {
      await db.close();
    }
  }, 240_000);

  describe.skipIf(!hasPostgres())('on a PostgreSQL server', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createTestDatabase('cli');
    });
    afterAll(async () => db?.drop());

    it('DATABASE_URL sends the demo session to the server, where every table has its rows', async () => {
      const result = await runCli(['demo'], { cwd: workDir, env: cleanEnv({ DATABASE_URL: db.url }) });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expectDemoReport(result.stdout);

      const sql = postgres(db.url, { max: 1, onnotice: () => {} });
      try {
        const traceId = traceIdOf(result.stdout);
        const [trace] = await sql`SELECT name, status, agent_name, user_id, complete FROM mini_agent_observability.traces WHERE id = ${traceId}`;
        expect({ ...trace }).toEqual({ name: 'fix the failing rounding test', status: 'ok', agent_name: 'demo-coding-agent', user_id: 'demo-user', complete: true });
        const metrics = await sql`SELECT DISTINCT metric_type FROM mini_agent_observability.performance_metrics WHERE trace_id = ${traceId} ORDER BY 1`;
        expect(metrics.map((m) => m.metric_type)).toEqual(['cpu', 'memory', 'tokens']);
      } finally {
        await sql.end();
      }
    }, 120_000);

    it('--database-url wins over DATABASE_URL, and migrate applies the schema once: the second run changes nothing', async () => {
      const fresh = await createTestDatabase('cli_migrate');
      try {
        const first = await runCli(['migrate', '--database-url', fresh.url], { cwd: workDir, env: cleanEnv({ DATABASE_URL: db.url }) });
        expect(first.stderr).toBe('');
        expect(first.code).toBe(0);
        expect(first.stdout).toContain(`Migrating postgres://postgres@127.0.0.1`);
        expect(first.stdout).toContain('  applied  001_core_schema.sql');
        expect(first.stdout).toMatch(/not applied \(Supabase layer; add --supabase\): .*supabase/);

        const second = await runCli(['migrate', '--database-url', fresh.url], { cwd: workDir });
        expect(second.code).toBe(0);
        expect(second.stdout).not.toContain('applied  ');
        expect(second.stdout).toMatch(/up to date \(\d+ migrations already applied\)/);

        const supabase = await runCli(['migrate', '--database-url', fresh.url, '--supabase'], { cwd: workDir });
        expect(supabase.code).toBe(0);
        expect(supabase.stdout).toMatch(/applied {2}\S*supabase\S*\.sql/);
      } finally {
        await fresh.drop();
      }
    }, 120_000);
  });

  describe('when the database cannot be reached', () => {
    it.each([['demo'], ['migrate']])('%s prints one line naming the URL with its password masked, and exits 1', async (command) => {
      const url = `postgres://agent:hunter2-secret@127.0.0.1:${await freePort()}/observability`;
      const result = await runCli([command, '--database-url', url], { cwd: workDir });
      expect(result.code).toBe(1);
      const lines = result.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^mini-agent-otel ${command}: cannot reach postgres://agent:\\*\\*\\*@127\\.0\\.0\\.1:\\d+/observability: .*ECONNREFUSED`));
      expect(result.stdout + result.stderr).not.toContain('hunter2');
      expect(result.stderr).not.toMatch(/^\s+at /m);
    }, 60_000);
  });
});

describe('mini-agent-otel as a command line', () => {
  it('--help lists the commands, each command has its own help, --version prints the version', async () => {
    const help = await runCli(['--help'], { cwd: workDir });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^ {2}demo\s+Run a simulated agent session/m);
    expect(help.stdout).toMatch(/^ {2}migrate\s+Create or update the tables/m);

    const demoHelp = await runCli(['demo', '--help'], { cwd: workDir });
    expect(demoHelp.stdout).toContain('Usage: mini-agent-otel demo [--database-url URL | --data-dir DIR]');
    const migrateHelp = await runCli(['help', 'migrate'], { cwd: workDir });
    expect(migrateHelp.stdout).toContain('--supabase');

    const version = await runCli(['--version'], { cwd: workDir });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  }, 60_000);

  it('a wrong command line exits 2 with a hint, never a stack trace', async () => {
    const unknownOption = await runCli(['demo', '--databse-url', 'x'], { cwd: workDir });
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr.trim()).toBe("mini-agent-otel demo: Unknown option '--databse-url'. See: mini-agent-otel demo --help");

    const unknownCommand = await runCli(['deploy'], { cwd: workDir });
    expect(unknownCommand.code).toBe(2);
    expect(unknownCommand.stderr).toContain("unknown command 'deploy'");

    const both = await runCli(['migrate', '--database-url', 'postgres://x@h/db', '--data-dir', 'd'], { cwd: workDir });
    expect(both.code).toBe(2);
    expect(both.stderr.trim().split('\n')).toHaveLength(1);
  }, 60_000);
});
