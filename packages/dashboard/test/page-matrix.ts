// Every page at every time window: registered inside each backend's browser suite, so the matrix
// runs on PGlite and on the PostgreSQL server with one browser and one dataset per backend. Each
// page must answer 200 and show exactly what the analytics functions return for the window the
// page prints — a window the driver cannot send (as "All time" once could not) fails here.
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { HISTOGRAM_BOUNDS_MS, HISTOGRAM_BOUNDS_PARAM } from '../src/queries/rows.js';
import type { DashboardDb } from './backends.js';
import type { SeededDataset } from './dataset.js';
import { hostileMarkupRan, kpiValue, pageWindow, tableValues } from './page-reading.js';

const S = 'mini_agent_observability';

/** What the matrix needs from the suite that registers it (read when its tests run). */
export interface MatrixSuite {
  readonly db: () => DashboardDb;
  readonly data: () => SeededDataset;
  readonly page: () => Page;
  /** Navigates to a path of the dashboard; the HTTP status it answered. */
  readonly open: (path: string) => Promise<number | undefined>;
}

/** The windows: every named range, and an explicit from/to that holds only part of the last hour. */
const RANGES: ReadonlyArray<{ name: string; query: (now: Date) => string }> = [
  ...['1h', '24h', '7d', '30d', 'all'].map((range) => ({ name: range, query: () => `range=${range}` })),
  {
    name: 'custom from/to',
    query: (now: Date) => `from=${new Date(now.getTime() - 32 * 60_000).toISOString()}&to=${new Date(now.getTime() - 12 * 60_000).toISOString()}`,
  },
];

type Window = { since: string; until: string; now: string };
type Check = (suite: MatrixSuite, page: Page, w: Window) => Promise<void>;

const PAGES: ReadonlyArray<{ name: string; path: (data: SeededDataset) => string; check: Check }> = [
  { name: 'overview', path: () => '/', check: checkOverview },
  { name: 'tools', path: () => '/tools', check: checkTools },
  { name: 'a tool', path: () => '/tools/web_search', check: checkTool },
  { name: 'sessions', path: () => '/sessions', check: checkSessions },
  { name: 'a session', path: (data) => `/sessions/${data.traces.fix}`, check: checkSession },
  { name: 'alerts', path: () => '/alerts', check: checkAlerts },
  { name: 'users', path: () => '/users', check: checkUsers },
  { name: 'a user', path: () => '/users/alice', check: checkUser },
];

/** Registers one test per page and window. */
export function registerPageMatrix(suite: MatrixSuite): void {
  for (const target of PAGES) {
    for (const range of RANGES) {
      it(`${target.name} at ${range.name} answers 200 with the analytics functions' figures`, async () => {
        const path = `${target.path(suite.data())}?${range.query(suite.data().now)}`;
        expect(await suite.open(path), path).toBe(200);
        const page = suite.page();
        await target.check(suite, page, await pageWindow(page));
        expect(await hostileMarkupRan(page), path).toBe(false);
      });
    }
  }
}

async function checkOverview(suite: MatrixSuite, page: Page, w: Window): Promise<void> {
  const db = suite.db();
  const [totals] = await db.query<Record<string, number | null>>(`SELECT * FROM ${S}.session_totals($1, $2)`, [w.since, w.until]);
  const tools = await db.query<{ executions: number; errors: number }>(`SELECT * FROM ${S}.tool_stats($1, $2)`, [w.since, w.until]);
  const executions = tools.reduce((n, t) => n + t.executions, 0);
  const errors = tools.reduce((n, t) => n + t.errors, 0);
  // All tools together: percentile_cont up to a day, the hourly rollups' histograms beyond.
  const [{ p95 }] = (await db.query<{ p95: number | null }>(`SELECT p95_ms AS p95 FROM ${S}.tool_totals($1, $2)`, [w.since, w.until])) as [{ p95: number | null }];
  expect(totals!.sessions).toBeGreaterThan(0);
  expect(await kpiValue(page, 'sessions')).toBe(totals!.sessions);
  const failedPct = totals!.failed_pct ?? null;
  expect(await kpiValue(page, 'success_pct')).toBe(failedPct === null ? null : 100 - failedPct);
  expect(await kpiValue(page, 'p95_duration_ms')).toBe(totals!.p95_duration_ms);
  expect(await kpiValue(page, 'error_pct')).toBe(executions > 0 ? (100 * errors) / executions : null);
  expect(await kpiValue(page, 'p95_ms')).toBe(p95);
}

