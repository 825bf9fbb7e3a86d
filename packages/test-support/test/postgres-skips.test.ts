import { afterEach, describe, expect, it } from 'vitest';
import { POSTGRES_SKIP_LOG_ENV, postgresSkipFailure, recordPostgresSkip, startPostgresSkipLog, takePostgresSkips } from '../src/postgres-skips.js';

describe('the CI guard against PostgreSQL suites that skip while DATABASE_URL is set', () => {
  const runLog = process.env[POSTGRES_SKIP_LOG_ENV];
  afterEach(() => {
    // This worker's own run log (the global setup's) is put back for the suites after this one.
    if (runLog === undefined) delete process.env[POSTGRES_SKIP_LOG_ENV];
    else process.env[POSTGRES_SKIP_LOG_ENV] = runLog;
  });

  it('notes each skip with the test file that skipped, once, and fails only when DATABASE_URL is set', () => {
    const dir = startPostgresSkipLog();
    recordPostgresSkip('no PostgreSQL server in this run (none)');
    recordPostgresSkip('no PostgreSQL server in this run (none)');
    recordPostgresSkip('no PostgreSQL binaries found');
    const skips = takePostgresSkips(dir);
    expect(skips).toEqual([
      'packages/test-support/test/postgres-skips.test.ts: no PostgreSQL binaries found',
      'packages/test-support/test/postgres-skips.test.ts: no PostgreSQL server in this run (none)',
    ]);

    expect(postgresSkipFailure(skips, {})).toBeUndefined();
    expect(postgresSkipFailure([], { DATABASE_URL: 'postgres://ci@127.0.0.1:5432/postgres' })).toBeUndefined();
    const failure = postgresSkipFailure(skips, { DATABASE_URL: 'postgres://ci@127.0.0.1:5432/postgres' });
    expect(failure?.message).toContain('DATABASE_URL is set, but 2 PostgreSQL suite(s) skipped');
    expect(failure?.message).toContain('  - packages/test-support/test/postgres-skips.test.ts: no PostgreSQL binaries found');
  });

  it('records nothing outside a run that set up the log', () => {
    delete process.env[POSTGRES_SKIP_LOG_ENV];
    expect(() => recordPostgresSkip('no server')).not.toThrow();
  });
});
