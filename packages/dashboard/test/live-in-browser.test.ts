// Live pages in Chromium: sessions written while the dashboard is open appear without a reload,
// a running session's page follows it, and the Live toggle stops that.
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type Dashboard } from '../src/index.js';
import { BACKENDS, type DashboardDb } from './backends.js';
import { browserForSuite, screenshot, watchedPage, type TestBrowser, type WatchedPage } from './browser.js';
import { HOSTILE_INPUT, seedDataset, type SeededDataset } from './dataset.js';
import { hostileMarkupRan } from './page-reading.js';
import { writeSession, writeToolCall } from './live-writes.js';

const { browser, failure } = await browserForSuite('dashboard live tests');
afterAll(async () => {
  await browser?.close();
});

describe.runIf(failure !== undefined)('the browser for the dashboard live tests', () => {
  it('starts (required in CI)', () => {
    throw new Error(failure);
  });
});

/** How often the pages under test fetch themselves again. */
const INTERVAL_MS = 300;

for (const backend of BACKENDS) {
  describe.runIf(browser !== undefined && backend.available)(`live pages in Chromium on ${backend.name}`, () => {
    let db: DashboardDb;
    let dashboard: Dashboard;
    let data: SeededDataset;
    let watched: WatchedPage;
    let page: Page;
    const rows = () => page.$$eval('#sessions tbody tr', (trs) => trs.map((r) => r.getAttribute('data-trace')));
    // Set on the page's window: a reload (or any navigation) loses it.
    const markWindow = () => page.evaluate(() => ((window as unknown as { liveMark: number }).liveMark = 42));
    const stillSameWindow = () => page.evaluate(() => (window as unknown as { liveMark?: number }).liveMark === 42);

    beforeAll(async () => {
      db = await backend.create();
      data = await seedDataset(db.options);
      dashboard = await startDashboard({ ...db.options, port: 0, liveIntervalMillis: INTERVAL_MS, langfuse: false });
      watched = await watchedPage(browser as TestBrowser);
      page = watched.page;
    });
    afterEach(() => {
      // A poll still in flight when the test navigates away is aborted by the browser: that is the
      // page being left, not a problem of the page.
      const leftBehind = (problem: string) => problem.startsWith(`request failed: ${dashboard.url}`) && problem.endsWith('net::ERR_ABORTED');
      expect(watched.takeProblems().filter((problem) => !leftBehind(problem))).toEqual([]);
    });
    afterAll(async () => {
      await page?.close();
      await dashboard?.close();
      await db?.close();
    });

    it('a session written while the sessions page is open appears without a reload', async () => {
      await page.goto(new URL('/sessions', dashboard.url).toString());
      expect(await page.isVisible('#live-toggle')).toBe(true);
      expect(await page.isChecked('#live-toggle')).toBe(true);
      const before = await rows();
      await markWindow();

      const traceId = await writeSession(db.options, 'arrived while watching');
      await expect.poll(rows, { timeout: 15_000, interval: 200 }).toEqual([traceId, ...before]);
      expect(await page.textContent(`#sessions tr[data-trace="${traceId}"] a`)).toBe('arrived while watching');
      expect(await page.getAttribute('#matching', 'data-value')).toBe(String(before.length + 1));
      expect(await stillSameWindow()).toBe(true);
      await screenshot(page, `${backend.name === 'PGlite' ? 'pglite' : 'postgres'}-sessions-live`);
    });

    it('with Live off the page stays as it is, and the choice is remembered', async () => {
      await page.goto(new URL('/sessions', dashboard.url).toString());
      await page.uncheck('#live-toggle');
      const before = await rows();
      await markWindow();
      const traceId = await writeSession(db.options, 'arrived while paused');
      await page.waitForTimeout(INTERVAL_MS * 6);
      expect(await rows()).toEqual(before);
      expect(await stillSameWindow()).toBe(true);

      await page.reload();
      expect(await page.isChecked('#live-toggle')).toBe(false);
      expect((await rows())[0]).toBe(traceId);
      await page.check('#live-toggle');
    });

    it("a running session's page follows it: a new tool call appears, open spans stay open", async () => {
      const running = data.traces.live!;
      await page.goto(new URL(`/sessions/${running}`, dashboard.url).toString());
      expect(await page.getAttribute('body', 'data-live')).toBe('true');
      const tools = () => page.getAttribute('dd[data-field="tool_count"]', 'data-value');
      expect(await tools()).toBe('1');
      const id = await page.locator('#waterfall details').first().getAttribute('id');
      await page.click(`#${id} > summary`);
      await markWindow();

      // Hostile input arriving by a live refresh stays text, as it does on a page load.
      await writeToolCall(db.options, running, 'run_migrations', HOSTILE_INPUT);
      await expect.poll(tools, { timeout: 15_000, interval: 200 }).toBe('2');
      const added = page.locator('.wf-row[data-kind="tool"]:has-text("run_migrations")');
      expect(await added.count()).toBe(1);
      expect(await page.locator(`#${id}`).evaluate((el) => (el as HTMLDetailsElement).open)).toBe(true);
      await added.locator('summary').first().click();
      expect(await added.locator('.wf-body').innerText()).toContain('</script><script>window.__pwned = 3</script>');
      expect(await hostileMarkupRan(page)).toBe(false);
      expect(await stillSameWindow()).toBe(true);
    });

    it('a finished session and a fixed window are not live', async () => {
      await page.goto(new URL(`/sessions/${data.traces.fix}`, dashboard.url).toString());
      expect(await page.getAttribute('body', 'data-live')).toBeNull();
      expect(await page.locator('#live-toggle').count()).toBe(0);
      await page.goto(new URL('/sessions?from=2000-01-01T00:00:00Z&to=2001-01-01T00:00:00Z', dashboard.url).toString());
      expect(await page.locator('#live-toggle').count()).toBe(0);
    });
  });
}
