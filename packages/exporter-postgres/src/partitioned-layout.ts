import type { Queryable } from './database.js';
import { MigrationError } from './migration-errors.js';
import { SCHEMA } from './tables.js';

/** How wide each partition is: one UTC day, or one ISO week (from Monday). */
export type PartitionGrain = 'day' | 'week';

/** The partitioned layout asked of {@link migrate}: a grain, or a grain and where partitions start. */
export type PartitionRequest = PartitionGrain | { readonly grain: PartitionGrain; readonly since?: Date };

/** One span-derived table and its layout. */
export interface TableLayout {
  readonly table: string;
  readonly timeColumn: string;
  /** `null`: a plain table. */
  readonly grain: PartitionGrain | null;
  /** Partitions, the DEFAULT one included (0 for a plain table). */
  readonly partitions: number;
}

/**
 * Lays out the big span-derived tables as range partitions on their time column
 * (sql/090_partitions.sql): each table still plain is converted, its rows kept, while writers go
 * on writing; tables already partitioned keep their layout and get their partitions ahead. Runs
 * the procedure `partition_tables()`, which commits between steps: `db` must not be inside a
 * transaction.
 */
export async function partitionTables(db: Queryable, request: PartitionRequest): Promise<TableLayout[]> {
  const { grain, since } = typeof request === 'string' ? { grain: request, since: undefined } : request;
  if (grain !== 'day' && grain !== 'week') throw new MigrationError(`partitions are per day or per week, got '${String(grain)}'`, 'failed');
  if (since !== undefined && Number.isNaN(since.getTime())) throw new MigrationError('the start of the partitions is not a valid time', 'failed');
  // Literals, not parameters: a CALL that commits must come as a simple query (no implicit
  // transaction around it), which takes no parameters. Both values are checked above.
  await db.execScript(`CALL ${SCHEMA}.partition_tables('${grain}', ${since ? `'${since.toISOString()}'::timestamptz` : 'NULL'})`);
  return readLayout(db);
}

/** The layout of each span-derived table; empty on a database migrated before the partitioned layout existed. */
export async function readLayout(db: Pick<Queryable, 'query'>): Promise<TableLayout[]> {
  const [exists] = await db.query(`SELECT to_regclass('${SCHEMA}.partitioning') IS NOT NULL AS present`);
  if (exists?.present !== true) return [];
  const rows = await db.query(`
    SELECT p.table_name, p.time_column, CASE WHEN c.relkind = 'p' THEN p.grain END AS grain,
           (SELECT count(*) FROM pg_catalog.pg_inherits i WHERE i.inhparent = c.oid) AS partitions
      FROM ${SCHEMA}.partitioning p
      JOIN pg_catalog.pg_class c ON c.relname = p.table_name
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace AND n.nspname = '${SCHEMA}'
     ORDER BY p.table_name`);
  return rows.map((r) => ({
    table: String(r.table_name),
    timeColumn: String(r.time_column),
    grain: r.grain === 'day' || r.grain === 'week' ? r.grain : null,
    partitions: Number(r.partitions),
  }));
}
