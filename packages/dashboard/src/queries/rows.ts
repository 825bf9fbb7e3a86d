// Row shapes of the analytics functions (sql/010_analytics.sql, sql/011_alerts.sql) as the pages
// read them. Column names are the functions' own, so a page's figure and `SELECT * FROM
// mini_agent_observability.tool_stats(…)` name the same thing.

/** The schema every table and function lives in. */
export const S = 'mini_agent_observability';

/** A row of `tool_stats(since, until)`: one per tool name and category (a tool normally has one category). */
export interface ToolStatsRow {
  tool_name: string;
  category: string;
  executions: number;
  successes: number;
  errors: number;
  success_pct: number;
  error_pct: number;
  avg_ms: number;
  p50_ms: number;
  p95_ms: number;
  max_ms: number;
  first_at: Date;
  last_at: Date;
}

/** A row of `category_stats(since, until)`. */
export interface CategoryStatsRow {
  category: string;
  executions: number;
  successes: number;
  errors: number;
  success_pct: number;
  error_pct: number;
  avg_ms: number;
  p50_ms: number;
  p95_ms: number;
  max_ms: number;
}

/** The row of `session_totals(since, until)`. */
export interface SessionTotalsRow {
  sessions: number;
  complete_sessions: number;
  failed_sessions: number;
  failed_pct: number | null;
  p50_duration_ms: number | null;
  p95_duration_ms: number | null;
  max_duration_ms: number | null;
}

/** A row of `session_stats(since, until)`. */
export interface SessionStatsRow {
  trace_id: string;
  session_id: string | null;
  agent_name: string | null;
  name: string | null;
  user_id: string | null;
  status: string;
  complete: boolean;
  failed: boolean;
  started_at: Date | null;
  ended_at: Date | null;
  duration_ms: number | null;
  tool_count: number;
  failed_tools: number;
  peak_memory_pct: number | null;
  peak_memory_bytes: number | null;
}

/** A row of `top_errors(since, until, max_rows)`. */
export interface TopErrorRow {
  error_message: string | null;
  occurrences: number;
  tool_names: string[];
  first_seen: Date;
  last_seen: Date;
}

/** A row of `model_usage(since, until)`. */
export interface ModelUsageRow {
  model: string | null;
  provider: string | null;
  generations: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  p50_ms: number;
  p95_ms: number;
}

/** A row of `alert_status(since, until)` (and of `firing_alerts`, which has no `firing` column: always true). */
export interface AlertStatusRow {
  rule_name: string;
  metric: string;
  subject: string | null;
  value: number | null;
  comparator: string;
  threshold: number;
  samples: number;
  /** `window_length` in seconds (the interval, converted in SQL so both drivers agree). */
  window_seconds: number;
  window_start: Date;
  window_end: Date;
  firing: boolean;
  description: string | null;
}

/** The columns of `alert_status` / `firing_alerts` as the pages select them. */
export const ALERT_COLUMNS =
  'rule_name, metric, subject, value, comparator, threshold, samples, ' +
  'extract(epoch FROM window_length)::float8 AS window_seconds, window_start, window_end, description';

/** One bar of a latency histogram: executions with `lower_ms <= duration_ms < upper_ms`. */
export interface HistogramBucket {
  readonly lowerMs: number | null;
  readonly upperMs: number | null;
  readonly count: number;
}

/**
 * Latency histogram bucket bounds (ms), roughly 1-2-5 per decade: agent tools range from
 * sub-millisecond lookups to minute-long searches, which a linear scale cannot show in one chart.
 */
export const HISTOGRAM_BOUNDS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 60_000];

/** The bounds as a PostgreSQL array literal parameter for `width_bucket`. */
export const HISTOGRAM_BOUNDS_PARAM = `{${HISTOGRAM_BOUNDS_MS.join(',')}}`;

/** Turns `width_bucket` counts (bucket index → count) into the full list of buckets, empty ones included. */
export function histogramBuckets(counts: ReadonlyMap<number, number>): HistogramBucket[] {
  const buckets: HistogramBucket[] = [];
  for (let i = 0; i <= HISTOGRAM_BOUNDS_MS.length; i++) {
    buckets.push({
      lowerMs: i === 0 ? null : HISTOGRAM_BOUNDS_MS[i - 1]!,
      upperMs: i === HISTOGRAM_BOUNDS_MS.length ? null : HISTOGRAM_BOUNDS_MS[i]!,
      count: counts.get(i) ?? 0,
    });
  }
  return buckets;
}
