import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { DEFAULT_PGLITE_DIR, maskDatabaseUrl } from '@mini-agent/exporter-postgres';
import { pgliteReadOnlyDatabase, type ReadOnlyDatabase } from './read-only-database.js';
import { openServerDatabase } from './server-database.js';
import { directoryFingerprint, discardPgliteCopy, takePgliteCopy, type PgliteCopy } from './pglite-copy.js';

/**
 * Which database the dashboard reads. With nothing set: `DATABASE_URL`, else `SUPABASE_DB_URL`,
 * else the embedded PGlite database `mini-agent-otel demo` and the exporter write by default.
 */
export interface DataSourceOptions {
  /** A PostgreSQL or Supabase URL. */
  readonly databaseUrl?: string;
  /** A PGlite data directory. Default `.mini-agent/pglite` (relative to the working directory). */
  readonly dataDir?: string;
  /** An open PGlite instance (tests, or a process that just wrote into it); left open. */
  readonly pglite?: PGlite;
  /** Prepared statements on a server. Default: on, except behind Supabase's transaction pooler. */
  readonly prepare?: boolean;
}

/** What the dashboard has to show, or why it has nothing yet. */
export type DataState =
  | { readonly status: 'ready'; readonly db: ReadOnlyDatabase }
  /** No PGlite data directory there yet. */
  | { readonly status: 'no-database'; readonly dataDir: string }
  /** The database exists but the migrations (`mini-agent-otel migrate`) have not run. */
  | { readonly status: 'no-schema' }
  | { readonly status: 'unreachable'; readonly message: string };

/** The database behind the pages. */
export interface DataSource {
  /** Where the data comes from, printable (password masked). */
  readonly label: string;
  /** For a PGlite data directory: when the copy the pages read was taken (it is taken again when the directory changes). */
  readonly snapshotAt: () => Date | undefined;
  /** The database, opened on first use; re-checked while it is missing or unmigrated. */
  state(): Promise<DataState>;
  close(): Promise<void>;
}

const SCHEMA_CHECK = `
  SELECT to_regprocedure('mini_agent_observability.session_totals(timestamptz,timestamptz)') IS NOT NULL
     AND to_regprocedure('mini_agent_observability.alert_status(timestamptz,timestamptz)') IS NOT NULL
     AND to_regprocedure('mini_agent_observability.user_stats(timestamptz,timestamptz)') IS NOT NULL AS ready`;

/** Resolves the options (and the environment) to a data source; nothing is opened yet. */
export function createDataSource(options: DataSourceOptions = {}, env: NodeJS.ProcessEnv = process.env): DataSource {
  if (options.pglite) {
    const pglite = options.pglite;
    return withSchemaCheck(`PGlite (${pglite.dataDir ?? 'in memory'})`, async () => pgliteReadOnlyDatabase(pglite, { owned: false }));
  }
  const url = options.databaseUrl || (options.dataDir ? undefined : env.DATABASE_URL || env.SUPABASE_DB_URL);
  if (url) {
    const prepare = options.prepare ?? usesPreparedStatements(url);
    return withSchemaCheck(maskDatabaseUrl(url), async () => openServerDatabase({ url, prepare }), undefined, passwordOf(url));
  }
  return pgliteDirectorySource(resolve(options.dataDir ?? DEFAULT_PGLITE_DIR));
}

/** Supabase's transaction pooler (port 6543, or `pgbouncer=true`) cannot keep prepared statements. */
function usesPreparedStatements(url: string): boolean {
  return !/:6543(\/|\?|$)/.test(url) && !/[?&]pgbouncer=true\b/i.test(url);
}

/** The password of a URL, to scrub from error messages shown on a page or printed. */
export function passwordOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    const password = parsed.password || parsed.searchParams.get('password');
    return password ? decodeURIComponent(password) : undefined;
  } catch {
    return undefined;
  }
}

