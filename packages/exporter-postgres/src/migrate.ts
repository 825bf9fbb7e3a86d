import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PGlite } from '@electric-sql/pglite';
import { labelOf, openDatabase, resolveConnection, secretOf, type ConnectionOptions } from './connection.js';
import type { Database, Queryable } from './database.js';
import { toDeliveryError } from './delivery-errors.js';
import { INSUFFICIENT_PRIVILEGE, MigrationError, privilegeErrorMessage, sqlStateOf, whoAmI } from './migration-errors.js';
import { isEarlierRevision } from './earlier-revisions.js';
import { partitionTables, type PartitionRequest, type TableLayout } from './partitioned-layout.js';
import { SCHEMA } from './tables.js';

/** Options of {@link migrate}. */
export interface MigrateOptions {
  /** Also apply the Supabase layer (files whose name contains `supabase`). Default `false`. */
  readonly supabase?: boolean;
  /** The folder of `*.sql` files. Default: the one shipped with this package (the repository's `sql/`). */
  readonly sqlDir?: string;
  /**
   * With `supabase`: how far a reader reads. `project`: every session; `user`: only the sessions
   * whose `user_id` is the reader's own user id (admins still read everything). Default: leave
   * the database's setting as it is (`project` when first applied).
   */
  readonly tenancy?: Tenancy;
  /**
   * Go on when a file already applied has changed since (its checksum differs from the one
   * recorded): the changed file is not applied again and is listed in `changed`. Default `false`:
   * `migrate()` refuses, naming the file and both checksums, and applies nothing. A migration is
   * never edited once released; a changed one is usually a stale or a locally edited checkout.
   */
  readonly allowChanged?: boolean;
  /**
   * After migrating, lay out the big span-derived tables as daily or weekly range partitions on
   * their time column, converting tables still plain with their rows (sql/090_partitions.sql;
   * server or PGlite, not inside a transaction). Default: leave the layout as it is.
   */
  readonly partitioned?: PartitionRequest;
}

/** Who a reader reads the sessions of: the whole project's, or only their own. */
export type Tenancy = 'project' | 'user';

/** What {@link migrate} did. */
export interface MigrationResult {
  /** The database, printable (password masked). */
  readonly target: string;
  /** Files applied by this call, in order. */
  readonly applied: string[];
  /** Files found already applied. */
  readonly alreadyApplied: string[];
  /** Supabase files left out because `supabase` was not set. */
  readonly skipped: string[];
  /** Already-applied files whose content changed since (only with `allowChanged`); they are not applied again. */
  readonly changed: string[];
  /** Files found applied in a known earlier revision of a released file: accepted as applied, not run again. */
  readonly earlierRevisions: string[];
  /** With `supabase`: the tenancy in force after this call. */
  tenancy?: Tenancy;
  /** What the migrations applied now ask the user to do (their `mini-agent:` NOTICEs), in order. */
  readonly notices: string[];
  /** With `partitioned`: the layout of each span-derived table after this call. */
  partitioned?: TableLayout[];
}

/** One migration file. */
export interface MigrationFile {
  readonly name: string;
  /** sha256 of the file's content, hex. */
  readonly checksum: string;
  readonly sql: string;
}

/** A database to migrate: a URL, an open PGlite instance, or the same options the exporter takes. */
export type MigrationTarget = string | PGlite | ConnectionOptions;

/** How a migration's NOTICE for the user begins. */
const NOTICE_PREFIX = 'mini-agent: ';

/** Serializes migrations across processes; the transaction-scoped lock also works behind transaction poolers. */
const LOCK = `SELECT pg_advisory_xact_lock(hashtext('${SCHEMA}.migrate'))`;
/** Read from the catalog, which needs no privilege: a writer that may not create anything can still tell. */
const BOOKKEEPING_EXISTS = `SELECT EXISTS (
  SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = '${SCHEMA}' AND c.relname = 'schema_migrations') AS present`;
const BOOKKEEPING = `
CREATE SCHEMA IF NOT EXISTS ${SCHEMA};
CREATE TABLE IF NOT EXISTS ${SCHEMA}.schema_migrations (
  name       text PRIMARY KEY,
  checksum   text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);`;

/**
 * Applies the ordered `*.sql` files once each, recording name and checksum in
 * `mini_agent_observability.schema_migrations`. Re-running is a no-op that needs only SELECT on
 * that table; two processes migrating at once take turns (advisory lock). Each file runs in its
 * own transaction, so a failing file leaves the ones before it applied and itself not at all.
 * Files must not contain BEGIN/COMMIT.
 *
 * @example
 * ```ts
 * await migrate(process.env.DATABASE_URL);          // a server
 * await migrate({ dataDir: '.mini-agent/pglite' });  // the embedded default
 * await migrate(url, { supabase: true });            // plus the Supabase layer
 * ```
 * @throws a `DeliveryError` with a one-line message naming the database (password masked); a
 *   user without the privileges to migrate is told which privilege is missing.
 */
