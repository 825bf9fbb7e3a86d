/**
 * `PostgresExporter`: agent spans → rows of the `mini_agent_observability` tables on PostgreSQL,
 * Supabase, or an embedded PGlite database; `migrate()` creates and updates those tables.
 *
 * @packageDocumentation
 */
export { PostgresExporter, type PostgresExporterOptions } from './postgres-exporter.js';
export { createPostgresSink, type PostgresSink, type PostgresSinkOptions } from './postgres-sink.js';
export {
  findSqlDir,
  isSupabaseFile,
  listMigrations,
  migrate,
  type MigrateOptions,
  type MigrationFile,
  type MigrationResult,
  type MigrationTarget,
  type Tenancy,
} from './migrate.js';
export {
  describeRetention,
  prune,
  readRetention,
  type PruneCutoff,
  type PruneOptions,
  type PruneProgress,
  type PruneResult,
  type PruneTarget,
  type RetentionSetting,
} from './prune.js';
export {
  partitionTables,
  readLayout,
  type PartitionGrain,
  type PartitionRequest,
  type TableLayout,
} from './partitioned-layout.js';
export { MIGRATE_ENV, migrateFromEnv } from './migrate-env.js';
export type { ConnectionOptions } from './connection.js';
export { maskDatabaseUrl, passwordOf } from './connection-url.js';
export { DEFAULT_PGLITE_DIR } from './pglite-database.js';
export { SCHEMA } from './tables.js';
