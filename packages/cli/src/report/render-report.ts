import { describeRetention } from '@mini-agent/exporter-postgres';
import { count, decimal, humanDuration, metricValue, NONE, oneLine, utc } from '../format.js';
import { markdownTable, textTable, type Column } from '../text-table.js';
import { SCORE_STATS, scoreEntryColumns, worstSessionColumns } from './score-report.js';
import { spendSections } from './spend.js';
import type { CategorySummary, ErrorSummary, MetricSummary, ModelSummary, Report, SessionSummary, SessionTotals, ToolSummary } from './report.js';

// The report for people: the same sections in the terminal (aligned columns) and in markdown
// (tables to paste into an issue or a pull request). Numbers keep one decimal, as the alert
// thresholds read; `--format json` has them unrounded.

const right = 'right' as const;
const latencyColumns = <R extends { avgMs: number | null; p50Ms: number | null; p95Ms: number | null; maxMs: number | null }>(): Column<R>[] => [
  { header: 'avg ms', cell: (r) => decimal(r.avgMs), align: right },
  { header: 'p50 ms', cell: (r) => decimal(r.p50Ms), align: right },
  { header: 'p95 ms', cell: (r) => decimal(r.p95Ms), align: right },
  { header: 'max ms', cell: (r) => decimal(r.maxMs), align: right },
];
const outcomeColumns = <R extends { executions: number; errors: number; errorPct: number }>(): Column<R>[] => [
  { header: 'runs', cell: (r) => count(r.executions), align: right },
  { header: 'errors', cell: (r) => count(r.errors), align: right },
  { header: 'error %', cell: (r) => decimal(r.errorPct), align: right },
];

const TOOLS: Column<ToolSummary>[] = [
  { header: 'tool', cell: (r) => r.toolName },
  { header: 'category', cell: (r) => r.category },
  ...outcomeColumns<ToolSummary>(),
  ...latencyColumns<ToolSummary>(),
];
const CATEGORIES: Column<CategorySummary>[] = [{ header: 'category', cell: (r) => r.category }, ...outcomeColumns<CategorySummary>(), ...latencyColumns<CategorySummary>()];

const TOTALS: Column<SessionTotals>[] = [
  { header: 'sessions', cell: (r) => count(r.sessions), align: right },
  { header: 'complete', cell: (r) => count(r.completeSessions), align: right },
  { header: 'failed', cell: (r) => count(r.failedSessions), align: right },
  { header: 'failed %', cell: (r) => decimal(r.failedPct), align: right },
  { header: 'p50 duration', cell: (r) => humanDuration(r.p50DurationMs), align: right },
  { header: 'p95 duration', cell: (r) => humanDuration(r.p95DurationMs), align: right },
  { header: 'max duration', cell: (r) => humanDuration(r.maxDurationMs), align: right },
];

/** The outcome of one session in a word: a session still running (or whose root span was lost) has none yet. */
const outcome = (r: SessionSummary) => (!r.complete ? 'incomplete' : r.failed ? 'FAILED' : 'ok');
// The terminal shows trace ids cut to 16 of their 32 hex digits to keep a row on one screen; the
// markdown and JSON output have them whole.
const sessionColumns = (traceIdLength: number): Column<SessionSummary>[] => [
  { header: 'started (UTC)', cell: (r) => utc(r.startedAt) },
  { header: 'trace', cell: (r) => r.traceId.slice(0, traceIdLength) },
  { header: 'agent', cell: (r) => r.agentName ?? NONE },
  { header: 'outcome', cell: outcome },
  { header: 'duration', cell: (r) => humanDuration(r.durationMs), align: right },
  { header: 'tools', cell: (r) => count(r.toolCount), align: right },
  { header: 'failed tools', cell: (r) => count(r.failedTools), align: right },
  { header: 'peak mem %', cell: (r) => decimal(r.peakMemoryPct), align: right },
];

const errorColumns = (messageLength: number): Column<ErrorSummary>[] => [
  { header: 'count', cell: (r) => count(r.occurrences), align: right },
  { header: 'tools', cell: (r) => r.toolNames.join(', ') },
  { header: 'last seen (UTC)', cell: (r) => utc(r.lastSeen) },
  { header: 'message', cell: (r) => (r.errorMessage === null ? '(no message)' : oneLine(r.errorMessage, messageLength)) },
];

