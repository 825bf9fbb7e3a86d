import type { Query } from '../read-only-database.js';
import { sinceParam, untilParam, type TimeWindow } from '../time-window.js';
import {
  HISTOGRAM_BOUNDS_PARAM, S, histogramBuckets, type CategoryStatsRow, type HistogramBucket, type ToolStatsRow,
} from './rows.js';

/** The tools page: per tool and per category, each with its latency histogram. */
export interface ToolsData {
  tools: ToolStatsRow[];
  categories: CategoryStatsRow[];
  /** {@link toolKey} → histogram. */
  toolHistograms: Map<string, HistogramBucket[]>;
  /** Category → histogram. */
  categoryHistograms: Map<string, HistogramBucket[]>;
  /** Every execution of the window. */
  histogram: HistogramBucket[];
}

/** Loads `tool_stats` and `category_stats` for the window, and the histograms from `tool_latency_buckets`. */
export async function loadTools(query: Query, window: TimeWindow): Promise<ToolsData> {
  const w = [sinceParam(window), untilParam(window)];
  const [tools, categories, counts] = await Promise.all([
    query<ToolStatsRow>(`SELECT * FROM ${S}.tool_stats($1, $2)`, w),
    query<CategoryStatsRow>(`SELECT * FROM ${S}.category_stats($1, $2)`, w),
    // The 1-2-5 buckets of HISTOGRAM_BOUNDS_MS (latency_bucket in SQL): exact counts, read from
    // the rollups' bucket counts over windows of more than a day instead of from every row.
    query<{ tool_name: string; category: string; bucket: number; n: number }>(
      `SELECT tool_name, category, bucket, n FROM ${S}.tool_latency_buckets($1, $2)`,
      w,
    ),
  ]);
  const byTool = new Map<string, Map<number, number>>();
  const byCategory = new Map<string, Map<number, number>>();
  const all = new Map<number, number>();
  const add = (map: Map<number, number>, bucket: number, n: number) => map.set(bucket, (map.get(bucket) ?? 0) + n);
  for (const row of counts) {
    add(getOrCreate(byTool, toolKey(row)), row.bucket, row.n);
    add(getOrCreate(byCategory, row.category), row.bucket, row.n);
    add(all, row.bucket, row.n);
  }
  return {
    tools,
    categories,
    toolHistograms: mapValues(byTool, histogramBuckets),
    categoryHistograms: mapValues(byCategory, histogramBuckets),
    histogram: histogramBuckets(all),
  };
}

/** The key of a `tool_stats` row: tool name and category (the function groups by both). */
export function toolKey(row: { tool_name: string; category: string }): string {
  return `${row.tool_name}|${row.category}`;
}

/** One tool execution as the tool page lists it. */
export interface ExecutionRow {
  id: string;
  trace_id: string;
  started_at: Date;
  duration_ms: number;
  success: boolean;
  error_message: string | null;
  session_name: string | null;
}

/** One bar of the tool's executions-over-time chart. */
export interface ToolBucket {
  bucket: Date;
  executions: number;
  errors: number;
  p95_ms: number;
}

/** The page of one tool. */
export interface ToolDetailData {
  /** `tool_stats` rows of this tool, most calls first: one per category it was recorded under (normally one); empty when it did not run in the window. */
  stats: ToolStatsRow[];
  histogram: HistogramBucket[];
  buckets: ToolBucket[];
  failures: ExecutionRow[];
  slowest: ExecutionRow[];
  /** Whether the tool ran at all, in any window (to tell "unknown tool" from "quiet window"). */
  everRan: boolean;
}

const EXECUTION_COLUMNS = `te.id, te.trace_id, te.started_at, te.duration_ms, te.success, te.error_message, t.name AS session_name`;

/** Loads one tool's figures, latency histogram, failures and slowest runs for the window. */
export async function loadToolDetail(query: Query, window: TimeWindow, toolName: string, listLimit = 50): Promise<ToolDetailData> {
  const w = [sinceParam(window), untilParam(window), toolName];
  const [stats, counts, buckets, failures, slowest, ever] = await Promise.all([
    query<ToolStatsRow>(`SELECT * FROM ${S}.tool_stats($1, $2) WHERE tool_name = $3 ORDER BY executions DESC, category`, w),
    query<{ bucket: number; n: number }>(
      `SELECT width_bucket(duration_ms, $4::float8[]) AS bucket, count(*) AS n
         FROM ${S}.tool_executions WHERE tool_name = $3 AND started_at >= $1 AND started_at < $2 GROUP BY 1`,
      [...w, HISTOGRAM_BOUNDS_PARAM],
    ),
    query<ToolBucket>(
      `SELECT date_bin($4::interval, started_at, '2000-01-01T00:00:00Z') AS bucket, count(*) AS executions,
              count(*) FILTER (WHERE NOT success) AS errors,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95_ms
         FROM ${S}.tool_executions WHERE tool_name = $3 AND started_at >= $1 AND started_at < $2
        GROUP BY 1 ORDER BY 1`,
      [...w, window.bucket],
    ),
    query<ExecutionRow>(
      `SELECT ${EXECUTION_COLUMNS} FROM ${S}.tool_executions te LEFT JOIN ${S}.traces t ON t.id = te.trace_id
        WHERE te.tool_name = $3 AND NOT te.success AND te.started_at >= $1 AND te.started_at < $2
        ORDER BY te.started_at DESC, te.id LIMIT ${listLimit}`,
      w,
    ),
    // The ten slowest are found in the (tool_name, category, started_at) INCLUDE (duration_ms) index
    // alone, then fetched by key: over a long window this reads ten rows, not every row of the tool.
    query<ExecutionRow>(
      `WITH slowest AS (
         SELECT category, started_at, duration_ms FROM ${S}.tool_executions
          WHERE tool_name = $3 AND started_at >= $1 AND started_at < $2
          ORDER BY duration_ms DESC LIMIT 10
       )
       SELECT ${EXECUTION_COLUMNS} FROM ${S}.tool_executions te LEFT JOIN ${S}.traces t ON t.id = te.trace_id
        WHERE te.tool_name = $3 AND (te.category, te.started_at, te.duration_ms) IN (SELECT * FROM slowest)
        ORDER BY te.duration_ms DESC, te.id LIMIT 10`,
      w,
    ),
    query<{ ever: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${S}.tool_executions WHERE tool_name = $1) AS ever`, [toolName]),
  ]);
  return {
    stats,
    histogram: histogramBuckets(new Map(counts.map((c) => [c.bucket, c.n]))),
    buckets,
    failures,
    slowest,
    everRan: ever[0]?.ever === true,
  };
}

function getOrCreate<K>(map: Map<K, Map<number, number>>, key: K): Map<number, number> {
  let inner = map.get(key);
  if (!inner) map.set(key, (inner = new Map()));
  return inner;
}

function mapValues<K, V, W>(map: Map<K, V>, f: (v: V) => W): Map<K, W> {
  return new Map([...map].map(([k, v]) => [k, f(v)]));
}
