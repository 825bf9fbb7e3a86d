import { parseArgs } from 'node:util';
import { migrate, type MigrationResult, type PartitionGrain, type Tenancy } from '@mini-agent/exporter-postgres';
import { CliError, ExitCode, type Command, type Io } from '../command.js';
import { databaseErrorLine, databaseTarget, DATABASE_FLAGS, DATABASE_FLAGS_HELP } from '../database-target.js';
import { parsedOrUsageError } from '../parse.js';

const HELP = `Usage: mini-agent-otel migrate [--database-url URL | --data-dir DIR] [--supabase [--tenancy project|user]] [--allow-changed] [--partitioned day|week]

Creates or updates the mini_agent_observability tables. Each SQL migration is applied once and
recorded; running it again changes nothing (and needs only SELECT on schema_migrations). Run it
as the database owner; agents and the bridge can then write as a user without CREATE privileges
(mini_agent_writer) with --no-migrate.

Options:
${DATABASE_FLAGS_HELP}
  --supabase          Also apply the Supabase layer: public views for PostgREST, row-level
                      security on every table, writes for service_role and mini_agent_writer,
                      reads for the signed-in users you make readers (docs/supabase.md)
  --tenancy MODE      With --supabase: project (default) lets a reader read every session;
                      user lets a reader read only the sessions whose user_id is their own
                      (admins read everything). Omitted: the database keeps its setting
  --allow-changed     Go on when a migration applied before has changed since (it is refused
                      otherwise, naming the file and both checksums); the changed file is not
                      applied again
  --partitioned GRAIN Lay out spans, tool_executions, generations, decisions and
                      performance_metrics as range partitions on their time column, one per
                      day or per week (GRAIN), converting tables still plain with their rows
                      while agents write; prune then drops whole partitions
                      (docs/scaling.md). Omitted: the layout stays as it is
  -h, --help          Show this help

Examples:
  mini-agent-otel migrate
  mini-agent-otel migrate --database-url "$SUPABASE_DB_URL" --supabase
  mini-agent-otel migrate --database-url "$SUPABASE_DB_URL" --supabase --tenancy user`;

/** `migrate`: the schema, applied once. */
export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'Create or update the tables (idempotent)',
  help: HELP,
  async run(args, io) {
    const { values } = parsedOrUsageError('migrate', () =>
      parseArgs({ args: [...args], options: { ...DATABASE_FLAGS, supabase: { type: 'boolean' }, tenancy: { type: 'string' }, 'allow-changed': { type: 'boolean' }, partitioned: { type: 'string' } }, strict: true, allowPositionals: false }),
    );
    const tenancy = tenancyOf(values.tenancy, values.supabase ?? false);
    const partitioned = grainOf(values.partitioned);
    const target = databaseTarget(values);
    io.out(`Migrating ${target.label}`);
    let result: MigrationResult;
    try {
      result = await migrate(target.kind === 'url' ? target.url : { dataDir: target.dataDir }, {
        supabase: values.supabase ?? false,
        allowChanged: values['allow-changed'] ?? false,
        ...(tenancy ? { tenancy } : {}),
        ...(partitioned ? { partitioned } : {}),
      });
    } catch (error) {
      throw new CliError(databaseErrorLine(error));
    }
    printResult(result, io);
    return ExitCode.OK;
  },
};

function tenancyOf(flag: string | undefined, supabase: boolean): Tenancy | undefined {
  if (flag === undefined) return undefined;
  if (flag !== 'project' && flag !== 'user') throw new CliError(`--tenancy must be project or user, got '${flag}'`, ExitCode.USAGE);
  if (!supabase) throw new CliError('--tenancy applies to the Supabase layer: add --supabase', ExitCode.USAGE);
  return flag;
}

function grainOf(flag: string | undefined): PartitionGrain | undefined {
  if (flag === undefined) return undefined;
  if (flag !== 'day' && flag !== 'week') throw new CliError(`--partitioned must be day or week, got '${flag}'`, ExitCode.USAGE);
  return flag;
}

function printResult(result: MigrationResult, io: Io): void {
  for (const name of result.applied) io.out(`  applied  ${name}`);
  if (result.applied.length === 0) io.out(`  up to date (${result.alreadyApplied.length} migrations already applied)`);
  else if (result.alreadyApplied.length > 0) io.out(`  ${result.alreadyApplied.length} already applied`);
  if (result.skipped.length > 0) io.out(`  not applied (Supabase layer; add --supabase): ${result.skipped.join(', ')}`);
  if (result.tenancy === 'user') io.out('  tenancy: user (a reader reads only their own sessions; admins read all)');
  else if (result.tenancy === 'project') io.out('  tenancy: project (every reader reads every session)');
  for (const layout of result.partitioned ?? []) {
    io.out(`  ${layout.table}: ${layout.grain === null ? 'plain' : `${layout.partitions} partitions by ${layout.grain} of ${layout.timeColumn}`}`);
  }
  for (const notice of result.notices) io.out(`  note: ${notice}`);
  for (const name of result.earlierRevisions) io.out(`  note: ${name} was applied in an earlier released revision; kept as applied`);
  for (const name of result.changed) io.err(`warning: ${name} changed since it was applied; it is not applied again (--allow-changed)`);
}
