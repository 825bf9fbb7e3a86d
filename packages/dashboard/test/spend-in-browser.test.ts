import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, type DashboardDb } from './backends.js';
import { useBrowserSuite } from './browser-suite.js';
import { browserForSuite, type TestBrowser } from './browser.js';
import type { SeededDataset } from './dataset.js';
import { kpiValue, pageWindow, tableValues } from './page-reading.js';

const S = 'mini_agent_observability';
const { browser } = await browserForSuite('dashboard spend browser tests');
afterAll(async () => {
  await browser?.close();
});

for (const backend of BACKENDS) {
  describe.runIf(browser !== undefined && backend.available)(`spend in the dashboard, in Chromium on ${backend.name}`, () => {
    const suite = useBrowserSuite(backend, () => browser as TestBrowser);
    const { open } = suite;
    let db: DashboardDb;
    let data: SeededDataset;
    let page: Page;
    beforeAll(() => {
      ({ db, data, page } = suite.current());
    });
    const costOf = async (traceId: string) =>
      db.query<{ id: string; model: string; cost_usd: number | null; reason: string | null }>(
        `SELECT id, model, cost_usd::float8 AS cost_usd, cost_details->>'reason' AS reason FROM ${S}.generations WHERE trace_id = $1`, [traceId],
      );

    it('the overview shows the window’s spend and how many calls are unpriced, linking to the spend page', async () => {
      await open('/');
      const w = await pageWindow(page);
      const [sum] = await db.query<{ cost: number; unpriced: number }>(
        `SELECT sum(cost_usd)::float8 AS cost, sum(unpriced)::int AS unpriced FROM ${S}.cost_by_model($1, $2)`, [w.since, w.until],
      );
      expect(sum!.cost).toBeGreaterThan(0);
      expect(await kpiValue(page, 'cost_usd')).toBeCloseTo(sum!.cost, 12);
      expect(await page.textContent('.kpi[data-field="cost_usd"] [data-field="unpriced"]')).toBe(`${sum!.unpriced} unpriced`);
      await page.click('.kpi[data-field="cost_usd"] a');
      expect(new URL(page.url()).pathname).toBe('/spend');
    });

    it('the spend page charts spend over time and lists spend and time to first token per model, and the unpriced models', async () => {
      expect(await open('/spend')).toBe(200);
      const w = await pageWindow(page);
      expect(await page.locator('[data-chart="spend-over-time"] canvas').count()).toBe(1);
      const models = await db.query<{ model: string; cost_usd: number; unpriced: number; generations: number }>(
        `SELECT model, cost_usd::float8 AS cost_usd, unpriced, generations FROM ${S}.cost_by_model($1, $2)`, [w.since, w.until],
      );
      const shown = await tableValues(page, '#model-spend tbody tr', 'data-model');
      expect(Object.keys(shown).sort()).toEqual(models.map((m) => m.model).sort());
      for (const m of models) expect(shown[m.model], m.model).toMatchObject({ cost_usd: m.cost_usd, unpriced: m.unpriced, generations: m.generations });
      // The streamed gpt-4o-mini call: its first chunk 300 ms after the request.
      expect(shown['gpt-4o-mini']).toMatchObject({ cache_read_tokens: 400, uncached_input_tokens: 600, ttft_p50_ms: 300 });
      expect(shown['demo-model']!.cost_usd).toBe(0);
      const unpriced = await tableValues(page, '#unpriced-models tbody tr', 'data-model');
      expect(unpriced).toEqual({ 'demo-model': { generations: 1 } });
      expect(await page.locator('#unpriced-models tbody tr td').nth(2).textContent()).toBe('unknown model');
      const total = models.reduce((n, m) => n + m.cost_usd, 0);
      expect(await kpiValue(page, 'cost_usd')).toBeCloseTo(total, 12);
      const sessions = await tableValues(page, '#session-spend tbody tr', 'data-trace');
      const [cite] = await costOf(data.traces.cite!);
      expect(sessions[data.traces.cite!]!.cost_usd).toBeCloseTo(cite!.cost_usd!, 12);
    });

    it('the session page shows each LLM call’s cost, or that it is unpriced and why', async () => {
      await open(`/sessions/${data.traces.cite}`);
      const [cite] = await costOf(data.traces.cite!);
      expect(cite!.cost_usd).toBeGreaterThan(0);
      expect((await tableValues(page, '#llm-calls tbody tr', 'data-span'))[cite!.id]).toMatchObject({ cost_usd: cite!.cost_usd });
      await open(`/sessions/${data.traces.fix}`);
      const cell = page.locator(`#llm-calls tr[data-span="${data.fix.llm}"] [data-field="cost_usd"]`);
      expect(await cell.getAttribute('data-value')).toBe('');
      expect(await cell.textContent()).toBe('unpriced (unknown model)');
    });

    it('the users pages show what each user’s sessions cost (cost_by_user)', async () => {
      await open('/users');
      const w = await pageWindow(page);
      const users = await db.query<{ user_id: string; cost_usd: number }>(`SELECT user_id, cost_usd::float8 AS cost_usd FROM ${S}.cost_by_user($1, $2)`, [w.since, w.until]);
      const dave = users.find((u) => u.user_id === 'dave')!;
      expect(dave.cost_usd).toBeGreaterThan(0);
      const shown = await tableValues(page, '#users tbody tr', 'data-user');
      expect(shown.dave!.cost_usd).toBeCloseTo(dave.cost_usd, 12);
      expect(shown.bob!.cost_usd).toBe(0);
      await page.click('#users tr[data-user="dave"] a');
      expect(await kpiValue(page, 'cost_usd')).toBeCloseTo(dave.cost_usd, 12);
    });
  });
}
