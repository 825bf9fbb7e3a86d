import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, freePort, hasPostgres } from '@mini-agent/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSessions, AGENT_NAME, type SessionRun } from './agent-sessions.js';
import { asJson, CLI_DATABASES, type CliDatabase } from './analytics-databases.js';
import { buildCli, runCli } from './built-cli.js';

// One past hour of agent work with numbers chosen so every figure is known in advance:
//   web_search (mcp): 20 runs of 100, 200, … 2000 ms, 2 failed "rate limited"
//                      → p50 1050, p95 1905 (percentile_cont: 5 % of the way from 1900 to 2000), error 10 %
//   read_file (file):  10 runs of 10, 20, … 100 ms, 1 failed "ENOENT"  → p50 55, p95 95.5
//   5 sessions of 10, 20, 30, 40, 50 s, the last one failed → 20 % failed, p50 30 s, p95 48 s
//   4 LLM calls of gpt-4o, 100 in / 20 out tokens each, 500–800 ms → p50 650, p95 785
//   memory samples 40, 55.5, 61, 79 %
const HOUR = new Date('2026-03-02T10:00:00.000Z');
const WINDOW = ['--since', '2026-03-02T10:00:00Z', '--until', '2026-03-02T11:00:00Z'];
const at = (ms: number) => new Date(HOUR.getTime() + ms);

function pastHour(): SessionRun[] {
  const webSearch = Array.from({ length: 20 }, (_, i) => ({
    tool: 'web_search', category: 'mcp', durationMs: (i + 1) * 100, ...(i === 3 || i === 17 ? { error: 'rate limited' } : {}),
  }));
  const readFile = Array.from({ length: 10 }, (_, i) => ({
    tool: 'read_file', category: 'file', durationMs: (i + 1) * 10, ...(i === 4 ? { error: "ENOENT: no such file or directory, open 'notes.md'" } : {}),
  }));
  const calls = [...webSearch, ...readFile];
  const memory = [40, 55.5, 61, 79];
  return Array.from({ length: 5 }, (_, s) => ({
    startedAt: at(s * 5 * 60_000),
    durationMs: (s + 1) * 10_000,
    failed: s === 4,
    tools: calls.filter((_, i) => i % 5 === s).map((call, j) => ({ ...call, startMs: 100 + j * 10 })),
    llmCalls: s < 4 ? [{ model: 'gpt-4o', provider: 'openai', inputTokens: 100, outputTokens: 20, startMs: 50, durationMs: 500 + s * 100 }] : [],
    memoryPct: s < 4 ? [memory[s]!] : [],
  }));
}

let workDir: string;
beforeAll(async () => {
  await buildCli();
  workDir = mkdtempSync(join(tmpdir(), 'cli-report-'));
}, 600_000);
afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const report = (db: CliDatabase, args: string[]) => runCli(['report', ...db.flags, ...args], { cwd: workDir });

/** The lines of one section of the table output, header first. */
function section(stdout: string, title: string): string[] {
  const start = stdout.split('\n').indexOf(`${title}:`);
  if (start < 0) throw new Error(`no section '${title}' in:\n${stdout}`);
  const lines = stdout.split('\n').slice(start + 1);
  const end = lines.findIndex((line) => line === '');
  return end < 0 ? lines : lines.slice(0, end);
}