async function checkTools(suite: MatrixSuite, page: Page, w: Window): Promise<void> {
  const expected = await suite.db().query<Record<string, unknown>>(`SELECT * FROM ${S}.tool_stats($1, $2)`, [w.since, w.until]);
  const shown = await tableValues(page, '#tools tbody tr', 'data-key');
  const key = (t: Record<string, unknown>) => `${t.tool_name}|${t.category}`;
  expect(expected.length).toBeGreaterThan(0);
  expect(Object.keys(shown).sort()).toEqual(expected.map(key).sort());
  for (const tool of expected) {
    expect(shown[key(tool)], key(tool)).toEqual({
      executions: tool.executions, errors: tool.errors, error_pct: tool.error_pct, avg_ms: tool.avg_ms,
      p50_ms: tool.p50_ms, p95_ms: tool.p95_ms, max_ms: tool.max_ms,
    });
  }
  // The latency histogram of all calls (read from the rollups' bucket counts over long windows)
  // holds exactly the calls of the window, counted here from the rows themselves.
  const counted = await suite.db().query<{ bucket: number; n: number }>(
    `SELECT width_bucket(duration_ms, $3::float8[]) AS bucket, count(*)::int AS n FROM ${S}.tool_executions
      WHERE started_at >= $1 AND started_at < $2 AND duration_ms IS NOT NULL GROUP BY 1`,
    [w.since, w.until, HISTOGRAM_BOUNDS_PARAM],
  );
  const drawn = JSON.parse(await page.$eval('script#latency-all', (el) => el.textContent ?? '')) as { counts: number[] };
  expect(drawn.counts).toEqual(HISTOGRAM_BOUNDS_MS.concat(0).map((_, i) => counted.find((c) => Number(c.bucket) === i)?.n ?? 0));
}

async function checkTool(suite: MatrixSuite, page: Page, w: Window): Promise<void> {
  const [stats] = await suite.db().query<Record<string, number>>(
    `SELECT * FROM ${S}.tool_stats($1, $2) WHERE tool_name = 'web_search' ORDER BY executions DESC, category`, [w.since, w.until],
  );
  expect(stats, 'web_search ran in every window of the matrix').toBeDefined();
  for (const field of ['executions', 'errors', 'error_pct', 'p50_ms', 'p95_ms', 'max_ms']) {
    expect(await kpiValue(page, field), field).toBe(stats![field]);
  }
}

async function checkSessions(suite: MatrixSuite, page: Page, w: Window): Promise<void> {
  const expected = await suite.db().query<Record<string, unknown>>(`SELECT * FROM ${S}.session_stats($1, $2)`, [w.since, w.until]);
  const shown = await tableValues(page, '#sessions tbody tr', 'data-trace');
  expect(expected.length).toBeGreaterThan(0);
  expect(Object.keys(shown).sort()).toEqual(expected.map((s) => s.trace_id as string).sort());
  for (const s of expected) {
    expect(shown[s.trace_id as string], String(s.name)).toEqual({ duration_ms: s.duration_ms, tool_count: s.tool_count, failed_tools: s.failed_tools });
  }
  expect(await page.getAttribute('#matching', 'data-value')).toBe(String(expected.length));
}

