import { parseArgs } from 'node:util';
import { prune, type PruneProgress, type PruneResult } from '@mini-agent/exporter-postgres';
import { CliError, ExitCode, type Command, type Io } from '../command.js';
import { databaseErrorLine, databaseTarget, DATABASE_FLAGS, DATABASE_FLAGS_HELP } from '../database-target.js';
import { parsedOrUsageError } from '../parse.js';
import { parseDuration } from '../time-window.js';

const DEFAULT_BATCH_SIZE = 1000;
const MAX_BATCH_SIZE = 100_000;
const RETENTION_TABLE = 'mini_agent_observability.retention';

const HELP = `Usage: mini-agent-otel prune [--older-than 30d] [--dry-run] [--batch-size ${DEFAULT_BATCH_SIZE}]
                             [--database-url URL | --data-dir DIR]

Deletes stored telemetry older than the retention: whole traces (the trace and every span, tool
execution, LLM call, decision and metric sample of it) whose end time is before the cutoff, and
metric samples older than their own, possibly shorter, retention. A trace that ended after the
cutoff is kept whole, even if it started before. Then the resource rows (one per agent process)
that no span points at any more and that no writer used for longer than the traces' retention.

Without --older-than the retention comes from the table ${RETENTION_TABLE}
(days per table group; a new database keeps everything until you set it):
  UPDATE ${RETENTION_TABLE} SET keep_days = 30 WHERE table_group = 'traces';

Deletes in batches, each its own short transaction, printing progress: safe while agents and
\`serve\` write (only old rows are locked, new rows are never old). Running it again deletes
nothing more. On Supabase, a pg_cron job can do the same (docs/retention.md).

Options:
  --older-than D      Delete what is older than D (30d, 12h, 2w), in every table group,
                      instead of the retention table's days
  --dry-run           Count what would be deleted, per table; delete nothing
  --batch-size N      Traces per batch (1 to ${MAX_BATCH_SIZE}, default ${DEFAULT_BATCH_SIZE}): smaller batches hold
                      their locks for less time
${DATABASE_FLAGS_HELP}
  -h, --help          Show this help

Exit codes: 0 done (also when no retention is set: nothing to do), 1 the database failed,
2 the command line was wrong.

Examples:
  mini-agent-otel prune --older-than 30d --dry-run
  mini-agent-otel prune --older-than 30d
  17 3 * * * cd /srv/agent && npx mini-agent-otel prune   # daily, by the retention table`;

/** `prune`: delete what is older than the retention, batch by batch. */
export const pruneCommand: Command = {
  name: 'prune',
  summary: 'Delete telemetry older than the retention (or --older-than), in small batches',
  help: HELP,
  async run(args, io) {
    const { values } = parsedOrUsageError('prune', () =>
      parseArgs({
        args: [...args],
        options: { ...DATABASE_FLAGS, 'older-than': { type: 'string' }, 'dry-run': { type: 'boolean' }, 'batch-size': { type: 'string' } },
        strict: true,
        allowPositionals: false,
      }),
    );
    const olderThan = values['older-than'];
    const olderThanMs = olderThan === undefined ? undefined : parseDuration('--older-than', olderThan);
    const batchSize = batchSizeOf(values['batch-size']);
    const dryRun = values['dry-run'] ?? false;
    const target = databaseTarget(values);
    io.out(`${dryRun ? 'Dry run: counting' : 'Pruning'} ${target.label}${olderThan === undefined ? ` by ${RETENTION_TABLE}` : `, older than ${olderThan}`}`);
    let result: PruneResult;
    try {
      result = await prune(target.kind === 'url' ? target.url : { dataDir: target.dataDir }, {
        ...(olderThanMs === undefined ? {} : { olderThanMs }),
        dryRun,
        batchSize,
        onProgress: (progress) => io.out(progressLine(progress)),
      });
    } catch (error) {
      throw new CliError(databaseErrorLine(error));
    }
    printResult(result, io);
    return ExitCode.OK;
  },
};

function batchSizeOf(flag: string | undefined): number {
  if (flag === undefined) return DEFAULT_BATCH_SIZE;
  const n = Number(flag);
  if (!Number.isInteger(n) || n < 1 || n > MAX_BATCH_SIZE) {
    throw new CliError(`--batch-size must be a whole number from 1 to ${MAX_BATCH_SIZE}, got '${flag}'`, ExitCode.USAGE);
  }
  return n;
}

function progressLine(progress: PruneProgress): string {
  const rows = Object.values(progress.deleted).reduce((sum, n) => sum + n, 0);
  return `  batch ${progress.batches}: ${count(progress.deleted.traces ?? 0)} traces, ${count(rows)} rows deleted so far`;
}

function printResult(result: PruneResult, io: Io): void {
  if (result.cutoffs.length === 0) {
    io.out(`  no retention set: nothing to prune. Set one with --older-than, or in ${RETENTION_TABLE}:`);
    io.out(`    UPDATE ${RETENTION_TABLE} SET keep_days = 30 WHERE table_group = 'traces';`);
    return;
  }
  for (const { tableGroup, cutoff } of result.cutoffs) io.out(`  ${tableGroup}: before ${cutoff.toISOString()}`);
  const tables = Object.entries(result.rows).sort(([a], [b]) => (a === 'traces' ? -1 : b === 'traces' ? 1 : a.localeCompare(b)));
  const total = tables.reduce((sum, [, n]) => sum + n, 0);
  for (const [table, n] of tables) io.out(`  ${table.padEnd(20)} ${count(n).padStart(12)} ${result.dryRun ? 'to delete' : 'deleted'}`);
  io.out(result.dryRun
    ? `  ${count(total)} rows would be deleted; nothing was deleted (dry run)`
    : `  ${count(total)} rows deleted in ${result.batches} batch${result.batches === 1 ? '' : 'es'}` +
      (result.partitions > 0 ? ` and ${count(result.partitions)} whole partition${result.partitions === 1 ? '' : 's'} dropped` : ''));
}

function count(n: number): string {
  return n.toLocaleString('en');
}
