import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type Dashboard } from '../src/index.js';
import { BACKENDS, type DashboardDb } from './backends.js';
import { browserForSuite, screenshot, watchedPage, type TestBrowser, type WatchedPage } from './browser.js';
import { useBrowserSuite } from './browser-suite.js';
import { CHAIN_NAME, type SeededDataset } from './dataset.js';
import { registerPageMatrix } from './page-matrix.js';
import { hostileMarkupRan, kpiValue, pageWindow, tableValues } from './page-reading.js';

const S = 'mini_agent_observability';
const { browser, failure } = await browserForSuite('dashboard browser tests');
afterAll(async () => {
  await browser?.close();
});

describe.runIf(failure !== undefined)('the browser for the dashboard tests', () => {
  it('starts (required in CI)', () => {
    throw new Error(failure);
  });
});

for (const backend of BACKENDS) {
  describe.runIf(browser !== undefined && backend.available)(`the dashboard in Chromium on ${backend.name}`, () => {
    const tag = backend.name === 'PGlite' ? 'pglite' : 'postgres';
    const suite = useBrowserSuite(backend, () => browser as TestBrowser);
    const { open } = suite;
    let db: DashboardDb;
    let dashboard: Dashboard;
    let data: SeededDataset;
    let page: Page;
    beforeAll(() => {
      ({ db, dashboard, data, page } = suite.current());
    });

    it('the overview shows the figures of session_totals, tool_stats and firing_alerts', async () => {
      await open('/');
      const w = await pageWindow(page);
      const [totals] = await db.query<Record<string, number | null>>(`SELECT * FROM ${S}.session_totals($1, $2)`, [w.since, w.until]);
      const tools = await db.query<{ executions: number; errors: number }>(`SELECT * FROM ${S}.tool_stats($1, $2)`, [w.since, w.until]);
      const executions = tools.reduce((n, t) => n + t.executions, 0);
      const errors = tools.reduce((n, t) => n + t.errors, 0);

      expect(totals).toMatchObject({ sessions: 11, complete_sessions: 10, failed_sessions: 3 });
      expect(await kpiValue(page, 'sessions')).toBe(totals!.sessions);
      expect(await kpiValue(page, 'success_pct')).toBe(100 - totals!.failed_pct!);
      expect(await kpiValue(page, 'p95_duration_ms')).toBe(totals!.p95_duration_ms);
      expect(await kpiValue(page, 'error_pct')).toBe((100 * errors) / executions);
      expect(await page.textContent('.kpi[data-field="success_pct"] .kpi-value')).toBe('70 %');
      expect(await page.textContent('.kpi[data-field="error_pct"] .kpi-note')).toBe(`${errors} of ${executions} calls`);
      const [{ p95 }] = (await db.query<{ p95: number }>(
        `SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95 FROM ${S}.tool_executions WHERE started_at >= $1 AND started_at < $2`,
        [w.since, w.until],
      )) as [{ p95: number }];
      expect(await kpiValue(page, 'p95_ms')).toBe(p95);
      // What retention is set (the seeded database keeps everything).
      expect(await page.textContent('#retention')).toBe('Retention: none set: every row is kept (mini_agent_observability.retention; mini-agent-otel prune)');

      const firing = await db.query<{ rule_name: string; subject: string | null; value: number; threshold: number }>(
        `SELECT rule_name, subject, value, threshold FROM ${S}.firing_alerts(NULL, $1)`, [w.now],
      );
      expect(firing.map((f) => f.rule_name).sort()).toEqual(['error_rate', 'failed_sessions', 'memory_use', 'tool_latency']);
      const shown = await page.$$eval('#firing-alerts tbody tr', (rows) =>
        rows.map((row) => ({
          rule_name: row.getAttribute('data-rule'),
          subject: row.getAttribute('data-subject') || null,
          value: Number(row.querySelector('[data-field="value"]')!.getAttribute('data-value')),
          threshold: Number(row.querySelector('[data-field="threshold"]')!.getAttribute('data-value')),
        })),
      );
      expect(shown).toEqual(firing);
      // uPlot drew the sessions-over-time chart.
      expect(await page.locator('[data-chart="sessions-over-time"] canvas').count()).toBe(1);
      await screenshot(page, `${tag}-overview`);
    });

    it('the tools page lists tool_stats and category_stats, sorts by any column, and draws the histograms', async () => {
      await open('/tools');
      const w = await pageWindow(page);
      const expected = await db.query<Record<string, unknown>>(`SELECT * FROM ${S}.tool_stats($1, $2)`, [w.since, w.until]);
      // tool_stats has one row per tool and category; the page keys its rows the same way.
      const shown = await tableValues(page, '#tools tbody tr', 'data-key');
      const key = (t: Record<string, unknown>) => `${t.tool_name}|${t.category}`;
      expect(Object.keys(shown).sort()).toEqual(expected.map(key).sort());
      for (const tool of expected) {
        expect(shown[key(tool)], key(tool)).toEqual({
          executions: tool.executions, errors: tool.errors, error_pct: tool.error_pct, avg_ms: tool.avg_ms,
          p50_ms: tool.p50_ms, p95_ms: tool.p95_ms, max_ms: tool.max_ms,
        });
      }
      const categories = await db.query<Record<string, unknown>>(`SELECT * FROM ${S}.category_stats($1, $2)`, [w.since, w.until]);
      const shownCategories = await tableValues(page, '#categories tbody tr', 'data-category');
      for (const c of categories) {
        expect(shownCategories[c.category as string]).toEqual({
          executions: c.executions, errors: c.errors, error_pct: c.error_pct, p50_ms: c.p50_ms, p95_ms: c.p95_ms, max_ms: c.max_ms,
        });
      }
      expect(await page.locator('[data-chart="latency-all"] canvas').count()).toBe(1);
      expect(await page.locator('#tools .chart-spark canvas').count()).toBe(expected.length);
      await screenshot(page, `${tag}-tools`);

      await page.click('#tools th >> text=p95');
      const byP95 = await page.$$eval('#tools tbody tr', (rows) => rows.map((r) => r.getAttribute('data-tool')));
      expect(byP95).toEqual([...expected].sort((a, b) => (b.p95_ms as number) - (a.p95_ms as number)).map((t) => t.tool_name));
      expect(page.url()).toContain('sort=p95_ms');
      await page.click('#tools th >> text=p95');
      const ascending = await page.$$eval('#tools tbody tr', (rows) => rows.map((r) => r.getAttribute('data-tool')));
      expect(ascending).toEqual([...byP95].reverse());
    });

    it('a failing tool leads to the session that failed and opens the failed span', async () => {
      await open('/tools');
      await page.click('#tools tr[data-tool="write_file"] a[href^="/tools/"]');
      await page.waitForURL(/\/tools\/write_file/);
      expect(await kpiValue(page, 'errors')).toBe(1);
      await screenshot(page, `${tag}-tool-write_file`);
      const failure = page.locator('#failures tbody tr');
      expect(await failure.count()).toBe(1);
      expect(await failure.textContent()).toContain('EACCES: permission denied');

      await failure.locator('a.span-link').click();
      await page.waitForURL(new RegExp(`/sessions/${data.failedWrite.traceId}#span-${data.failedWrite.spanId}$`));
      const span = page.locator(`#span-${data.failedWrite.spanId}`);
      await expect.poll(() => span.evaluate((el) => (el as HTMLDetailsElement).open)).toBe(true);
      expect(await span.getAttribute('class')).toContain('targeted');
      expect(await span.getAttribute('data-kind')).toBe('tool');
      expect(await span.locator('.wf-body').innerText()).toContain("EACCES: permission denied, open 'src/generated/parser.ts'");
      expect(await span.locator('.wf-body').innerText()).toContain('src/generated/parser.ts');
      expect(await page.textContent('h1')).toBe('refactor the parser');
      expect(await page.textContent('.title-row .badge')).toBe('failed');
      await screenshot(page, `${tag}-session-failed-span`);
    });

    it('the session page lays the spans out as a waterfall, parents before children, in time order', async () => {
      await open(`/sessions/${data.traces.fix}`);
      const rows = await page.$$eval('#waterfall .wf-row', (elements) =>
        elements.map((el) => ({
          name: el.querySelector('.span-name')!.textContent,
          depth: Number(el.getAttribute('data-depth')),
          offset: Number(el.getAttribute('data-offset-ms')),
        })),
      );
      expect(rows.map((r) => r.name)).toEqual(data.fixWaterfall);
      expect(rows.map((r) => r.depth)).toEqual([0, 1, 1, 2, 2, 1, 1, 2, 2]);
      expect(rows.map((r) => r.offset)).toEqual([0, 10, 30, 40, 80, 820, 1_050, 1_060, 1_100]);

      const [stats] = await db.query<Record<string, number>>(
        `SELECT * FROM ${S}.session_stats($1::timestamptz, $1::timestamptz + interval '1 microsecond') WHERE trace_id = $2`,
        [(await db.query<{ s: Date }>(`SELECT started_at AS s FROM ${S}.traces WHERE id = $1`, [data.traces.fix]))[0]!.s.toISOString(), data.traces.fix],
      );
      expect(Number(await page.getAttribute('dd[data-field="duration_ms"]', 'data-value'))).toBe(stats!.duration_ms);
      expect(Number(await page.getAttribute('dd[data-field="tool_count"]', 'data-value'))).toBe(4);

      // The tool's input and output, the decision with its options and reasoning, the LLM call's tokens.
      await page.click(`#span-${data.fix.read} > summary`);
      expect(await page.locator(`#span-${data.fix.read} .wf-body`).innerText()).toContain('src/math.ts');
      const decisions = page.locator('#decisions tbody tr');
      expect(await decisions.count()).toBe(2);
      expect(await decisions.first().innerText()).toContain('the test name points at one module');
      expect(await decisions.first().locator('li.chosen').textContent()).toBe('read the failing test first');
      expect(await decisions.first().locator('li').count()).toBe(2);
      const llm = await tableValues(page, '#llm-calls tbody tr', 'data-span');
      expect(llm[data.fix.llm!]).toMatchObject({ input_tokens: 812, output_tokens: 64, total_tokens: 876, duration_ms: 220 });
      expect(await page.locator('#metrics [data-chart] canvas').count()).toBe(1);
      await page.click(`#span-${data.fix.llm} > summary`);
      expect(await page.locator(`#span-${data.fix.llm} .wf-body`).innerText()).toContain('propose a patch');
      await screenshot(page, `${tag}-session-waterfall`);
    });

    it('the sessions list shows session_stats for each session and filters by agent and outcome', async () => {
      await open('/sessions');
      const w = await pageWindow(page);
      const expected = await db.query<Record<string, unknown>>(`SELECT * FROM ${S}.session_stats($1, $2)`, [w.since, w.until]);
      const shown = await tableValues(page, '#sessions tbody tr', 'data-trace');
      expect(Object.keys(shown)).toHaveLength(11);
      for (const s of expected) {
        expect(shown[s.trace_id as string], String(s.name)).toEqual({ duration_ms: s.duration_ms, tool_count: s.tool_count, failed_tools: s.failed_tools });
      }
      // Newest first.
      const order = await page.$$eval('#sessions tbody tr', (rows) => rows.map((r) => r.getAttribute('data-trace')));
      expect(order[0]).toBe(data.traces.live);
      expect(order.at(-1)).toBe(data.traces.fix);
      await screenshot(page, `${tag}-sessions`);

      await page.selectOption('select[name="agent"]', 'researcher');
      await page.selectOption('select[name="status"]', 'failed');
      await page.click('form.filters button[type="submit"]');
      await page.waitForURL(/agent=researcher/);
      const filtered = await page.$$eval('#sessions tbody tr', (rows) => rows.map((r) => r.getAttribute('data-trace')));
      expect(filtered).toEqual([data.traces.summary]);
      expect(await page.getAttribute('#matching', 'data-value')).toBe('1');

      await open('/sessions?user=alice');
      const alice = await page.$$eval('#sessions tbody tr', (rows) => rows.map((r) => r.children[3]!.textContent));
      // The running session has no session span yet, so no user: three of alice's four sessions show.
      expect(alice).toEqual(['alice', 'alice', 'alice']);
    });

    it('the alerts page shows every rule with the values alert_status() computes now', async () => {
      await open('/alerts');
      const w = await pageWindow(page);
      const expected = await db.query<{ rule_name: string; subject: string | null; value: number | null; threshold: number; samples: number; firing: boolean }>(
        `SELECT rule_name, subject, value, threshold, samples, firing FROM ${S}.alert_status(NULL, $1)`, [w.now],
      );
      const shown = await page.$$eval('section.rule tbody tr', (rows) =>
        rows.map((row) => {
          const num = (field: string) => {
            const v = row.querySelector(`[data-field="${field}"]`)!.getAttribute('data-value');
            return v === '' || v === null ? null : Number(v);
          };
          return {
            rule_name: row.getAttribute('data-rule')!, subject: row.getAttribute('data-subject') || null, value: num('value'),
            threshold: num('threshold')!, samples: num('samples')!, firing: row.classList.contains('firing'),
          };
        }),
      );
      expect(shown).toEqual(expected);
      expect(await page.getAttribute('#alert-summary', 'data-firing')).toBe(String(expected.filter((e) => e.firing).length));
      await screenshot(page, `${tag}-alerts`);
    });

    it('hostile tool input stays text: no script runs, the characters are shown as they were sent', async () => {
      await open(`/sessions/${data.traces.papers}`);
      await page.click('.wf-row[data-kind="tool"] >> text=parse_pdf');
      const body = await page.locator('.wf-row[data-kind="tool"]:has-text("parse_pdf") .wf-body').innerText();
      expect(body).toContain('<script>window.__pwned = 1</script>');
      expect(body).toContain('"><img src=x onerror=');
      expect(body).toContain('</script><script>window.__pwned = 3</script>');
      expect(body).toContain('javascript:window.__pwned=4');
      expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
      expect(await hostileMarkupRan(page)).toBe(false);
    });

    it('a trace without a session span is listed, named by its root span, and opens', async () => {
      await open('/sessions?range=7d');
      const row = page.locator(`#sessions tr[data-trace="${data.traces.chain}"]`);
      expect(await row.locator('a').first().textContent()).toBe(CHAIN_NAME);
      expect(await row.innerText()).not.toContain('running');
      await row.locator('a').first().click();
      await page.waitForURL(new RegExp(`/sessions/${data.traces.chain}$`));
      expect(await page.textContent('h1')).toBe(CHAIN_NAME);
    });

    it('every session links to its user, whose page lists their sessions and figures', async () => {
      await open('/sessions');
      await page.click(`#sessions tr[data-trace="${data.traces.refactor}"] a.user-link`);
      await page.waitForURL(/\/users\/bob$/);
      expect(await page.textContent('h1')).toBe('bob');
      const w = await pageWindow(page);
      const [bob] = await db.query<Record<string, unknown>>(`SELECT * FROM ${S}.user_stats($1, $2) WHERE user_id = 'bob'`, [w.since, w.until]);
      expect(Number(bob!.failed_sessions)).toBe(2);
      expect(await kpiValue(page, 'failed_sessions')).toBe(Number(bob!.failed_sessions));
      expect(await page.locator(`#sessions tr[data-trace="${data.traces.refactor}"]`).count()).toBe(1);
      await screenshot(page, `${tag}-user`);
      await open(`/sessions/${data.traces.fix}`);
      await page.click('dd a.user-link');
      await page.waitForURL(/\/users\/alice$/);
      await open('/users');
      await screenshot(page, `${tag}-users`);
      // Over HTTP, not the page: a 404 document is a console error in Chromium.
      expect((await fetch(new URL('/users/nobody-at-all', dashboard.url))).status).toBe(404);
    });

    it('the search finds sessions by what their tools and LLM calls received, returned or failed with; the query stays in the URL', async () => {
      await open('/sessions');
      // "banker" is only in one tool input of the last day (the papers session's web_search).
      await page.fill('form.filters input[name="q"]', 'banker');
      await page.click('form.filters button[type="submit"]');
      await page.waitForURL(/[?&]q=banker/);
      const rows = () => page.$$eval('#sessions tbody tr', (trs) => trs.map((r) => r.getAttribute('data-trace')));
      expect(await rows()).toEqual([data.traces.papers]);
      expect(await page.inputValue('form.filters input[name="q"]')).toBe('banker');
      // An LLM call's output, a tool's error, a name; combined with another filter; LIKE wildcards are literal.
      await open('/sessions?q=Math.sign');
      expect(await rows()).toEqual([data.traces.fix]);
      await open('/sessions?q=eacces');
      expect(await rows()).toEqual([data.traces.refactor]);
      await open('/sessions?q=web_search&agent=researcher&status=failed');
      expect(await rows()).toEqual([data.traces.summary]);
      await open('/sessions?q=%25');
      expect(await page.locator('#sessions').count()).toBe(0);
      // Older sessions are found in a longer window, and a hostile query is shown as text.
      await open('/sessions?range=7d&q=banker');
      expect((await rows()).sort()).toEqual([data.traces.papers, data.traces.chain].sort());
      await open(`/sessions?q=${encodeURIComponent('<script>window.__pwned')}`);
      expect(await rows()).toEqual([data.traces.papers]);
      expect(await hostileMarkupRan(page)).toBe(false);
    });

    registerPageMatrix({ db: () => db, data: () => data, page: () => page, open });
  });
}

