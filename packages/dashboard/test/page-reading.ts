// Reading figures back out of a rendered page: every number the dashboard shows carries its exact
// value in a data-value attribute, and the page prints its window on <body>.
import type { Page } from 'playwright-core';

/** Every `[data-field]` cell of each row matching `rowSelector`, keyed by the row's `keyAttribute`. */
export async function tableValues(page: Page, rowSelector: string, keyAttribute: string): Promise<Record<string, Record<string, number | null>>> {
  return page.$$eval(
    rowSelector,
    (rows, key) =>
      Object.fromEntries(
        rows.map((row) => [
          row.getAttribute(key) ?? '',
          Object.fromEntries(
            [...row.querySelectorAll('[data-field]')].map((cell) => {
              const value = cell.getAttribute('data-value') ?? '';
              return [cell.getAttribute('data-field'), value === '' ? null : Number(value)];
            }),
          ),
        ]),
      ),
    keyAttribute,
  );
}

/** The exact value of the headline figure named `field`. */
export async function kpiValue(page: Page, field: string): Promise<number | null> {
  const value = await page.getAttribute(`.kpi[data-field="${field}"]`, 'data-value');
  return value === null || value === '' ? null : Number(value);
}

/** The window the page says it shows. */
export async function pageWindow(page: Page): Promise<{ since: string; until: string; now: string }> {
  const [since, until, now] = await Promise.all(['data-since', 'data-until', 'data-now'].map((a) => page.getAttribute('body', a)));
  return { since: since!, until: until!, now: now! };
}

/** Whether any of the dataset's hostile strings ran as script or became an element. */
export async function hostileMarkupRan(page: Page): Promise<boolean> {
  const pwned = await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned);
  return pwned !== undefined || (await page.locator('img[src="x"]').count()) > 0;
}
