import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { passwordOf } from '@mini-agent/exporter-postgres';
import { CliError } from './command.js';
import type { DatabaseTarget } from './database-target.js';

/** A result row as the driver parsed it; bigint counts come back as numbers from both databases. */
export type Row = Record<string, unknown>;

/** Runs one statement with `$1`-style parameters. */
export type Query = (text: string, params?: readonly (string | number | null)[]) => Promise<Row[]>;

/** A database opened for reading the analytics functions. */
export interface ReadOnlyDatabase {
  /** Where the rows come from, printable (password masked). */
  readonly label: string;
  /** Runs `work` in one read-only transaction: every figure of a report comes from the same snapshot. */
  read<T>(work: (query: Query) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Opens `target` for reading. A server gets one connection without prepared statements (a few
 * one-off queries gain nothing from them, and Supabase's transaction pooler refuses them).
 *
 * A PGlite data directory is read from a copy: PGlite is a whole PostgreSQL inside the process that
 * opens it, with no locking between processes, so opening the directory an agent or `serve` is
 * writing into would let two servers write the same files. The copy sees every committed row.
 */
export async function openReadOnlyDatabase(target: DatabaseTarget): Promise<ReadOnlyDatabase> {
  const database = target.kind === 'url' ? await openServer(target.url, target.label) : await openPgliteCopy(target.dataDir, target.label);
  try {
    await database.read(checkSchema(target.label));
  } catch (error) {
    await database.close().catch(() => {});
    throw error;
  }
  return database;
}

async function openServer(url: string, label: string): Promise<ReadOnlyDatabase> {
  const sql = postgres(url, {
    max: 1,
    prepare: false,
    connect_timeout: 10,
    onnotice: () => {},
    // Counts are bigint: numbers, as PGlite returns them (they stay far below 2^53).
    types: { bigint: { to: 20, from: [20], serialize: (value: number) => String(value), parse: (value: string) => Number(value) } },
  });
  const secret = passwordOf(url);
  return {
    label,
    async read(work) {
      try {
        return (await sql.begin('isolation level repeatable read read only', async (tx) => {
          // No JIT: the analytics functions' unused branches carry the estimate of a whole-window
          // scan, and compiling that costs far more than running the rollup branch.
          await tx.unsafe('SET LOCAL jit = off');
          return work(async (text, params = []) => [...(await tx.unsafe(text, params as never[]))]);
        })) as Awaited<ReturnType<typeof work>>;
      } catch (error) {
        throw readError(label, error, secret);
      }
    },
    close: () => sql.end({ timeout: 5 }),
  };
}

async function openPgliteCopy(dataDir: string, label: string): Promise<ReadOnlyDatabase> {
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    throw new CliError(`no database in ${dataDir}: nothing has been recorded there yet (run mini-agent-otel migrate, or name your database with --database-url or --data-dir)`);
  }
  const copy = mkdtempSync(join(tmpdir(), 'mini-agent-otel-read-'));
  let db: PGlite;
  try {
    cpSync(dataDir, copy, { recursive: true });
    db = await PGlite.create(copy);
    await db.exec('SET default_transaction_read_only = on');
  } catch (error) {
    rmSync(copy, { recursive: true, force: true });
    throw readError(label, error);
  }
  return {
    label,
    async read(work) {
      try {
        return await db.transaction(async (tx) => {
          await tx.exec('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
          return work(async (text, params = []) => (await tx.query<Row>(text, [...params])).rows);
        });
      } catch (error) {
        throw readError(label, error);
      }
    },
    async close() {
      try {
        await db.close();
      } finally {
        rmSync(copy, { recursive: true, force: true });
      }
    },
  };
}

const SCHEMA_CHECK = `
  SELECT to_regprocedure('mini_agent_observability.session_totals(timestamptz,timestamptz)') IS NOT NULL
     AND to_regprocedure('mini_agent_observability.alert_status(timestamptz,timestamptz)') IS NOT NULL AS ready`;

function checkSchema(label: string) {
  return async (query: Query): Promise<void> => {
    const [row] = await query(SCHEMA_CHECK);
    if (row?.ready !== true) throw new CliError(`the analytics functions are not in ${label}: run mini-agent-otel migrate first`);
  };
}

/** Anything that went wrong reading, as one line naming the database, the password never in it. */
function readError(label: string, error: unknown, secret?: string): CliError {
  if (error instanceof CliError) return error;
  let message = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
  if (secret) message = message.split(secret).join('***');
  return new CliError(`cannot read ${label}: ${message}`);
}
