import { readRetention, type RetentionSetting } from '@mini-agent/exporter-postgres';
import type { Query } from '../read-only-database.js';
import { jsonRow } from '../rows.js';
import { readScoreReport, type ScoreReport } from './score-report.js';
import { readSpend, type Spend } from './spend.js';

// What `mini-agent-otel report` reads: the analytics functions of sql/010_analytics.sql over one
// window, each row as the function returns it (columns in camelCase, times as ISO strings).

/** One tool over the window (`tool_stats`). Latencies in ms, rates in percent (0–100). */
export interface ToolSummary {
  toolName: string;
  category: string;
  executions: number;
  successes: number;
  errors: number;
  successPct: number;
  errorPct: number;
  avgMs: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
  firstAt: string;
  lastAt: string;
}

/** One tool category over the window (`category_stats`). */
export interface CategorySummary {
  category: string;
  executions: number;
  successes: number;
  errors: number;
  successPct: number;
  errorPct: number;
  avgMs: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
}

/** All sessions of the window in one row (`session_totals`). */
export interface SessionTotals {
  sessions: number;
  completeSessions: number;
  failedSessions: number;
  /** Failed / complete sessions × 100; null when no session is complete. */
  failedPct: number | null;
  p50DurationMs: number | null;
  p95DurationMs: number | null;
  maxDurationMs: number | null;
}

/** One session run, i.e. one trace (`session_stats`). */
export interface SessionSummary {
  traceId: string;
  sessionId: string | null;
  agentName: string | null;
  name: string | null;
  userId: string | null;
  status: string;
  complete: boolean;
  failed: boolean;
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
  toolCount: number;
  failedTools: number;
  peakMemoryPct: number | null;
  peakMemoryBytes: number | null;
}

/** One tool error message (`top_errors`). */
export interface ErrorSummary {
  errorMessage: string | null;
  occurrences: number;
  toolNames: string[];
  firstSeen: string;
  lastSeen: string;
}

/** Token usage of one model (`model_usage`). */
export interface ModelSummary {
  model: string | null;
  provider: string | null;
  generations: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  p50Ms: number | null;
  p95Ms: number | null;
}

/** One performance metric series (`metric_stats`). */
export interface MetricSummary {
  metricType: string;
  unit: string | null;
  samples: number;
  avgValue: number;
  p50Value: number;
  p95Value: number;
  maxValue: number;
}

/**
 * The whole report: the `--format json` document. Lists are ordered (tools and categories by
 * executions, sessions newest first, errors most frequent first, models by total tokens);
 * `sessions` and `topErrors` hold at most `limit` rows, `sessionTotals` counts them all.
 */
export interface Report extends ScoreReport {
  window: { since: string; until: string };
  limit: number;
  tools: ToolSummary[];
  categories: CategorySummary[];
  sessionTotals: SessionTotals;
  sessions: SessionSummary[];
  topErrors: ErrorSummary[];
  models: ModelSummary[];
  metrics: MetricSummary[];
  /** What the LLM calls cost: per model (with time to first token), the costliest sessions, the unpriced models. */
  spend: Spend;
  /** How long rows are kept, per table group (`keepDays` null: forever); empty before the retention migration. */
  retention: RetentionSetting[];
}

const S = 'mini_agent_observability';
const WINDOW = '$1::timestamptz, $2::timestamptz';

/** Reads every section of the report over `[since, until)`; `limit` caps the session and error lists. */
export async function readReport(query: Query, since: Date, until: Date, limit: number): Promise<Report> {
  const params = [since.toISOString(), until.toISOString()];
  const rows = async <T>(text: string, extra: (number | string)[] = []) => (await query(text, [...params, ...extra])).map((row) => jsonRow<T>(row));

  const tools = await rows<ToolSummary>(
    `SELECT tool_name, category, executions, successes, errors, success_pct, error_pct, avg_ms, p50_ms, p95_ms, max_ms, first_at, last_at
       FROM ${S}.tool_stats(${WINDOW}) ORDER BY executions DESC, tool_name, category`,
  );
  const categories = await rows<CategorySummary>(
    `SELECT category, executions, successes, errors, success_pct, error_pct, avg_ms, p50_ms, p95_ms, max_ms
       FROM ${S}.category_stats(${WINDOW}) ORDER BY executions DESC, category`,
  );
  const [sessionTotals] = await rows<SessionTotals>(
    `SELECT sessions, complete_sessions, failed_sessions, failed_pct, p50_duration_ms, p95_duration_ms, max_duration_ms
       FROM ${S}.session_totals(${WINDOW})`,
  );
  const sessions = await rows<SessionSummary>(
    `SELECT trace_id, session_id, agent_name, name, user_id, status, complete, failed, started_at, ended_at, duration_ms,
            tool_count, failed_tools, peak_memory_pct, peak_memory_bytes
       FROM ${S}.session_stats(${WINDOW}) ORDER BY started_at DESC NULLS LAST, trace_id LIMIT $3`,
    [limit],
  );
  const topErrors = await rows<ErrorSummary>(
    `SELECT error_message, occurrences, tool_names, first_seen, last_seen FROM ${S}.top_errors(${WINDOW}, $3::integer)`,
    [limit],
  );
  const models = await rows<ModelSummary>(
    `SELECT model, provider, generations, errors, input_tokens, output_tokens, total_tokens, cached_tokens, reasoning_tokens, p50_ms, p95_ms
       FROM ${S}.model_usage(${WINDOW}) ORDER BY total_tokens DESC, model NULLS LAST, provider NULLS LAST`,
  );
  const metrics = await rows<MetricSummary>(
    `SELECT metric_type, unit, samples, avg_value, p50_value, p95_value, max_value
       FROM ${S}.metric_stats(${WINDOW}) ORDER BY metric_type, unit NULLS LAST`,
  );
  const scores = await readScoreReport(query, params[0]!, params[1]!, limit);
  const spend = await readSpend(query, params, limit);
  const retention = await readRetention({ query: (text) => query(text) });
  return { window: { since: params[0]!, until: params[1]! }, limit, tools, categories, sessionTotals: sessionTotals!, sessions, topErrors, models, metrics, spend, retention, ...scores };
}
