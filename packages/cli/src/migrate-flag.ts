import { MIGRATE_ENV } from '@mini-agent/exporter-postgres';

/** The `--no-migrate` flag of the commands that write (`serve`, `demo`). */
export const MIGRATE_FLAGS = {
  'no-migrate': { type: 'boolean' },
} as const;

/** Help text for {@link MIGRATE_FLAGS}. */
export const MIGRATE_FLAGS_HELP = [
  '  --no-migrate        Do not create or update the tables; only check they are migrated. For a',
  `                      writer without CREATE privileges such as mini_agent_writer (also: ${MIGRATE_ENV}=false)`,
].join('\n');

/**
 * The sink's `migrate` option: `false` with `--no-migrate`; otherwise left to the sink, which
 * reads `MINI_AGENT_MIGRATE` and migrates by default.
 */
export function migrateOptionOf(noMigrate: boolean | undefined): { migrate?: false } {
  return noMigrate ? { migrate: false } : {};
}

/**
 * The sink failures a command cannot outlive: the schema is not there and this user may not make
 * it, or a migration applied before has been edited since (`mini-agent-otel migrate --allow-changed`).
 */
export function needsOperator(error: unknown): boolean {
  const reason = (error as { reason?: unknown } | null)?.reason;
  return reason === 'insufficient_privilege' || reason === 'not_migrated' || reason === 'changed_file';
}
