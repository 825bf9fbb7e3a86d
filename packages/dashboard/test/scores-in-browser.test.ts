import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { buildWorkspacePackage, REPO_ROOT } from '@mini-agent/test-support';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type Dashboard } from '../src/index.js';
import { browserForSuite, watchedPage, type TestBrowser, type WatchedPage } from './browser.js';

// Scores on the pages, from the two ways a user gives them: recordScore() inside an agent's
// session (a real agent process using @mini-agent/otel) and `mini-agent-otel score` afterwards
// (the built CLI), both into one PGlite data directory the dashboard then reads.

const run = promisify(execFile);
const { browser, failure } = await browserForSuite('dashboard score tests');
afterAll(async () => {
  await browser?.close();
});

const AGENT = `
import { recordScore, registerMiniAgentTracing, withSession } from ${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'packages/otel/dist/index.js')).href)};
const [dataDir] = process.argv.slice(2);
const tracing = registerMiniAgentTracing({ serviceName: 'scored-agent', postgres: { dataDir }, langfuse: false, otlp: false });
await withSession({ name: 'refund question', sessionId: 'sess-scored', userId: 'user-scored' }, async (span) => {
  recordScore({ name: 'helpfulness', value: 0.25, label: 'weak', explanation: 'judge: <b>missed</b> the refund policy', id: 'judge-1' });
  console.log(span.spanContext().traceId);
});
await tracing.shutdown();
`;

describe.runIf(browser !== undefined)('scores in the dashboard (Chromium, PGlite)', () => {
  let dir: string;
  let traceId: string;
  let db: PGlite;
  let dashboard: Dashboard;
  let watched: WatchedPage;
  let page: Page;
  const open = async (path: string) => (await page.goto(new URL(path, dashboard.url).toString(), { waitUntil: 'load' }))?.status();

  beforeAll(async () => {
    await buildWorkspacePackage('mini-agent-otel');
    dir = mkdtempSync(join(tmpdir(), 'dashboard-scores-'));
    const dataDir = join(dir, 'pglite');
    writeFileSync(join(dir, 'agent.mjs'), AGENT);
    const agent = await run(process.execPath, [join(dir, 'agent.mjs'), dataDir], { cwd: dir });
    traceId = agent.stdout.trim();
    const cli = join(REPO_ROOT, 'packages/cli/dist/bin.js');
    await run(process.execPath, [cli, 'score', traceId, 'thumbs_up=false', '--comment', 'did not answer', '--author', 'user-scored', '--id', 'fb-1', '--data-dir', dataDir], { cwd: dir });
    db = await PGlite.create(dataDir);
    dashboard = await startDashboard({ pglite: db, port: 0 });
    watched = await watchedPage(browser as TestBrowser);
    page = watched.page;
  }, 600_000);
  afterAll(async () => {
    await page?.close();
    await dashboard?.close();
    await db?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the session page lists the recordScore() and the CLI score, escaped, newest first', async () => {
    expect(await open(`/sessions/${traceId}`)).toBe(200);
    const rows = await page.$$eval('#score-list tbody tr', (trs) =>
      trs.map((tr) => ({ id: tr.getAttribute('data-score'), cells: [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim()) })),
    );
    expect(rows.map((r) => r.id)).toEqual(['fb-1', 'judge-1']);
    expect(rows[0]!.cells.slice(1)).toEqual(['thumbs_up', 'false', 'did not answer', 'api user-scored', 'the session']);
    expect(rows[1]!.cells.slice(1)).toEqual(['helpfulness', '0.25 weak', 'judge: <b>missed</b> the refund policy', 'api', 'the session']);
    // The judge's markup is text, not markup.
    expect(await page.$$('#score-list b')).toHaveLength(0);
    expect(watched.takeProblems()).toEqual([]);
  });

  it('the overview has a scores panel and the user page the user\'s scores, with score_stats\' numbers', async () => {
    expect(await open('/?range=all')).toBe(200);
    const panel = await page.$$eval('#score-stats tbody tr', (trs) => trs.map((tr) => [tr.getAttribute('data-score-name'), tr.querySelector('[data-field="avg_value"]')?.textContent?.trim()]));
    expect(panel).toEqual([['helpfulness', '0.25'], ['thumbs_up', '0']]);
    expect(await open('/users/user-scored?range=all')).toBe(200);
    const mine = await page.$$eval('#user-scores tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-score-name')));
    expect(mine).toEqual(['helpfulness', 'thumbs_up']);
    expect(await page.textContent('#user-scores tbody tr[data-score-name="helpfulness"]')).toContain('weak 1');
    expect(watched.takeProblems()).toEqual([]);
  });
});

describe.runIf(failure !== undefined)('the browser for the dashboard score tests', () => {
  it('starts (required in CI)', () => {
    throw new Error(failure);
  });
});
