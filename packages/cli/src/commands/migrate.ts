import { parseArgs } from 'node:util';
import { migrate, type MigrationResult } from '@mini-agent/exporter-postgres';
import { CliError, ExitCode, type Command, type Io } from '../command.js';
import { databaseErrorLine, databaseTarget, DATABASE_FLAGS, DATABASE_FLAGS_HELP } from '../database-target.js';
import { parsedOrUsageError } from '../parse.js';

const HELP = `Usage: mini-agent-otel migrate [--database-url URL | --data-dir DIR] [--supabase]

Creates or updates the mini_agent_observability tables. Each SQL migration is applied once and
recorded; running it again changes nothing.

Options:
${DATABASE_FLAGS_HELP}
  --supabase          Also apply the Supabase layer: public views for PostgREST, row-level
                      security on every table, writes for service_role, reads for authenticated
  -h, --help          Show this help

Examples:
  mini-agent-otel migrate
  mini-agent-otel migrate --database-url "$SUPABASE_DB_URL" --supabase`;

/** `migrate`: the schema, applied once. */
export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'Create or update the tables (idempotent)',
  help: HELP,
  async run(args, io) {
    const { values } = parsedOrUsageError('migrate', () =>
      parseArgs({ args: [...args], options: { ...DATABASE_FLAGS, supabase: { type: 'boolean' } }, strict: true, allowPositionals: false }),
    );
    const target = databaseTarget(values);
    io.out(`Migrating ${target.label}`);
    let result: MigrationResult;
    try {
      result = await migrate(target.kind === 'url' ? target.url : { dataDir: target.dataDir }, { supabase: values.supabase ?? false });
    } catch (error) {
      throw new CliError(databaseErrorLine(error));
    }
    printResult(result, io);
    return ExitCode.OK;
  },
};

function printResult(result: MigrationResult, io: Io): void {
  for (const name of result.applied) io.out(`  applied  ${name}`);
  if (result.applied.length === 0) io.out(`  up to date (${result.alreadyApplied.length} migrations already applied)`);
  else if (result.alreadyApplied.length > 0) io.out(`  ${result.alreadyApplied.length} already applied`);
  if (result.skipped.length > 0) io.out(`  not applied (Supabase layer; add --supabase): ${result.skipped.join(', ')}`);
  for (const name of result.changed) io.err(`warning: ${name} changed since it was applied; it is not applied again`);
}