function withSchemaCheck(
  label: string,
  open: () => Promise<ReadOnlyDatabase>,
  snapshotAt = (): Date | undefined => undefined,
  secret?: string,
): DataSource {
  let db: Promise<ReadOnlyDatabase> | undefined;
  let migrated = false;
  return {
    label,
    snapshotAt,
    async state() {
      try {
        db ??= open().catch((error: unknown) => {
          db = undefined;
          throw error;
        });
        const database = await db;
        if (!migrated) {
          const [row] = await database.read((q) => q<{ ready: boolean }>(SCHEMA_CHECK));
          migrated = row?.ready === true;
          if (!migrated) return { status: 'no-schema' };
        }
        return { status: 'ready', db: database };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return { status: 'unreachable', message: secret ? message.split(secret).join('***') : message };
      }
    },
    async close() {
      const database = await db?.catch(() => undefined);
      await database?.close();
    },
  };
}

/** How often at most the PGlite data directory is looked at for changes. */
const CHANGE_CHECK_MS = 1_000;
/** After a copy failed to open (taken mid-write, say), how long until the next try. */
const FAILED_COPY_BACKOFF_MS = 10_000;
/** How long a replaced copy stays open for the reads still running on it. */
const RETIRE_AFTER_MS = 30_000;

interface OpenCopy {
  readonly copy: PgliteCopy;
  readonly source: DataSource;
}

/**
 * A PGlite data directory is read from a copy. PGlite is a whole PostgreSQL inside this process,
 * with no locking between processes: opening the directory an agent is writing into would let two
 * servers write the same files. The copy keeps the dashboard strictly read-only towards the
 * agent's data. When the directory changes (its write-ahead log or control file, looked at once a
 * second at most, on a request), a new copy is taken in the background and replaces the old one
 * once it opens with the schema in place; until then, and if it cannot be opened, pages read the
 * previous copy. The footer says when the copy was taken. A directory that does not exist yet is
 * looked for again on each request.
 */
function pgliteDirectorySource(dataDir: string): DataSource {
  const label = `PGlite at ${dataDir}`;
  let current: OpenCopy | undefined;
  let first: Promise<void> | undefined;
  let refreshing: Promise<void> | undefined;
  let nextCheckAt = 0;
  let closed = false;
  const retired = new Map<OpenCopy, NodeJS.Timeout>();

  const open = async (): Promise<OpenCopy> => {
    const copy = await takePgliteCopy(dataDir);
    return { copy, source: withSchemaCheck(label, async () => pgliteReadOnlyDatabase(copy.db, { owned: true }), () => copy.takenAt) };
  };
  const discard = async (entry: OpenCopy): Promise<void> => {
    await entry.source.close();
    await discardPgliteCopy(entry.copy);
  };
  const retire = (entry: OpenCopy): void => {
    const timer = setTimeout(() => {
      retired.delete(entry);
      void discard(entry).catch(() => {});
    }, RETIRE_AFTER_MS);
    timer.unref();
    retired.set(entry, timer);
  };
  const refresh = async (): Promise<void> => {
    try {
      const next = await open();
      const state = await next.source.state();
      const old = current;
      // A copy that does not read (torn mid-write, schema gone) never replaces one that does.
      const oldReady = old ? (await old.source.state()).status === 'ready' : false;
      if (closed || (state.status !== 'ready' && oldReady)) {
        await discard(next);
        if (!closed) nextCheckAt = Date.now() + FAILED_COPY_BACKOFF_MS;
        return;
      }
      current = next;
      if (old) retire(old);
    } catch {
      nextCheckAt = Date.now() + FAILED_COPY_BACKOFF_MS;
    } finally {
      refreshing = undefined;
    }
  };

  return {
    label,
    snapshotAt: () => current?.copy.takenAt,
    async state() {
      if (!current) {
        if (!existsSync(join(dataDir, 'PG_VERSION'))) return { status: 'no-database', dataDir };
        first ??= open()
          .then((entry) => {
            current = entry;
          })
          .finally(() => {
            first = undefined;
          });
        try {
          await first;
        } catch (error) {
          return { status: 'unreachable', message: error instanceof Error ? error.message : String(error) };
        }
      } else if (!refreshing && !closed && Date.now() >= nextCheckAt) {
        nextCheckAt = Date.now() + CHANGE_CHECK_MS;
        if (directoryFingerprint(dataDir) !== current.copy.fingerprint) refreshing = refresh();
      }
      return current!.source.state();
    },
    async close() {
      closed = true;
      await refreshing;
      await first?.catch(() => {});
      for (const [entry, timer] of retired) {
        clearTimeout(timer);
        await discard(entry).catch(() => {});
      }
      retired.clear();
      if (current) await discard(current);
    },
  };
}
