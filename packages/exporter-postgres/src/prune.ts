import type { PGlite } from '@electric-sql/pglite';
import { labelOf, openDatabase, resolveConnection, secretOf, type ConnectionOptions } from './connection.js';
import type { Database, Queryable, Row } from './database.js';
import { toDeliveryError } from './delivery-errors.js';
import { MigrationError } from './migration-errors.js';
import { SCHEMA } from './tables.js';

/** Options of {@link prune}. */
export interface PruneOptions {
  /**
   * Delete what is older than this many milliseconds, in every table group. Omitted: each group's
   * `keep_days` from the `retention` table (a group without one keeps everything).
   */
  readonly olderThanMs?: number;
  /** Count what would be deleted, delete nothing. Default `false`. */
  readonly dryRun?: boolean;
  /** Traces (and metric samples) per batch; each batch is one short transaction. Default 1000. */
  readonly batchSize?: number;
  /** Called after each batch with the totals so far. */
  readonly onProgress?: (progress: PruneProgress) => void;
}

/** Where a prune stands after a batch. */
export interface PruneProgress {
  readonly batches: number;
  /** Rows deleted so far, per table. */
  readonly deleted: Readonly<Record<string, number>>;
}

/** What a table group's cutoff is: rows older than `cutoff` go. */
export interface PruneCutoff {
  readonly tableGroup: string;
  readonly cutoff: Date;
}

/** What {@link prune} did (or, with `dryRun`, would do). */
export interface PruneResult {
  /** The database, printable (password masked). */
  readonly target: string;
  readonly dryRun: boolean;
  /** The groups pruned and their cutoffs; empty when no retention is set and no `olderThanMs` given. */
  readonly cutoffs: PruneCutoff[];
  /**
   * Rows deleted (dry run: that would be deleted), per table; `traces` counts whole traces, and
   * `resources` the resource rows no span points at any more (a dry run counts only those unused
   * already). A table with nothing deleted is absent.
   */
  readonly rows: Record<string, number>;
  /** Row batches that deleted something (each its own transaction). */
  readonly batches: number;
  /**
   * Whole partitions dropped (the partitioned layout, sql/092_partition_prune.sql), each its own
   * transaction; their rows are in `rows`. 0 on plain tables.
   */
  readonly partitions: number;
}

/** The retention of one table group, as the `retention` table holds it. */
export interface RetentionSetting {
  readonly tableGroup: string;
  /** `null`: kept forever. */
  readonly keepDays: number | null;
}

/** A database to prune: a URL, an open PGlite instance, or the options the exporter takes. */
export type PruneTarget = string | PGlite | ConnectionOptions;

const DEFAULT_BATCH_SIZE = 1000;

/**
 * Deletes rows older than the retention (or `olderThanMs`) in bounded batches, each its own
 * transaction, through the SQL function `prune_batch()` that a `pg_cron` job reaches through
 * the procedure `prune()`. Whole traces go together: a trace is as old as its end time.
 * Safe while agents write: a batch locks only old traces, skipping one a writer holds.
 *
 * @example
 * ```ts
 * const result = await prune(process.env.DATABASE_URL, { olderThanMs: 30 * 86_400_000 });
 * console.log(result.rows.traces, 'traces deleted');
 * ```
 * @throws a `DeliveryError` with a one-line message naming the database (password masked).
 */
