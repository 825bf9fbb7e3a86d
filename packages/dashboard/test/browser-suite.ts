import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { startDashboard, type Dashboard } from '../src/index.js';
import type { Backend, DashboardDb } from './backends.js';
import { watchedPage, type TestBrowser, type WatchedPage } from './browser.js';
import { seedDataset, type SeededDataset } from './dataset.js';

/** What a browser suite's tests use: the seeded database, the dashboard on it, one watched page. */
export interface BrowserSuite {
  readonly db: DashboardDb;
  readonly data: SeededDataset;
  readonly dashboard: Dashboard;
  readonly page: Page;
}

/**
 * Registers the hooks of a browser suite on `backend` (call inside its `describe`): a fresh
 * database with the dataset stored through the real exporter, a dashboard on it, one page, and
 * after each test the check that no page logged an error, warning, uncaught exception (a CSP
 * violation is one) or failed request. `current()` gives what `beforeAll` opened; `open(path)`
 * navigates and answers the HTTP status.
 */
export function useBrowserSuite(backend: Backend, browser: () => TestBrowser): { current: () => BrowserSuite; open: (path: string) => Promise<number | undefined> } {
  let suite: BrowserSuite | undefined;
  let watched: WatchedPage | undefined;
  beforeAll(async () => {
    const db = await backend.create();
    const data = await seedDataset(db.options);
    const dashboard = await startDashboard({ ...db.options, port: 0 });
    watched = await watchedPage(browser());
    suite = { db, data, dashboard, page: watched.page };
  });
  afterEach(() => {
    // A request of the dashboard's still in flight when a test navigates on (a script, a live
    // page's poll) is aborted by the browser: that is the page being left, not a problem of it.
    const url = suite?.dashboard.url ?? '';
    const leftBehind = (problem: string) => problem.startsWith(`request failed: ${url}`) && problem.endsWith('net::ERR_ABORTED');
    expect(watched?.takeProblems().filter((problem) => !leftBehind(problem))).toEqual([]);
  });
  afterAll(async () => {
    await suite?.page.close();
    await suite?.dashboard.close();
    await suite?.db.close();
  });
  const current = () => {
    if (!suite) throw new Error('the browser suite is not open (its beforeAll failed or has not run)');
    return suite;
  };
  return {
    current,
    open: async (path) => (await current().page.goto(new URL(path, current().dashboard.url).toString(), { waitUntil: 'load' }))?.status(),
  };
}
