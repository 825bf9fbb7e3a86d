// A real browser for the dashboard suites: Debian's Chromium driven by playwright-core (which
// downloads nothing). On a machine without Chromium the suites skip locally with a message saying
// how to get it, and fail in CI, where .ci/run installs it: a browser suite must never pass silently.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Where Debian puts Chromium; `MINI_AGENT_CHROMIUM` points elsewhere. */
export const CHROMIUM_PATH = process.env.MINI_AGENT_CHROMIUM ?? '/usr/bin/chromium';

/** Screenshots of the suites, for people to look at (not compared). */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../../test-output/screenshots/', import.meta.url));

const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** A launched browser with its own fresh profile directory (a persistent context: one per suite). */
export interface TestBrowser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** What launching gave: a browser, or why not. */
export type LaunchResult = { ok: true; value: TestBrowser } | { ok: false; reason: string };

/** Launches Chromium headless with a fresh profile directory; never throws. */
export async function launchChromium(): Promise<LaunchResult> {
  if (!existsSync(CHROMIUM_PATH)) return { ok: false, reason: `no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium)` };
  const profile = mkdtempSync(join(tmpdir(), 'mini-agent-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH, headless: true, args: ARGS, timeout: 60_000, viewport: { width: 1400, height: 1000 },
    });
    return {
      ok: true,
      value: {
        context,
        async close() {
          await context.close();
          rmSync(profile, { recursive: true, force: true });
        },
      },
    };
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    return { ok: false, reason: error instanceof Error ? error.message.split('\n')[0]! : String(error) };
  }
}

/** The browser for a suite, or why there is none. */
export interface SuiteBrowser {
  readonly browser: TestBrowser | undefined;
  /** Set in CI when Chromium could not start: the suite registers a test that fails with it. */
  readonly failure: string | undefined;
}

/**
 * Launches the browser for a suite. Locally a failure prints why and how to fix it, and the
 * suite is skipped; in CI (where .ci/run installs Chromium) it is reported as a failing test, so
 * a machine without a browser can never pass the browser suite.
 */
export async function browserForSuite(suite: string): Promise<SuiteBrowser> {
  const launched = await launchChromium();
  if (launched.ok) return { browser: launched.value, failure: undefined };
  const message = `[${suite}] Chromium could not start: ${launched.reason}`;
  if (process.env.CI) {
    return { browser: undefined, failure: `${message}. CI must run the browser tests (.ci/needs-chromium makes .ci/run install it).` };
  }
  console.warn(`\n${message}\n[${suite}] Browser tests SKIPPED on this machine. Install it with: apt-get install -y chromium\n`);
  return { browser: undefined, failure: undefined };
}

/** A page that records every console error and warning, uncaught exception and failed request it sees. */
export interface WatchedPage {
  readonly page: Page;
  /** Problems seen since the last call. */
  takeProblems(): string[];
}

/** Opens a new page in the browser, watching for problems. */
export async function watchedPage(browser: TestBrowser): Promise<WatchedPage> {
  const page = await browser.context.newPage();
  let problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`));
  return {
    page,
    takeProblems() {
      const taken = problems;
      problems = [];
      return taken;
    },
  };
}

/** Saves a full-page screenshot under test-output/screenshots/. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