export async function prune(target: PruneTarget = {}, options: PruneOptions = {}): Promise<PruneResult> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a whole number of at least 1, got ${batchSize}`);
  if (options.olderThanMs !== undefined && !(options.olderThanMs > 0 && Number.isFinite(options.olderThanMs))) {
    throw new RangeError(`olderThanMs must be a positive number of milliseconds, got ${options.olderThanMs}`);
  }
  const connection = resolveConnection(typeof target === 'string' ? { databaseUrl: target } : isPglite(target) ? { pglite: target } : target);
  const where = { target: labelOf(connection), secret: secretOf(connection), doing: 'prune' };
  let db: Database | undefined;
  try {
    db = await openDatabase(connection);
    return await pruneDatabase(db, where.target, options, batchSize);
  } catch (error) {
    throw toDeliveryError(error, where);
  } finally {
    await db?.close().catch(() => {});
  }
}

async function pruneDatabase(db: Queryable, target: string, options: PruneOptions, batchSize: number): Promise<PruneResult> {
  const olderThan = options.olderThanMs === undefined ? null : `${Math.round(options.olderThanMs)} milliseconds`;
  const [ready] = await db.query(`SELECT to_regprocedure('${SCHEMA}.prune_batch(interval, integer, timestamptz)') IS NOT NULL AS present`);
  if (ready?.present !== true) {
    throw new MigrationError('the schema has no retention functions yet (sql/050_retention.sql): apply the migrations first (mini-agent-otel migrate)', 'not_migrated');
  }
  // One instant for the whole run, so its cutoff does not creep forward batch by batch.
  const [clock] = await db.query('SELECT now()::text AS as_of');
  const asOf = String(clock?.as_of);
  const cutoffs = (await db.query(`SELECT table_group, cutoff FROM ${SCHEMA}.prune_cutoffs($1::interval, $2::timestamptz) ORDER BY 1 DESC`, [olderThan, asOf])).map(
    (r) => ({ tableGroup: String(r.table_group), cutoff: new Date(r.cutoff as string | Date) }),
  );
  const rows: Record<string, number> = {};
  const result = { target, dryRun: options.dryRun ?? false, cutoffs, rows, batches: 0, partitions: 0 };
  if (cutoffs.length === 0) return result;
  // Resources no span points at any more (sql/096_resource_retention.sql), after the spans went.
  const [withResources] = await db.query(`SELECT to_regprocedure('${SCHEMA}.prune_resources(interval, timestamptz, boolean)') IS NOT NULL AS present`);
  const pruneResources = async (dryRun: boolean) => {
    if (withResources?.present === true) {
      addUp(rows, await db.query(`SELECT table_name, deleted FROM ${SCHEMA}.prune_resources($1::interval, $2::timestamptz, $3)`, [olderThan, asOf, dryRun]));
    }
  };
  if (result.dryRun) {
    for (const r of await db.query(`SELECT table_name, rows_to_delete FROM ${SCHEMA}.prune_preview($1::interval, $2::timestamptz)`, [olderThan, asOf])) {
      rows[String(r.table_name)] = Number(r.rows_to_delete);
    }
    // Counts only the resources unused already: those the traces above would free are not known
    // before their spans are gone.
    await pruneResources(true);
    return result;
  }
  // The partitioned layout (sql/092_partition_prune.sql): whole old partitions dropped first, one
  // per transaction, until none is left to drop (empty ones too); the batches then delete what is
  // left. A plain database has no partition to drop.
  const [partitioned] = await db.query(`SELECT to_regprocedure('${SCHEMA}.prune_partition(interval, timestamptz)') IS NOT NULL AS present`);
  if (partitioned?.present === true) {
    for (;;) {
      const dropped = await db.query(`SELECT table_name, deleted FROM ${SCHEMA}.prune_partition($1::interval, $2::timestamptz)`, [olderThan, asOf]);
      if (dropped.length === 0) break;
      addUp(rows, dropped);
      result.partitions += dropped.length;
    }
  }
  for (;;) {
    const batch = await db.query(`SELECT table_name, deleted FROM ${SCHEMA}.prune_batch($1::interval, $2, $3::timestamptz)`, [olderThan, batchSize, asOf]);
    if (addUp(rows, batch) === 0) break;
    result.batches += 1;
    options.onProgress?.({ batches: result.batches, deleted: { ...rows } });
  }
  await pruneResources(false);
  return result;
}

/** Adds the rows deleted per table into `rows`; returns how many in all. */
function addUp(rows: Record<string, number>, deleted: readonly Row[]): number {
  let total = 0;
  for (const r of deleted) {
    const n = Number(r.deleted);
    total += n;
    rows[String(r.table_name)] = (rows[String(r.table_name)] ?? 0) + n;
  }
  return total;
}

/** The `retention` table's settings, per table group; empty on a database migrated before it existed. */
export async function readRetention(db: Pick<Queryable, 'query'>): Promise<RetentionSetting[]> {
  const [exists] = await db.query(`SELECT to_regclass('${SCHEMA}.retention') IS NOT NULL AS present`);
  if (exists?.present !== true) return [];
  const settings = await db.query(`SELECT table_group, keep_days FROM ${SCHEMA}.retention ORDER BY table_group DESC`);
  return settings.map((r) => ({ tableGroup: String(r.table_group), keepDays: r.keep_days === null ? null : Number(r.keep_days) }));
}

/**
 * The retention in one line, for the report and the dashboard: `traces 30 days, performance_metrics
 * 7 days`, or that everything is kept when nothing is set.
 */
export function describeRetention(settings: readonly RetentionSetting[]): string {
  const set = settings.filter((s) => s.keepDays !== null);
  if (set.length === 0) return 'none set: every row is kept (mini_agent_observability.retention; mini-agent-otel prune)';
  return settings.map((s) => `${s.tableGroup} ${s.keepDays === null ? 'kept forever' : `${s.keepDays} day${s.keepDays === 1 ? '' : 's'}`}`).join(', ');
}

function isPglite(target: PruneTarget): target is PGlite {
  return typeof target === 'object' && typeof (target as PGlite).exec === 'function' && typeof (target as PGlite).query === 'function';
}