describe.runIf(browser !== undefined)('the dashboard in Chromium with no data yet', () => {
  let db: DashboardDb;
  let dashboard: Dashboard;
  let watched: WatchedPage;

  beforeAll(async () => {
    db = await BACKENDS[0]!.create();
    dashboard = await startDashboard({ ...db.options, port: 0 });
    watched = await watchedPage(browser as TestBrowser);
  });
  afterAll(async () => {
    await watched?.page.close();
    await dashboard?.close();
    await db?.close();
  });

  it('explains what to do next: the quick start and the demo command', async () => {
    const { page } = watched;
    await page.goto(dashboard.url);
    expect(await page.textContent('.empty h2')).toBe('No agent sessions yet');
    const snippets = await page.$$eval('.empty pre.snippet', (pres) => pres.map((p) => p.textContent ?? ''));
    expect(snippets[0]).toContain('mini-agent-otel demo');
    expect(snippets[1]).toContain("registerMiniAgentTracing({ serviceName: 'my-agent' })");
    await screenshot(page, 'empty-overview');
    for (const path of ['/tools', '/sessions', '/alerts']) {
      await page.goto(new URL(path, dashboard.url).toString());
      expect(await page.locator('h1').count(), path).toBe(1);
    }
    expect(await page.textContent('#alert-summary')).toBe('Nothing fires right now.');
    expect(watched.takeProblems()).toEqual([]);
  });
});
