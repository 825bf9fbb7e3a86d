import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { REPO_ROOT } from './build.js';
import { postgresSkipFailure, startPostgresSkipLog, takePostgresSkips } from './postgres-skips.js';
import { findPostgresBinaries, startThrowawayPostgres, type ThrowawayPostgres } from './throwaway-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the PostgreSQL server the suites use; empty when none is available. */
    postgresAdminUrl: string;
    /** Where the server came from, for the skip message. */
    postgresSource: string;
  }
}

let server: ThrowawayPostgres | undefined;
let skipLog: string | undefined;

/**
 * Gives every suite a real PostgreSQL server: `DATABASE_URL` when set, else a throwaway server
 * from the installed binaries. With neither, Postgres suites skip and say so; PGlite suites run.
 */
export async function setup(project: TestProject): Promise<void> {
  // Before any worker starts, so each inherits where to note a PostgreSQL suite that skipped.
  skipLog = startPostgresSkipLog();
  const fromEnv = process.env.DATABASE_URL;
  if (fromEnv) {
    project.provide('postgresAdminUrl', fromEnv);
    project.provide('postgresSource', 'DATABASE_URL');
    return;
  }
  const binDir = findPostgresBinaries();
  if (!binDir) {
    console.warn('[test-support] No DATABASE_URL and no PostgreSQL binaries: PostgreSQL suites are skipped; PGlite suites run.');
    project.provide('postgresAdminUrl', '');
    project.provide('postgresSource', 'none');
    return;
  }
  server = await startThrowawayPostgres(binDir);
  project.provide('postgresAdminUrl', server.url);
  project.provide('postgresSource', `throwaway server from ${binDir}`);
}

/**
 * Stops the throwaway server. Then the CI guard: with `DATABASE_URL` set, a PostgreSQL suite that
 * skipped fails the run, naming the files and why.
 */
export function teardown(): void {
  server?.stop();
  const failure = skipLog ? postgresSkipFailure(takePostgresSkips(skipLog)) : undefined;
  writeGuardSummary(failure);
  if (failure) {
    // Vitest reports an error thrown here but still exits 0; the exit code is what CI reads.
    console.error(`\n[test-support] ${failure.message}\n`);
    process.exitCode = 1;
  }
}

/**
 * The guard's own line in CI's count (`test-output/summary-postgres-guard.json`, summed with the
 * other lanes): one passed check, or one failed, when `DATABASE_URL` is set; no file otherwise.
 */
function writeGuardSummary(failure: Error | undefined): void {
  const file = join(REPO_ROOT, 'test-output', 'summary-postgres-guard.json');
  if (!process.env.DATABASE_URL) {
    rmSync(file, { force: true });
    return;
  }
  mkdirSync(join(REPO_ROOT, 'test-output'), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ passed: failure ? 0 : 1, failed: failure ? 1 : 0, skipped: 0 })}\n`);
}