export async function migrate(target: MigrationTarget = {}, options: MigrateOptions = {}): Promise<MigrationResult> {
  const connection = resolveConnection(
    typeof target === 'string' ? { databaseUrl: target } : isPglite(target) ? { pglite: target } : target,
  );
  const where = { target: labelOf(connection), secret: secretOf(connection), doing: 'migrate' };
  let db: Database | undefined;
  try {
    db = await openDatabase(connection);
    return await migrateDatabase(db, where.target, options);
  } catch (error) {
    throw toDeliveryError(error, where);
  } finally {
    await db?.close().catch(() => {});
  }
}

/** {@link migrate} on an open database; the sink uses it on its own connection. */
export async function migrateDatabase(db: Database, target: string, options: MigrateOptions = {}): Promise<MigrationResult> {
  if (options.tenancy !== undefined && !options.supabase) {
    throw new MigrationError(`tenancy '${options.tenancy}' needs the Supabase layer (supabase: true, --supabase)`, 'failed');
  }
  const result: MigrationResult = { target, applied: [], alreadyApplied: [], skipped: [], changed: [], earlierRevisions: [], notices: [] };
  const files = filesToApply(options, result.skipped);
  let recorded: Map<string, string>;
  try {
    recorded = await db.transaction(async (tx) => {
      await tx.query(LOCK);
      const [row] = await tx.query(BOOKKEEPING_EXISTS);
      if (row?.present !== true) await tx.execScript(BOOKKEEPING);
      return appliedChecksums(tx);
    });
  } catch (error) {
    throw await explainPrivilegeError(db, error, files.map((f) => f.name), options);
  }
  refuseChangedFiles(files, recorded, options.allowChanged ?? false);
  for (const file of files) {
    let checksum: string | undefined;
    try {
      checksum = recorded.get(file.name) ?? (await applyOnce(db, file, result.notices));
    } catch (error) {
      const pending = files.filter((f) => !recorded.has(f.name) && !result.applied.includes(f.name)).map((f) => f.name);
      throw await explainPrivilegeError(db, error, pending, options);
    }
    if (checksum === undefined) result.applied.push(file.name);
    else if (checksum === file.checksum) result.alreadyApplied.push(file.name);
    else if (isEarlierRevision(file.name, checksum)) result.earlierRevisions.push(file.name);
    else result.changed.push(file.name);
  }
  if (options.supabase) result.tenancy = await settleTenancy(db, options.tenancy);
  if (options.partitioned !== undefined) result.partitioned = await partitionTables(db, options.partitioned);
  return result;
}

/**
 * Without migrating (`migrate: false`): checks that every core migration this package ships is
 * applied, so a writer started before the owner migrated gets one clear error instead of a
 * failing INSERT per batch. Needs only SELECT on `schema_migrations`; a user that may not read it
 * (a role from before that grant) is not blocked, its writes say what is wrong.
 */
export async function checkMigrated(db: Database, options: Pick<MigrateOptions, 'sqlDir'> = {}): Promise<void> {
  const files = filesToApply({ ...options, supabase: false }, []);
  const [row] = await db.query(BOOKKEEPING_EXISTS);
  let recorded = new Map<string, string>();
  if (row?.present === true) {
    try {
      recorded = await appliedChecksums(db);
    } catch (error) {
      if (sqlStateOf(error) === INSUFFICIENT_PRIVILEGE) return;
      throw error;
    }
  }
  const pending = files.filter((f) => !recorded.has(f.name)).map((f) => f.name);
  if (pending.length === 0) return;
  throw new MigrationError(
    `the schema is not migrated: ${pending.length} migration${pending.length === 1 ? ' is' : 's are'} not applied (${pending.join(', ')}); ` +
      'apply them as the database owner (mini-agent-otel migrate), or start without --no-migrate / MINI_AGENT_MIGRATE=false',
    'not_migrated',
  );
}

/**
 * Refuses, before anything is applied, when a file the database recorded differs from the one
 * about to be skipped as applied: running over it would leave the database in a state no file
 * describes. Known earlier revisions of released files are not changes.
 */
function refuseChangedFiles(files: readonly MigrationFile[], recorded: ReadonlyMap<string, string>, allowChanged: boolean): void {
  if (allowChanged) return;
  const changed = files.filter((f) => {
    const applied = recorded.get(f.name);
    return applied !== undefined && applied !== f.checksum && !isEarlierRevision(f.name, applied);
  });
  if (changed.length === 0) return;
  const described = changed.map((f) => `${f.name} (applied with checksum ${recorded.get(f.name)}, the file now has ${f.checksum})`);
  throw new MigrationError(
    `${changed.length === 1 ? 'a migration was' : `${changed.length} migrations were`} changed after being applied to this database: ` +
      `${described.join('; ')}. Migrations are never edited once applied: restore ${changed.length === 1 ? 'the file' : 'the files'} ` +
      '(a stale or locally edited checkout?), or run with --allow-changed (allowChanged: true) to go on without applying ' +
      `${changed.length === 1 ? 'it' : 'them'} again`,
    'changed_file',
  );
}

