import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './build.js';

/**
 * The folder where test workers note each PostgreSQL suite that skipped, set by the global setup
 * before the workers start (they inherit it through the environment).
 */
export const POSTGRES_SKIP_LOG_ENV = 'MINI_AGENT_TEST_POSTGRES_SKIPS';

/** The test file that called, from the stack: what the skip message names. */
function callingTestFile(): string {
  const frame = (new Error().stack ?? '').split('\n').find((line) => /\.test\.[cm]?[jt]s/.test(line));
  const path = /(?:file:\/\/)?(\/[^\s:()]+\.test\.[cm]?[jt]s)/.exec(frame ?? '')?.[1];
  return path ? relative(REPO_ROOT, path) : 'a test file';
}

/**
 * Notes that a PostgreSQL suite skipped (why, and in which test file). Called by the skip helpers
 * (`hasPostgres()`, `findPostgresBinaries()` in a test file) when they answer "no"; a no-op outside
 * a vitest run with the global setup.
 */
export function recordPostgresSkip(reason: string): void {
  const dir = process.env[POSTGRES_SKIP_LOG_ENV];
  if (!dir) return;
  try {
    appendFileSync(join(dir, `${process.pid}.log`), `${callingTestFile()}: ${reason}\n`);
  } catch {
    // The run is ending (the folder removed): nothing left to guard.
  }
}

/** Creates the skip log for a run and points the environment (inherited by the workers) at it. */
export function startPostgresSkipLog(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mini-agent-postgres-skips-'));
  process.env[POSTGRES_SKIP_LOG_ENV] = dir;
  return dir;
}

/** The skips noted in a run's log, one `file: reason` each, without repeats; removes the log. */
export function takePostgresSkips(dir: string): string[] {
  try {
    const lines = readdirSync(dir).flatMap((file) => readFileSync(join(dir, file), 'utf8').split('\n').filter(Boolean));
    return [...new Set(lines)].sort();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The CI guard: with `DATABASE_URL` set, the run promised a PostgreSQL server, so a PostgreSQL
 * suite that skipped anyway (a server start that broke, binaries not found, a setup that lost the
 * URL) is a failure, not a quiet skip that passes.
 */
export function postgresSkipFailure(skips: readonly string[], env: NodeJS.ProcessEnv = process.env): Error | undefined {
  if (!env.DATABASE_URL || skips.length === 0) return undefined;
  return new Error(
    `DATABASE_URL is set, but ${skips.length} PostgreSQL suite(s) skipped as if there were no server:\n` +
      skips.map((s) => `  - ${s}`).join('\n') +
      '\nCheck that the server started and that its binaries (PG_BIN) are found; unset DATABASE_URL to run without one.',
  );
}