const MODELS: Column<ModelSummary>[] = [
  { header: 'model', cell: (r) => r.model ?? NONE },
  { header: 'provider', cell: (r) => r.provider ?? NONE },
  { header: 'calls', cell: (r) => count(r.generations), align: right },
  { header: 'errors', cell: (r) => count(r.errors), align: right },
  { header: 'input tokens', cell: (r) => count(r.inputTokens), align: right },
  { header: 'output tokens', cell: (r) => count(r.outputTokens), align: right },
  { header: 'total tokens', cell: (r) => count(r.totalTokens), align: right },
  { header: 'p50 ms', cell: (r) => decimal(r.p50Ms), align: right },
  { header: 'p95 ms', cell: (r) => decimal(r.p95Ms), align: right },
];

const METRICS: Column<MetricSummary>[] = [
  { header: 'metric', cell: (r) => r.metricType },
  { header: 'unit', cell: (r) => r.unit ?? NONE },
  { header: 'samples', cell: (r) => count(r.samples), align: right },
  { header: 'avg', cell: (r) => metricValue(r.avgValue, r.unit), align: right },
  { header: 'p50', cell: (r) => metricValue(r.p50Value, r.unit), align: right },
  { header: 'p95', cell: (r) => metricValue(r.p95Value, r.unit), align: right },
  { header: 'max', cell: (r) => metricValue(r.maxValue, r.unit), align: right },
];

type Table = <R>(columns: readonly Column<R>[], rows: readonly R[]) => string[];

interface Section {
  readonly title: string;
  readonly lines: string[];
}

function sections(report: Report, table: Table, shape: { traceIdLength: number; messageLength: number }): Section[] {
  const { sessionTotals: totals, limit } = report;
  const listed = (shown: number, all: number, what: string) => (all > shown ? ` (the ${shown} newest of ${all} ${what}; --limit to list more)` : '');
  const orNone = <R>(columns: readonly Column<R>[], rows: readonly R[], none: string) => (rows.length > 0 ? table(columns, rows) : [none]);
  return [
    { title: 'Tools', lines: orNone(TOOLS, report.tools, 'No tool executions in this window.') },
    { title: 'Tool categories', lines: orNone(CATEGORIES, report.categories, 'No tool executions in this window.') },
    { title: 'Sessions', lines: table(TOTALS, [totals]) },
    {
      title: `Session runs${listed(report.sessions.length, totals.sessions, 'runs')}`,
      lines: orNone(sessionColumns(shape.traceIdLength), report.sessions, 'No sessions in this window.'),
    },
    {
      title: `Top errors${report.topErrors.length === limit ? ` (the ${limit} most frequent; --limit to list more)` : ''}`,
      lines: orNone(errorColumns(shape.messageLength), report.topErrors, 'No tool errors in this window.'),
    },
    { title: 'Models', lines: orNone(MODELS, report.models, 'No LLM calls in this window.') },
    ...spendSections(report.spend, table, shape.traceIdLength),
    { title: 'Resources', lines: orNone(METRICS, report.metrics, 'No performance metrics in this window.') },
    { title: 'Scores', lines: orNone(SCORE_STATS, report.scoreStats, 'No scores in this window.') },
    ...(report.scores.length > 0
      ? [
          { title: 'Lowest-scored sessions', lines: orNone(worstSessionColumns(shape.traceIdLength), report.worstSessions, 'No numeric scores in this window.') },
          { title: `Newest scores${listed(report.scores.length, report.scoreStats.reduce((n, s) => n + s.scores, 0), 'scores')}`, lines: table(scoreEntryColumns(shape.traceIdLength, shape.messageLength), report.scores) },
        ]
      : []),
    { title: 'Retention', lines: [describeRetention(report.retention)] },
  ];
}

const windowLine = (report: Report) => `${utc(report.window.since)} to ${utc(report.window.until)}`;

/** The report as aligned text for a terminal. */
export function reportAsTable(report: Report, databaseLabel: string): string[] {
  const lines = [`mini-agent-otel report: ${windowLine(report)}`, `Database: ${databaseLabel}`];
  for (const section of sections(report, (c, r) => textTable(c, r), { traceIdLength: 16, messageLength: 80 })) {
    lines.push('', `${section.title}:`, ...section.lines.map((line) => (line.startsWith('  ') ? line : `  ${line}`)));
  }
  return lines;
}

/** The report as markdown, to paste into an issue or a pull request. */
export function reportAsMarkdown(report: Report): string[] {
  const lines = [`## mini-agent-otel report`, '', `Window: ${windowLine(report)}. Latencies in ms, rates in %.`];
  for (const section of sections(report, (c, r) => markdownTable(c, r), { traceIdLength: 32, messageLength: 200 })) {
    lines.push('', `### ${section.title}`, '', ...section.lines);
  }
  return lines;
}
