import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PGlite } from '@electric-sql/pglite';
import { labelOf, openDatabase, resolveConnection, secretOf, type ConnectionOptions } from './connection.js';
import type { Database, Queryable } from './database.js';
import { toDeliveryError } from './delivery-errors.js';
import { SCHEMA } from './tables.js';

/** Options of {@link migrate}. */
export interface MigrateOptions {
  /** Also apply the Supabase layer (files whose name contains `supabase`). Default `false`. */
  readonly supabase?: boolean;
  /** The folder of `*.sql` files. Default: the one shipped with this package (the repository's `sql/`). */
  readonly sqlDir?: string;
}

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
  /** Already-applied files whose content changed since; they are not applied again. */
  readonly changed: string[];
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

/** Serializes migrations across processes; the transaction-scoped lock also works behind transaction poolers. */
const LOCK = `SELECT pg_advisory_xact_lock(hashtext('${SCHEMA}.migrate'))`;
const BOOKKEEPING = `
CREATE SCHEMA IF NOT EXISTS ${SCHEMA};
CREATE TABLE IF NOT EXISTS ${SCHEMA}.schema_migrations (
  name       text PRIMARY KEY,
  checksum   text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);`;

/**
 * Applies the ordered `*.sql` files once each, recording name and checksum in
 * `mini_agent_observability.schema_migrations`. Re-running is a no-op; two processes migrating at
 * once take turns (advisory lock). Each file runs in its own transaction, so a failing file leaves
 * the ones before it applied and itself not at all. Files must not contain BEGIN/COMMIT.
 *
 * @example
 * ```ts
 * await migrate(process.env.DATABASE_URL);          // a server
 * await migrate({ dataDir: '.mini-agent/pglite' });  // the embedded default
 * await migrate(url, { supabase: true });            // plus the Supabase layer
 * ```
 * @throws a `DeliveryError` with a one-line message naming the database (password masked).
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
  const result: MigrationResult = { target, applied: [], alreadyApplied: [], skipped: [], changed: [] };
  const files: MigrationFile[] = [];
  for (const file of listMigrations(options.sqlDir)) {
    if (isSupabaseFile(file.name) && !options.supabase) result.skipped.push(file.name);
    else files.push(file);
  }
  const recorded = await db.transaction(async (tx) => {
    await tx.query(LOCK);
    await tx.execScript(BOOKKEEPING);
    return appliedChecksums(tx);
  });
  for (const file of files) {
    const checksum = recorded.get(file.name) ?? (await applyOnce(db, file));
    if (checksum === undefined) result.applied.push(file.name);
    else if (checksum === file.checksum) result.alreadyApplied.push(file.name);
    else result.changed.push(file.name);
  }
  return result;
}

/** Applies one file unless another process did meanwhile; returns the checksum found, or undefined when applied now. */
async function applyOnce(db: Database, file: MigrationFile): Promise<string | undefined> {
  return db.transaction(async (tx) => {
    await tx.query(LOCK);
    const found = (await appliedChecksums(tx)).get(file.name);
    if (found !== undefined) return found;
    try {
      await tx.execScript(file.sql);
    } catch (error) {
      throw new MigrationFileError(file.name, error);
    }
    await tx.query(`INSERT INTO ${SCHEMA}.schema_migrations (name, checksum) VALUES ($1, $2)`, [file.name, file.checksum]);
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
  constructor(file: string, cause: unknown) {
    super(`${file}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    const code = (cause as { code?: unknown } | null)?.code;
    this.code = typeof code === 'string' ? code : undefined;
  }
}

function isPglite(target: MigrationTarget): target is PGlite {
  return typeof target === 'object' && typeof (target as PGlite).exec === 'function' && typeof (target as PGlite).query === 'function';
}
