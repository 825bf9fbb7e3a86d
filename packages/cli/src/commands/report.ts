import { parseArgs } from 'node:util';
import { CliError, ExitCode, type Command } from '../command.js';
import { databaseTarget, DATABASE_FLAGS, DATABASE_FLAGS_HELP } from '../database-target.js';
import { parsedOrUsageError } from '../parse.js';
import { openReadOnlyDatabase } from '../read-only-database.js';
import { reportAsMarkdown, reportAsTable } from '../report/render-report.js';
import { readReport } from '../report/report.js';
import { parseFormat, parseTimeWindow } from '../time-window.js';

const FORMATS = ['table', 'json', 'markdown'] as const;
const DEFAULT_LIMIT = 20;

const HELP = `Usage: mini-agent-otel report [--since 24h] [--until TIME] [--format table|json|markdown]
                              [--limit ${DEFAULT_LIMIT}] [--database-url URL | --data-dir DIR]

Summarizes what the agents did over a time window: per tool and per tool category (runs, errors,
error rate, avg/p50/p95/max latency), the sessions (how many, how many failed, how long they took,
and the newest runs one by one), the most frequent tool errors, token usage per model,
resource metrics (memory, CPU), spend (USD per model with time to first token, the costliest
sessions, the models that could not be priced), and the scores (per name, the lowest-scored
sessions, the newest scores one by one). The numbers are those of the SQL analytics functions
(tool_stats, category_stats, session_totals, session_stats, top_errors, model_usage,
metric_stats, cost_by_model, cost_by_session, unpriced_models, ttft_by_model, score_stats,
worst_sessions), so psql, Supabase Studio and Grafana show the same.

Options:
  --since TIME        Start of the window: a duration back from now (15m, 24h, 7d) or an ISO
                      time (2026-03-01, 2026-03-01T12:00:00Z). Default 24h
  --until TIME        End of the window (excluded), same forms. Default now
  --format FORMAT     table (default, for a terminal), json (every number unrounded, stable
                      keys) or markdown (to paste into an issue or a pull request)
  --limit N           At most N session runs, N error messages and N scores (default ${DEFAULT_LIMIT})
${DATABASE_FLAGS_HELP}
  -h, --help          Show this help

Exit codes: 0 the report was printed, 1 the database could not be read, 2 the command line was wrong.

Examples:
  mini-agent-otel report
  mini-agent-otel report --since 7d --format markdown > weekly.md
  mini-agent-otel report --since 2026-03-01 --until 2026-03-02 --format json | jq '.tools[] | {toolName, p95Ms}'`;

/** `report`: the analytics of a time window, for a terminal, a script or an issue. */
export const reportCommand: Command = {
  name: 'report',
  summary: 'Summarize tools, sessions, errors and token usage over a time window',
  help: HELP,
  async run(args, io) {
    const { values } = parsedOrUsageError('report', () =>
      parseArgs({
        args: [...args],
        options: { ...DATABASE_FLAGS, since: { type: 'string' }, until: { type: 'string' }, format: { type: 'string' }, limit: { type: 'string' } },
        strict: true,
        allowPositionals: false,
      }),
    );
    const format = parseFormat(values.format, FORMATS);
    const window = parseTimeWindow(values, '24h');
    const limit = limitOf(values.limit);
    const target = databaseTarget(values);

    const db = await openReadOnlyDatabase(target);
    const report = await db.read((query) => readReport(query, window.since!, window.until, limit)).finally(() => db.close());
    const lines = format === 'json' ? [JSON.stringify(report, null, 2)] : format === 'markdown' ? reportAsMarkdown(report) : reportAsTable(report, db.label);
    for (const line of lines) io.out(line);
    return ExitCode.OK;
  },
};

function limitOf(flag: string | undefined): number {
  if (flag === undefined) return DEFAULT_LIMIT;
  const limit = Number(flag);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) throw new CliError(`--limit must be a whole number from 1 to 100000, got '${flag}'`, ExitCode.USAGE);
  return limit;
}
