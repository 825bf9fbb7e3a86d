import type { TestProject } from 'vitest/node';
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

/**
 * Gives every suite a real PostgreSQL server: `DATABASE_URL` when set, else a throwaway server
 * from the installed binaries. With neither, Postgres suites skip and say so; PGlite suites run.
 */
export async function setup(project: TestProject): Promise<void> {
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

export function teardown(): void {
  server?.stop();
}
