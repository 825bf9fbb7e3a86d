import { readRetention, type RetentionSetting } from '@mini-agent/exporter-postgres';
import type { Query } from '../read-only-database.js';
import { sinceParam, untilParam, type TimeWindow } from '../time-window.js';
import {
  ALERT_COLUMNS, S, type AlertStatusRow, type ModelUsageRow, type SessionTotalsRow, type ToolStatsRow, type TopErrorRow,
} from './rows.js';

/** All tool executions of the window together. */
export interface ToolTotals {
  executions: number;
  errors: number;
  /** 100 × errors / executions; `null` without executions. */
  error_pct: number | null;
  /** Over every execution of the window (percentile_cont, as `tool_stats` per tool). */
  p50_ms: number | null;
  p95_ms: number | null;
}

/** One bar of the sessions-over-time chart. */
export interface SessionBucket {
  bucket: Date;
  sessions: number;
  failed: number;
}

/** Everything the overview shows. */
export interface OverviewData {
  /** False when the tables hold no session and no tool at all, whatever the window. */
  hasAnyData: boolean;
  totals: SessionTotalsRow;
  tools: ToolTotals;
  buckets: SessionBucket[];
  toolStats: ToolStatsRow[];
  topErrors: TopErrorRow[];
  models: ModelUsageRow[];
  firing: AlertStatusRow[];
  /** How long rows are kept, per table group (shown under the page). */
  retention: RetentionSetting[];
}

/** Buckets are aligned to this instant (whole hours and days, UTC), whatever the window. */
const BUCKET_ORIGIN = '2000-01-01T00:00:00Z';

/**
 * The overview's figures. Sessions and failures come from `session_totals`, tools from
 * `tool_stats` (summed here); the chart's buckets add up to `session_totals`. The one figure no analytics
 * function has — the p95 over all tools together — is computed the same way (`percentile_cont`).
 */
export async function loadOverview(query: Query, window: TimeWindow, now: Date): Promise<OverviewData> {
  const w = [sinceParam(window), untilParam(window)];
  const [any, totals, percentiles, buckets, toolStats, topErrors, models, firing, retention] = await Promise.all([
    query<{ any: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM ${S}.traces) OR EXISTS (SELECT 1 FROM ${S}.tool_executions) AS any`,
    ),
    query<SessionTotalsRow>(`SELECT * FROM ${S}.session_totals($1, $2)`, w),
    query<{ p50_ms: number | null; p95_ms: number | null }>(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) AS p50_ms,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95_ms
         FROM ${S}.tool_executions WHERE started_at >= $1 AND started_at < $2`,
      w,
    ),
    // Same window rule and failure rule as session_stats/session_totals: placed by start time (or
    // insertion time while the session span is missing); failed = complete and status error.
    query<SessionBucket>(
      `SELECT date_bin($3::interval, coalesce(started_at, inserted_at), $4::timestamptz) AS bucket,
              count(*) AS sessions,
              count(*) FILTER (WHERE complete AND status = 'error') AS failed
         FROM ${S}.traces
        WHERE coalesce(started_at, inserted_at) >= $1 AND coalesce(started_at, inserted_at) < $2
        GROUP BY 1 ORDER BY 1`,
      [...w, window.bucket, BUCKET_ORIGIN],
    ),
    query<ToolStatsRow>(`SELECT * FROM ${S}.tool_stats($1, $2)`, w),
    query<TopErrorRow>(`SELECT * FROM ${S}.top_errors($1, $2, 5)`, w),
    query<ModelUsageRow>(`SELECT * FROM ${S}.model_usage($1, $2) ORDER BY total_tokens DESC, model`, w),
    query<AlertStatusRow>(`SELECT ${ALERT_COLUMNS}, true AS firing FROM ${S}.firing_alerts(NULL, $1)`, [now.toISOString()]),
    readRetention({ query: (text) => query(text) }),
  ]);
  // Calls and errors of all tools: the sums of tool_stats' rows (its rows partition the window's calls).
  const executions = toolStats.reduce((n, t) => n + t.executions, 0);
  const errors = toolStats.reduce((n, t) => n + t.errors, 0);
  return {
    hasAnyData: any[0]?.any === true,
    totals: totals[0]!,
    tools: {
      executions,
      errors,
      error_pct: executions > 0 ? (100 * errors) / executions : null,
      p50_ms: percentiles[0]?.p50_ms ?? null,
      p95_ms: percentiles[0]?.p95_ms ?? null,
    },
    buckets,
    toolStats,
    topErrors,
    models,
    firing,
    retention,
  };
}
