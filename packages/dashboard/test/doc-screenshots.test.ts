// The screenshots of docs/dashboard.md, taken in headless Chromium over the test dataset. Not part
// of a normal run (it writes into docs/); regenerate them with
//
//   MINI_AGENT_DOC_SCREENSHOTS=1 npx vitest run packages/dashboard/test/doc-screenshots.test.ts
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type Dashboard } from '../src/index.js';
import { BACKENDS, type DashboardDb } from './backends.js';
import { launchChromium, watchedPage, type TestBrowser, type WatchedPage } from './browser.js';
import { seedDataset, type SeededDataset } from './dataset.js';

const IMAGES = fileURLToPath(new URL('../../../docs/images/', import.meta.url));
const wanted = process.env.MINI_AGENT_DOC_SCREENSHOTS === '1';

describe.runIf(wanted)('the screenshots of docs/dashboard.md', () => {
  let browser: TestBrowser;
  let db: DashboardDb;
  let data: SeededDataset;
  let dashboard: Dashboard;
  let watched: WatchedPage;

  beforeAll(async () => {
    const launched = await launchChromium();
    if (!launched.ok) throw new Error(`Chromium could not start: ${launched.reason}`);
    browser = launched.value;
    db = await (BACKENDS.find((b) => b.name === 'PostgreSQL server' && b.available) ?? BACKENDS[0]!).create();
    data = await seedDataset(db.options);
    // A known project id: the session page shows its Langfuse link without asking any server.
    dashboard = await startDashboard({ ...db.options, port: 0, langfuse: { baseUrl: 'https://cloud.langfuse.com', projectId: 'my-project' } });
    watched = await watchedPage(browser);
    await watched.page.setViewportSize({ width: 1280, height: 860 });
    mkdirSync(IMAGES, { recursive: true });
  });
  afterAll(async () => {
    await dashboard?.close();
    await db?.close();
    await browser?.close();
  });

  const shots: [string, () => string][] = [
    ['dashboard-overview', () => '/'],
    ['dashboard-tools', () => '/tools'],
    ['dashboard-tool', () => '/tools/web_search'],
    ['dashboard-sessions', () => '/sessions'],
    ['dashboard-search', () => '/sessions?range=7d&q=banker'],
    ['dashboard-session', () => `/sessions/${data.traces.fix}`],
    ['dashboard-running-session', () => `/sessions/${data.traces.live}`],
    ['dashboard-users', () => '/users?range=30d'],
    ['dashboard-user', () => '/users/alice'],
    ['dashboard-alerts', () => '/alerts'],
  ];
  for (const [name, path] of shots) {
    it(`${name}.png`, async () => {
      const { page } = watched;
      const response = await page.goto(new URL(path(), dashboard.url).toString(), { waitUntil: 'load' });
      expect(response?.status()).toBe(200);
      if (name === 'dashboard-session') await page.click(`#span-${data.fix.llm} > summary`);
      // The charts draw after load; the visible part of the page is what the docs show.
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(IMAGES, `${name}.png`) });
      expect(watched.takeProblems()).toEqual([]);
    });
  }
});
