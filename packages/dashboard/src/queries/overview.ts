import { readRetention, type RetentionSetting } from '@mini-agent/exporter-postgres';
import { loadScoreStats, type ScoreStatsRow } from './scores.js';
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
  /** Over every execution of the window (`tool_totals`: percentile_cont up to a day, the rollups' histograms beyond). */
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
  /** Per score name over the window. */
  scores: ScoreStatsRow[];
  /** How long rows are kept, per table group (shown under the page). */
  retention: RetentionSetting[];
}

/** Buckets are aligned to this instant (whole hours and days, UTC), whatever the window. */
const BUCKET_ORIGIN = '2000-01-01T00:00:00Z';

/**
 * The overview's figures. Sessions and failures come from `session_totals`, tools from
 * `tool_stats` (summed here), the p50/p95 over all tools together from `tool_totals`, the chart's
 * buckets from `session_timeline` (they add up to `session_totals`). Windows over a day read the
 * hourly rollups through those functions.
 */
export async function loadOverview(query: Query, window: TimeWindow, now: Date): Promise<OverviewData> {
  const w = [sinceParam(window), untilParam(window)];
  // The page's connections take the queries in turn (round robin, in this order): the three
  // costliest first, on three connections (server processes) side by side, and the cheap ones
  // after them where the costliest (tool_stats) runs.
  const [toolStats, topErrors, firing, any, percentiles, models, scores, totals, buckets, retention] = await Promise.all([
    query<ToolStatsRow>(`SELECT * FROM ${S}.tool_stats($1, $2)`, w),
    query<TopErrorRow>(`SELECT * FROM ${S}.top_errors($1, $2, 5)`, w),
    query<AlertStatusRow>(`SELECT ${ALERT_COLUMNS}, true AS firing FROM ${S}.firing_alerts(NULL, $1)`, [now.toISOString()]),
    query<{ any: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM ${S}.traces) OR EXISTS (SELECT 1 FROM ${S}.tool_executions) AS any`,
    ),
    // All tools together (tool_totals: exact up to a day, from the hourly rollups beyond).
    query<{ p50_ms: number | null; p95_ms: number | null }>(`SELECT p50_ms, p95_ms FROM ${S}.tool_totals($1, $2)`, w),
    query<ModelUsageRow>(`SELECT * FROM ${S}.model_usage($1, $2) ORDER BY total_tokens DESC, model`, w),
    loadScoreStats(query, window),
    query<SessionTotalsRow>(`SELECT * FROM ${S}.session_totals($1, $2)`, w),
    // session_timeline places and judges sessions as session_stats/session_totals do: by start
    // time (or insertion time while the session span is missing); failed = complete and status error.
    query<SessionBucket>(
      `SELECT bucket, sessions, failed FROM ${S}.session_timeline($1, $2, $3::interval, $4::timestamptz) ORDER BY 1`,
      [...w, window.bucket, BUCKET_ORIGIN],
    ),
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
    scores,
    retention,
  };
}