function filesToApply(options: MigrateOptions, skipped: string[]): MigrationFile[] {
  const files: MigrationFile[] = [];
  for (const file of listMigrations(options.sqlDir)) {
    if (isSupabaseFile(file.name) && !options.supabase) skipped.push(file.name);
    else files.push(file);
  }
  return files;
}

/** A refusal for want of a privilege becomes one line naming it; any other error is passed on. */
async function explainPrivilegeError(db: Database, error: unknown, pending: readonly string[], options: MigrateOptions): Promise<unknown> {
  const code = sqlStateOf(error);
  if (code !== INSUFFICIENT_PRIVILEGE) return error;
  const raw = error instanceof MigrationFileError ? error.reason : error instanceof Error ? error.message : String(error);
  const who = await whoAmI(db);
  const message = privilegeErrorMessage({ message: raw, user: who?.user, pending, supabase: options.supabase ?? false });
  return new MigrationError(message, 'insufficient_privilege', { cause: error, code });
}

/** Writes the requested tenancy (when given) and returns the one in force. */
async function settleTenancy(db: Database, wanted: Tenancy | undefined): Promise<Tenancy> {
  if (wanted !== undefined) {
    await db.query(
      `UPDATE ${SCHEMA}.access_settings SET tenancy = $1, updated_at = now() WHERE singleton AND tenancy IS DISTINCT FROM $1`,
      [wanted],
    );
  }
  // A database migrated from an older (or a trimmed) set of files has no access settings yet: project-wide.
  const [exists] = await db.query(`SELECT to_regclass('${SCHEMA}.access_settings') IS NOT NULL AS present`);
  if (!exists?.present) return 'project';
  const [row] = await db.query(`SELECT tenancy FROM ${SCHEMA}.access_settings WHERE singleton`);
  return row?.tenancy === 'user' ? 'user' : 'project';
}

/** Applies one file unless another process did meanwhile; returns the checksum found, or undefined when applied now. */
async function applyOnce(db: Database, file: MigrationFile, notices: string[]): Promise<string | undefined> {
  return db.transaction(async (tx) => {
    await tx.query(LOCK);
    const found = (await appliedChecksums(tx)).get(file.name);
    if (found !== undefined) return found;
    const heard: string[] = [];
    try {
      // Only the messages a migration addresses to the user; not PostgreSQL's "already exists, skipping".
      await tx.execScript(file.sql, { onNotice: (message) => void (message.startsWith(NOTICE_PREFIX) && heard.push(message.slice(NOTICE_PREFIX.length))) });
    } catch (error) {
      throw new MigrationFileError(file.name, error);
    }
    await tx.query(`INSERT INTO ${SCHEMA}.schema_migrations (name, checksum) VALUES ($1, $2)`, [file.name, file.checksum]);
    notices.push(...heard);
    return undefined;
  });
}

async function appliedChecksums(tx: Queryable): Promise<Map<string, string>> {
  const rows = await tx.query(`SELECT name, checksum FROM ${SCHEMA}.schema_migrations`);
  return new Map(rows.map((r) => [String(r.name), String(r.checksum)]));
}

/** Files of the Supabase layer: roles, row-level security, PostgREST views. */
export function isSupabaseFile(name: string): boolean {
  return name.toLowerCase().includes('supabase');
}

/** The migration files of `dir` (default {@link findSqlDir}), in the order they apply. */
export function listMigrations(dir: string = findSqlDir()): MigrationFile[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.sql'))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .map((name) => {
      const sql = readFileSync(join(dir, name), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

/**
 * The `sql/` folder. Inside the repository that is the repository's own folder (the packaged copy,
 * made at build time, can be stale while a migration is being written); once installed, the copy
 * shipped inside the package.
 */
export function findSqlDir(): string {
  const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const repoDir = resolve(packageDir, '..', '..');
  const candidates = [
    ...(existsSync(join(repoDir, 'pnpm-workspace.yaml')) ? [join(repoDir, 'sql')] : []),
    join(packageDir, 'sql'),
  ];
  const found = candidates.find((dir) => existsSync(join(dir, '001_core_schema.sql')));
  if (!found) throw new Error(`mini-agent: no migrations found (looked in ${candidates.join(', ')})`);
  return found;
}

/** A migration file the database refused; keeps the driver's SQLSTATE so it is classified like any error. */
class MigrationFileError extends Error {
  readonly code: string | undefined;
  /** The database's own words, without the file name. */
  readonly reason: string;
  constructor(file: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`${file}: ${reason}`, { cause });
    this.reason = reason;
    const code = (cause as { code?: unknown } | null)?.code;
    this.code = typeof code === 'string' ? code : undefined;
  }
}

function isPglite(target: MigrationTarget): target is PGlite {
  return typeof target === 'object' && typeof (target as PGlite).exec === 'function' && typeof (target as PGlite).query === 'function';
}
