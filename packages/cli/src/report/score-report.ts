import { count, decimal, NONE, oneLine, utc } from '../format.js';
import type { Query } from '../read-only-database.js';
import { jsonRow } from '../rows.js';
import type { Column } from '../text-table.js';

// The scores part of `mini-agent-otel report`: the score analytics of sql/071_score_analytics.sql
// over the report's window, and the newest scores one by one.

/** One score name over the window (`score_stats`). Numeric figures cover numeric and boolean scores. */
export interface ScoreSummary {
  name: string;
  dataType: string;
  scores: number;
  sessions: number;
  avgValue: number | null;
  minValue: number | null;
  maxValue: number | null;
  medianValue: number | null;
  /** Label → count. */
  labels: Record<string, number>;
  firstAt: string;
  lastAt: string;
}

/** One score as stored (the `scores` table), newest first. */
export interface ScoreEntry {
  traceId: string;
  id: string;
  spanId: string | null;
  sessionId: string | null;
  name: string;
  dataType: string;
  value: number | null;
  label: string | null;
  explanation: string | null;
  source: string;
  author: string | null;
  createdAt: string;
}

/** The sessions with the lowest average score (`worst_sessions`). */
export interface WorstSession {
  traceId: string;
  sessionId: string | null;
  traceName: string | null;
  agentName: string | null;
  agentVersion: string | null;
  userId: string | null;
  scores: number;
  avgValue: number;
  minValue: number;
  lastAt: string;
}

/** The report's score sections. */
export interface ScoreReport {
  scoreStats: ScoreSummary[];
  worstSessions: WorstSession[];
  /** At most `limit` scores, newest first. */
  scores: ScoreEntry[];
}

const S = 'mini_agent_observability';

/** Reads the score sections over `[since, until)` (the report's `$1`, `$2`). */
export async function readScoreReport(query: Query, since: string, until: string, limit: number): Promise<ScoreReport> {
  const rows = async <T>(text: string, params: (string | number)[]) => (await query(text, params)).map((row) => jsonRow<T>(row));
  const scoreStats = await rows<ScoreSummary>(
    `SELECT name, data_type, scores, sessions, avg_value, min_value, max_value, median_value, labels, first_at, last_at
       FROM ${S}.score_stats($1::timestamptz, $2::timestamptz)`,
    [since, until],
  );
  const worstSessions = await rows<WorstSession>(
    `SELECT trace_id, session_id, trace_name, agent_name, agent_version, user_id, scores, avg_value, min_value, last_at
       FROM ${S}.worst_sessions(NULL, $1::timestamptz, $2::timestamptz, $3::integer)`,
    [since, until, Math.min(limit, 10)],
  );
  const scores = await rows<ScoreEntry>(
    // A score read from a span that did not carry the session id gets its trace's.
    `SELECT s.trace_id, s.id, s.span_id, coalesce(s.session_id, t.session_id) AS session_id, s.name, s.data_type, s.value, s.label,
            s.explanation, s.source, s.author, s.created_at
       FROM ${S}.scores s LEFT JOIN ${S}.traces t ON t.id = s.trace_id
      WHERE s.created_at >= $1::timestamptz AND s.created_at < $2::timestamptz
      ORDER BY s.created_at DESC, s.trace_id, s.id LIMIT $3`,
    [since, until, limit],
  );
  return { scoreStats, worstSessions, scores };
}

const right = 'right' as const;

/** Columns of the per-name score table. */
export const SCORE_STATS: Column<ScoreSummary>[] = [
  { header: 'score', cell: (r) => r.name },
  { header: 'type', cell: (r) => r.dataType },
  { header: 'count', cell: (r) => count(r.scores), align: right },
  { header: 'sessions', cell: (r) => count(r.sessions), align: right },
  { header: 'avg', cell: (r) => decimal(r.avgValue, 3), align: right },
  { header: 'min', cell: (r) => decimal(r.minValue, 3), align: right },
  { header: 'max', cell: (r) => decimal(r.maxValue, 3), align: right },
  { header: 'labels', cell: (r) => labelsText(r.labels) },
];

/** Columns of the newest scores. */
export const scoreEntryColumns = (traceIdLength: number, messageLength: number): Column<ScoreEntry>[] => [
  { header: 'given (UTC)', cell: (r) => utc(r.createdAt) },
  { header: 'trace', cell: (r) => r.traceId.slice(0, traceIdLength) },
  { header: 'span', cell: (r) => r.spanId ?? 'session' },
  { header: 'score', cell: (r) => r.name },
  { header: 'value', cell: (r) => (r.value === null ? (r.label ?? NONE) : r.label === null ? String(r.value) : `${r.value} (${r.label})`), align: right },
  { header: 'source', cell: (r) => r.source },
  { header: 'explanation', cell: (r) => (r.explanation === null ? NONE : oneLine(r.explanation, messageLength)) },
];

/** Columns of the worst sessions. */
export const worstSessionColumns = (traceIdLength: number): Column<WorstSession>[] => [
  { header: 'trace', cell: (r) => r.traceId.slice(0, traceIdLength) },
  { header: 'agent', cell: (r) => (r.agentName === null ? NONE : r.agentVersion ? `${r.agentName} ${r.agentVersion}` : r.agentName) },
  { header: 'scores', cell: (r) => count(r.scores), align: right },
  { header: 'avg', cell: (r) => decimal(r.avgValue, 3), align: right },
  { header: 'min', cell: (r) => decimal(r.minValue, 3), align: right },
];

function labelsText(labels: Record<string, number>): string {
  const entries = Object.entries(labels ?? {});
  return entries.length === 0 ? NONE : entries.map(([label, n]) => `${label} ${n}`).join(', ');
}