async function checkSession(suite: MatrixSuite, page: Page): Promise<void> {
  const traceId = suite.data().traces.fix!;
  const [stats] = await suite.db().query<Record<string, number>>(
    `SELECT s.* FROM ${S}.traces t
       CROSS JOIN LATERAL ${S}.session_stats(t.started_at, t.started_at + interval '1 microsecond') s
      WHERE t.id = $1 AND s.trace_id = t.id`,
    [traceId],
  );
  expect(Number(await page.getAttribute('dd[data-field="duration_ms"]', 'data-value'))).toBe(stats!.duration_ms);
  expect(Number(await page.getAttribute('dd[data-field="tool_count"]', 'data-value'))).toBe(stats!.tool_count);
}

async function checkAlerts(suite: MatrixSuite, page: Page, w: Window): Promise<void> {
  const expected = await suite.db().query<{ rule_name: string; value: number | null; firing: boolean }>(
    `SELECT rule_name, value, firing FROM ${S}.alert_status(NULL, $1)`, [w.now],
  );
  const shown = await page.$$eval('section.rule tbody tr', (rows) =>
    rows.map((row) => {
      const v = row.querySelector('[data-field="value"]')!.getAttribute('data-value');
      return { rule_name: row.getAttribute('data-rule')!, value: v === '' || v === null ? null : Number(v), firing: row.classList.contains('firing') };
    }),
  );
  expect(shown).toEqual(expected);
  expect(await page.getAttribute('#alert-summary', 'data-firing')).toBe(String(expected.filter((e) => e.firing).length));
}

/** `user_stats` as the pages' cells carry it. */
const userFigures = (u: Record<string, unknown>) => ({
  sessions: Number(u.sessions), failed_sessions: Number(u.failed_sessions), failed_pct: u.failed_pct === null ? null : Number(u.failed_pct),
  tool_calls: Number(u.tool_calls), total_tokens: Number(u.total_tokens), cost_usd: Number(u.cost_usd),
});
/** user_stats with each user's spend (cost_by_user; 0 for a user without priced calls). */
const USERS_WITH_SPEND = `SELECT u.*, coalesce(c.cost_usd, 0)::float8 AS cost_usd FROM ${S}.user_stats($1, $2) u LEFT JOIN ${S}.cost_by_user($1, $2) c ON c.user_id = u.user_id`;

async function checkUsers(suite: MatrixSuite, page: Page, w: Window): Promise<void> {
  const expected = await suite.db().query<Record<string, unknown>>(USERS_WITH_SPEND, [w.since, w.until]);
  const shown = await tableValues(page, '#users tbody tr', 'data-user');
  expect(expected.length).toBeGreaterThan(0);
  expect(Object.keys(shown).sort()).toEqual(expected.map((u) => u.user_id as string).sort());
  for (const u of expected) expect(shown[u.user_id as string], String(u.user_id)).toEqual(userFigures(u));
  const tools = await page.$$eval('#users tbody tr', (rows) => Object.fromEntries(rows.map((r) => [r.getAttribute('data-user'), [...r.querySelectorAll('a[href^="/tools/"]')].map((a) => a.textContent)])));
  for (const u of expected) expect(tools[u.user_id as string]).toEqual(u.tools_used);
}

async function checkUser(suite: MatrixSuite, page: Page, w: Window): Promise<void> {
  const [stats] = await suite.db().query<Record<string, unknown>>(`SELECT * FROM (${USERS_WITH_SPEND}) s WHERE user_id = 'alice'`, [w.since, w.until]);
  expect(stats, 'alice ran in every window of the matrix').toBeDefined();
  const figures = userFigures(stats!);
  for (const [field, value] of Object.entries(figures)) expect(await kpiValue(page, field), field).toBe(value);
  const sessions = await suite.db().query<{ trace_id: string }>(`SELECT trace_id FROM ${S}.session_stats($1, $2) WHERE user_id = 'alice'`, [w.since, w.until]);
  const listed = await page.$$eval('#sessions tbody tr', (rows) => rows.map((r) => r.getAttribute('data-trace')));
  expect(listed.sort()).toEqual(sessions.map((s) => s.trace_id).sort());
}
