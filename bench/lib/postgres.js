// The benchmark's PostgreSQL: a fresh database per benchmark on the run's server, and the CPU its
// backends spend (read from /proc when the server runs on this machine).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { migrate, SCHEMA } from '@mini-agent/exporter-postgres';
import postgres from 'postgres';

/** The six tables a batch writes into. */
export const TABLES = ['traces', 'spans', 'tool_executions', 'generations', 'decisions', 'performance_metrics'];

export function adminUrl() {
  const url = process.env.BENCH_DATABASE_URL;
  if (!url) throw new Error('BENCH_DATABASE_URL is not set: run the benchmarks through bench/run.js');
  return url;
}

/**
 * The driver with Nagle's algorithm off, as the exporter configures it: without it every COPY
 * stalls ~40 ms and the baseline would measure the stall, not the database.
 */
export function connectDriver(url, options = {}) {
  return postgres(url, {
    max: 1,
    onnotice: () => {},
    socket: ({ host, port }) => Object.assign(connect({ host: host[0], port: port[0], noDelay: true }), { host: host[0], port: port[0] }),
    ...options,
  });
}

/** A new, migrated database with a unique name on the run's server; `migrateOptions` go to `migrate()` (e.g. `sqlDir`). */
export async function createDatabase(prefix, migrateOptions = {}) {
  const name = `bench_${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  await migrate(url.toString(), migrateOptions);
  return {
    url: url.toString(),
    name,
    async drop() {
      const sql = postgres(adminUrl(), { max: 1, onnotice: () => {} });
      try {
        await sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await sql.end();
      }
    },
  };
}

/** Empties the six tables and the resources their spans point at (between rounds that write the same rows again). */
export async function truncateAll(sql) {
  // A sink's own background write (a rollup) can still be running between rounds: its locks and
  // TRUNCATE's can deadlock, and PostgreSQL then aborts one of the two. Tried again.
  for (let attempt = 1; ; attempt++) {
    try {
      await sql.unsafe(`TRUNCATE ${[...TABLES, 'resources'].map((t) => `${SCHEMA}.${t}`).join(', ')}`);
      return;
    } catch (error) {
      if (error?.code !== '40P01' || attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

/** Rows in each table, and their sum. */
export async function countRows(sql) {
  const counts = {};
  let total = 0;
  for (const table of TABLES) {
    const [{ n }] = await sql.unsafe(`SELECT count(*)::int AS n FROM ${SCHEMA}.${table}`);
    counts[table] = n;
    total += n;
  }
  return { ...counts, total };
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

/**
 * CPU milliseconds the server's client backends of database `name` have used, or null when the
 * server is not on this machine (its processes are not in /proc).
 */
export async function backendCpuMs(sql, name) {
  const rows = await sql.unsafe(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'`, [name]);
  let total = 0;
  for (const { pid } of rows) {
    try {
      // Fields after the command name: state is field 3, utime 14, stime 15.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(fields[11]) + Number(fields[12])) * TICK_MS;
    } catch {
      return null;
    }
  }
  return total;
}
