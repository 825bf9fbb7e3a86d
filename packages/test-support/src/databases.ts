import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';
import { recordPostgresSkip } from './postgres-skips.js';

/** The admin URL of the run's PostgreSQL server, or `''` when the run has none. */
export function postgresAdminUrl(): string {
  return inject('postgresAdminUrl');
}

/**
 * True when a real PostgreSQL server is available to this run. A "no" is noted for the CI guard:
 * with `DATABASE_URL` set, a suite skipped this way fails the run (see the global setup).
 */
export function hasPostgres(): boolean {
  if (postgresAdminUrl() !== '') return true;
  recordPostgresSkip(`no PostgreSQL server in this run (${inject('postgresSource')})`);
  return false;
}

/** A fresh, empty database on the run's server. `drop()` removes it. */
export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

/** Creates an empty database with a unique name, so suites never see each other's rows. */
export async function createTestDatabase(prefix = 't'): Promise<TestDatabase> {
  const adminUrl = postgresAdminUrl();
  if (!adminUrl) throw new Error('No PostgreSQL server in this run (see the global setup message)');
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
      try {
        await sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await sql.end();
      }
    },
  };
}