describe.each(CLI_DATABASES)('mini-agent-otel report on $name', ({ available, open }) => {
  let db: CliDatabase;
  let traceIds: string[];

  beforeAll(async () => {
    if (!available) return;
    db = await open();
    traceIds = await writeSessions(db.sink, pastHour());
    // One more run two hours ago, for the windows given as durations.
    await writeSessions(db.sink, [
      { startedAt: new Date(Date.now() - 2 * 3_600_000), durationMs: 1_000, tools: [{ tool: 'recent_tool', category: 'core', startMs: 10, durationMs: 42 }] },
    ]);
  }, 120_000);
  afterAll(async () => {
    await db?.close();
  });

  it.skipIf(!available)('--format json carries the SQL functions’ own numbers, with the figures the dataset was built for', async () => {
    const result = await report(db, [...WINDOW, '--format', 'json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);

    const sql = async (text: string) => (await db.query(text, ['2026-03-02T10:00:00Z', '2026-03-02T11:00:00Z'])).map(asJson);
    const fn = 'mini_agent_observability';
    expect(json.window).toEqual({ since: '2026-03-02T10:00:00.000Z', until: '2026-03-02T11:00:00.000Z' });
    expect(json.tools).toEqual(await sql(`SELECT * FROM ${fn}.tool_stats($1, $2) ORDER BY executions DESC, tool_name`));
    expect(json.categories).toEqual(await sql(`SELECT * FROM ${fn}.category_stats($1, $2) ORDER BY executions DESC, category`));
    expect([json.sessionTotals]).toEqual(await sql(`SELECT * FROM ${fn}.session_totals($1, $2)`));
    expect(json.sessions).toEqual(await sql(`SELECT * FROM ${fn}.session_stats($1, $2) ORDER BY started_at DESC`));
    expect(json.topErrors).toEqual(await sql(`SELECT * FROM ${fn}.top_errors($1, $2)`));
    expect(json.models).toEqual(await sql(`SELECT * FROM ${fn}.model_usage($1, $2)`));
    expect(json.metrics).toEqual(await sql(`SELECT * FROM ${fn}.metric_stats($1, $2)`));

    // …and those are the numbers the dataset was built to have.
    expect(json.tools.map((t: Record<string, unknown>) => [t.toolName, t.category, t.executions, t.errors, t.errorPct, t.p50Ms, t.p95Ms, t.maxMs])).toEqual([
      ['web_search', 'mcp', 20, 2, 10, 1050, expect.closeTo(1905, 9), 2000],
      ['read_file', 'file', 10, 1, 10, 55, expect.closeTo(95.5, 9), 100],
    ]);
    expect(json.sessionTotals).toEqual({
      sessions: 5, completeSessions: 5, failedSessions: 1, failedPct: 20, p50DurationMs: 30_000, p95DurationMs: expect.closeTo(48_000, 6), maxDurationMs: 50_000,
    });
    expect(json.sessions.map((s: Record<string, unknown>) => s.traceId)).toEqual([...traceIds].reverse());
    expect(json.sessions[0]).toMatchObject({ agentName: AGENT_NAME, failed: true, complete: true, durationMs: 50_000, toolCount: 6, failedTools: 1 });
    expect(json.topErrors.map((e: Record<string, unknown>) => [e.errorMessage, e.occurrences, e.toolNames])).toEqual([
      ['rate limited', 2, ['web_search']],
      ["ENOENT: no such file or directory, open 'notes.md'", 1, ['read_file']],
    ]);
    expect(json.models).toEqual([
      expect.objectContaining({ model: 'gpt-4o', provider: 'openai', generations: 4, inputTokens: 400, outputTokens: 80, totalTokens: 480, p50Ms: 650, p95Ms: expect.closeTo(785, 9) }),
    ]);
    expect(json.metrics).toEqual([expect.objectContaining({ metricType: 'memory', unit: '%', samples: 4, maxValue: 79 })]);
  });

  it.skipIf(!available)('the table format prints each section in aligned columns, numbers to one decimal', async () => {
    const result = await report(db, WINDOW);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^mini-agent-otel report: 2026-03-02 10:00:00Z to 2026-03-02 11:00:00Z$/m);

    const tools = section(result.stdout, 'Tools');
    expect(tools).toHaveLength(3);
    expect(tools[0]).toMatch(/^ {2}TOOL\s+CATEGORY\s+RUNS\s+ERRORS\s+ERROR %\s+AVG MS\s+P50 MS\s+P95 MS\s+MAX MS$/);
    expect(tools[1]).toMatch(/^ {2}web_search\s+mcp\s+20\s+2\s+10\.0\s+1050\.0\s+1050\.0\s+1905\.0\s+2000\.0$/);
    expect(tools[2]).toMatch(/^ {2}read_file\s+file\s+10\s+1\s+10\.0\s+55\.0\s+55\.0\s+95\.5\s+100\.0$/);
    // Aligned: every number ends under the end of its header.
    const end = (line: string, text: string) => line.indexOf(text) + text.length;
    expect(end(tools[1]!, '1905.0')).toBe(end(tools[0]!, 'P95 MS'));
    expect(end(tools[2]!, '95.5')).toBe(end(tools[0]!, 'P95 MS'));
    expect(end(tools[2]!, '10.0')).toBe(end(tools[0]!, 'ERROR %'));

    expect(section(result.stdout, 'Tool categories')[1]).toMatch(/^ {2}mcp\s+20\s+2\s+10\.0\s+1050\.0\s+1050\.0\s+1905\.0\s+2000\.0$/);
    expect(section(result.stdout, 'Sessions')[1]).toMatch(/^\s+5\s+5\s+1\s+20\.0\s+30\.0 s\s+48\.0 s\s+50\.0 s$/);
    const runs = section(result.stdout, 'Session runs');
    expect(runs).toHaveLength(6);
    expect(runs[1]).toMatch(new RegExp(`^ {2}2026-03-02 10:20:00Z\\s+${traceIds[4]!.slice(0, 16)}\\s+${AGENT_NAME}\\s+FAILED\\s+50\\.0 s\\s+6\\s+1\\s+-$`));
    expect(runs[5]).toMatch(new RegExp(`^ {2}2026-03-02 10:00:00Z\\s+${traceIds[0]!.slice(0, 16)}\\s+${AGENT_NAME}\\s+ok\\s+10\\.0 s\\s+6\\s+0\\s+40\\.0$`));
    const errors = section(result.stdout, 'Top errors');
    expect(errors[1]).toMatch(/^\s+2\s+web_search\s+2026-03-02 10:\d\d:\d\dZ\s+rate limited$/);
    expect(errors[2]).toMatch(/^\s+1\s+read_file\s+.*ENOENT: no such file or directory, open 'notes\.md'$/);
    expect(section(result.stdout, 'Models')[1]).toMatch(/^ {2}gpt-4o\s+openai\s+4\s+0\s+400\s+80\s+480\s+650\.0\s+785\.0$/);
    expect(section(result.stdout, 'Resources')[1]).toMatch(/^ {2}memory\s+%\s+4\s+58\.9\s+58\.3\s+76\.3\s+79\.0$/);
  });

  it.skipIf(!available)('the markdown format is tables to paste into an issue', async () => {
    const result = await report(db, [...WINDOW, '--format', 'markdown']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const md = result.stdout;
    expect(md).toMatch(/^## mini-agent-otel report\n\nWindow: 2026-03-02 10:00:00Z to 2026-03-02 11:00:00Z\./);
    expect(md).toContain(
      [
        '### Tools',
        '',
        '| tool | category | runs | errors | error % | avg ms | p50 ms | p95 ms | max ms |',
        '|---|---|---:|---:|---:|---:|---:|---:|---:|',
        '| web_search | mcp | 20 | 2 | 10.0 | 1050.0 | 1050.0 | 1905.0 | 2000.0 |',
        '| read_file | file | 10 | 1 | 10.0 | 55.0 | 55.0 | 95.5 | 100.0 |',
      ].join('\n'),
    );
    expect(md).toContain('| 5 | 5 | 1 | 20.0 | 30.0 s | 48.0 s | 50.0 s |');
    // Whole trace ids here, to look a session up.
    expect(md).toContain(`| ${traceIds[4]} | ${AGENT_NAME} | FAILED | 50.0 s | 6 | 1 | - |`);
    expect(md).toContain("| 1 | read_file |");
    expect(md).toContain('| gpt-4o | openai | 4 | 0 | 400 | 80 | 480 | 650.0 | 785.0 |');
    for (const title of ['Tools', 'Tool categories', 'Sessions', 'Session runs', 'Top errors', 'Models', 'Resources']) expect(md).toContain(`\n### ${title}\n`);
  });

  it.skipIf(!available)('--limit keeps the newest session runs and says how many there are', async () => {
    const result = await report(db, [...WINDOW, '--limit', '2', '--format', 'json']);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.sessions.map((s: Record<string, unknown>) => s.traceId)).toEqual([traceIds[4], traceIds[3]]);
    expect(json.sessionTotals.sessions).toBe(5);
    expect(json.topErrors).toHaveLength(2);

    const table = await report(db, [...WINDOW, '--limit', '2']);
    expect(table.stdout).toContain('Session runs (the 2 newest of 5 runs; --limit to list more):');
  });

  it.skipIf(!available)('windows given as durations count back from now; the default is the last 24 hours', async () => {
    const lastDay = JSON.parse((await report(db, ['--format', 'json'])).stdout);
    expect(lastDay.tools.map((t: Record<string, unknown>) => [t.toolName, t.executions, t.p95Ms])).toEqual([['recent_tool', 1, 42]]);
    expect(Date.parse(lastDay.window.until) - Date.parse(lastDay.window.since)).toBe(24 * 3_600_000);

    expect(JSON.parse((await report(db, ['--since', '3h', '--format', 'json'])).stdout).tools).toHaveLength(1);
    const lastHour = await report(db, ['--since', '1h']);
    expect(lastHour.code).toBe(0);
    expect(section(lastHour.stdout, 'Tools')).toEqual(['  No tool executions in this window.']);
    expect(section(lastHour.stdout, 'Sessions')[1]).toMatch(/^\s+0\s+0\s+0\s+-\s+-\s+-\s+-$/);
  });
});

describe('mini-agent-otel report: what it refuses', () => {
  beforeAll(async () => {
    await buildCli();
  }, 600_000);

  it.each([
    [['--format', 'xml'], "mini-agent-otel report: --format must be one of table, json, markdown, got 'xml'"],
    [['--since', 'yesterday'], "mini-agent-otel report: --since must be a duration like 15m, 24h or 7d, or an ISO time like 2026-03-01T00:00:00Z, got 'yesterday'"],
    [['--since', '24'], "mini-agent-otel report: --since must be a duration like 15m, 24h or 7d, or an ISO time like 2026-03-01T00:00:00Z, got '24'"],
    [['--since', '2026-03-02', '--until', '2026-03-01'], 'mini-agent-otel report: --since (2026-03-02T00:00:00.000Z) must be before --until (2026-03-01T00:00:00.000Z)'],
    [['--limit', '0'], "mini-agent-otel report: --limit must be a whole number from 1 to 100000, got '0'"],
    [['--sinse', '1h'], "mini-agent-otel report: Unknown option '--sinse'. See: mini-agent-otel report --help"],
  ])('%j is a usage error (exit 2) that says what is wrong', async (args, message) => {
    const result = await runCli(['report', ...args, '--data-dir', join(workDir, 'never-opened')], { cwd: workDir });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(message);
    expect(result.stdout).toBe('');
  });

  it('a data directory with nothing recorded in it is a failure (exit 1) that says what to do', async () => {
    const dataDir = join(workDir, 'empty');
    const result = await runCli(['report', '--data-dir', dataDir], { cwd: workDir });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      `mini-agent-otel report: no database in ${dataDir}: nothing has been recorded there yet (run mini-agent-otel migrate, or name your database with --database-url or --data-dir)`,
    );
  });

  it('an unreachable server is one line with the password masked', async () => {
    const url = `postgres://agent:s3cret-pw@127.0.0.1:${await freePort()}/obs`;
    const result = await runCli(['report', '--database-url', url], { cwd: workDir });
    expect(result.code).toBe(1);
    expect(result.stderr).not.toContain('s3cret-pw');
    expect(result.stderr.trim()).toMatch(/^mini-agent-otel report: cannot read postgres:\/\/agent:\*\*\*@127\.0\.0\.1:\d+\/obs: .*ECONNREFUSED/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it.skipIf(!hasPostgres())('a database that was never migrated says to run migrate', async () => {
    const database = await createTestDatabase('cli_unmigrated');
    try {
      const result = await runCli(['report', '--database-url', database.url], { cwd: workDir });
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toMatch(/^mini-agent-otel report: the analytics functions are not in postgres:\/\/.*: run mini-agent-otel migrate first$/);
    } finally {
      await database.drop();
    }
  });
});
