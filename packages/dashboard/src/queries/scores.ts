import type { Query } from '../read-only-database.js';
import { sinceParam, untilParam, type TimeWindow } from '../time-window.js';
import { S } from './rows.js';

/** One `scores` row, as the session page lists it. */
export interface ScoreRow {
  id: string;
  span_id: string | null;
  name: string;
  data_type: string;
  value: number | null;
  label: string | null;
  explanation: string | null;
  source: string;
  author: string | null;
  created_at: Date;
}

/** One score name over a window (`score_stats`). */
export interface ScoreStatsRow {
  name: string;
  data_type: string;
  scores: number;
  sessions: number;
  avg_value: number | null;
  min_value: number | null;
  max_value: number | null;
  median_value: number | null;
  labels: Record<string, number>;
  last_at: Date;
}

/** The scores of one trace, newest first (the key's prefix: one index range). */
export function loadTraceScores(query: Query, traceId: string): Promise<ScoreRow[]> {
  return query<ScoreRow>(
    `SELECT id, span_id, name, data_type, value, label, explanation, source, author, created_at
       FROM ${S}.scores WHERE trace_id = $1 ORDER BY created_at DESC, id`,
    [traceId],
  );
}

/** Per score name over the window (`score_stats`), for the overview's panel. */
export function loadScoreStats(query: Query, window: TimeWindow): Promise<ScoreStatsRow[]> {
  return query<ScoreStatsRow>(`SELECT * FROM ${S}.score_stats($1, $2)`, [sinceParam(window), untilParam(window)]);
}

/** One user's scores per name over the window: the scores of the traces they ran. */
export function loadUserScoreStats(query: Query, window: TimeWindow, userId: string): Promise<ScoreStatsRow[]> {
  return query<ScoreStatsRow>(
    `WITH s AS (
       SELECT sc.* FROM ${S}.scores sc JOIN ${S}.traces t ON t.id = sc.trace_id
        WHERE t.user_id = $3 AND sc.created_at >= $1 AND sc.created_at < $2
     ),
     per_label AS (
       SELECT l.name, l.data_type, jsonb_object_agg(l.label, l.n ORDER BY l.label) AS labels
         FROM (SELECT name, data_type, label, count(*) AS n FROM s WHERE label IS NOT NULL GROUP BY 1, 2, 3) l
        GROUP BY l.name, l.data_type
     )
     SELECT s.name, s.data_type, count(*) AS scores, count(DISTINCT s.trace_id) AS sessions, avg(s.value) AS avg_value,
            min(s.value) AS min_value, max(s.value) AS max_value,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY s.value) AS median_value,
            coalesce(pl.labels, '{}'::jsonb) AS labels, max(s.created_at) AS last_at
       FROM s LEFT JOIN per_label pl ON pl.name = s.name AND pl.data_type = s.data_type
      GROUP BY s.name, s.data_type, pl.labels ORDER BY s.name, s.data_type`,
    [sinceParam(window), untilParam(window), userId],
  );
}
