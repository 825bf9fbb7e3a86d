-- The analytics functions read the hourly rollups (052_rollups.sql) for windows over a day.
--
-- A window [since, until) of more than one day is read in three parts:
--   * whole UTC days inside it          from the daily latency histograms,
--   * whole hours inside it             from the hourly rollups (and hourly histograms for the
--                                       hours not in a whole day),
--   * the partial hours at either end   from the tables themselves, as before.
-- Counts, sums, averages and rates are then exactly those of the rows; maxima and first/last
-- times too, unless rows were deleted from part of an hour (052). Percentiles over such windows
-- come from the histograms: within 4.5 % of percentile_cont over the same rows (each value is
-- replaced by the middle of its bin, 2^(1/8) wide, then interpolated as percentile_cont does).
-- Windows of a day or less are computed exactly from the rows, as before (their bodies are
-- 010_analytics.sql's, unchanged, behind `NOT use_rollups(...)`).
--
-- Redefined here: tool_stats, category_stats, session_totals, top_errors, model_usage (the exact
-- branch of each is 010's body with one added condition; the rollup branch is new).
-- New: rollups_visible, use_rollups, rollup_bounds, tool_totals, session_timeline.
-- Each rollup branch is written out in its function (no shared set-returning helper): a helper
-- callable on its own would read the rollups whatever the caller's tenancy.
-- The alerts (011_alerts.sql) call tool_stats and session_totals over each rule's window: rules
-- over a day or less (the seeded rules are one hour) stay exact; a rule given a longer window
-- reads p95 from the histograms, within the same 4.5 %.
--
-- Idempotent; runs on PostgreSQL 15 and PGlite (18). Depends on 010 and 052.

-- Whether the rollups speak for the caller: always, outside the Supabase layer. With the layer's
-- per-user tenancy a reader limited to their own sessions reads the rows instead (053's Supabase
-- twin redefines this), since a rollup mixes every user's sessions.
CREATE OR REPLACE FUNCTION mini_agent_observability.rollups_visible()
RETURNS boolean
LANGUAGE sql STABLE
AS $$ SELECT true $$;

-- Whether a window is read from the rollups: longer than a day, and the rollups speak for the
-- caller. A window left open (until 'infinity', as the *_24h views) is as long as it is up to now.
CREATE OR REPLACE FUNCTION mini_agent_observability.use_rollups(since timestamptz, until timestamptz)
RETURNS boolean
LANGUAGE sql STABLE
AS $$
  SELECT least(use_rollups.until, now()) > use_rollups.since + interval '1 day' AND mini_agent_observability.rollups_visible()
$$;

-- The parts of a window: hours [h0, h1) from the hourly rollups, days [d0, d1) (inside it) from
-- the daily histograms; before h0 and from h1 on, the rows. Whole hours and days are UTC.
CREATE OR REPLACE FUNCTION mini_agent_observability.rollup_bounds(since timestamptz, until timestamptz)
RETURNS TABLE (h0 timestamptz, h1 timestamptz, d0 timestamptz, d1 timestamptz)
LANGUAGE sql IMMUTABLE
AS $$
  WITH clamped AS (
    SELECT greatest(rollup_bounds.since, timestamptz '1900-01-01 00:00:00+00') AS s,
           least(rollup_bounds.until, timestamptz '9999-01-01 00:00:00+00') AS u
  ), edges AS (
    SELECT date_bin('1 hour', c.s, timestamptz '2000-01-01 00:00:00+00') AS hs,
           date_bin('1 hour', c.u, timestamptz '2000-01-01 00:00:00+00') AS h1,
           date_bin('1 day', c.s, timestamptz '2000-01-01 00:00:00+00') AS ds,
           date_bin('1 day', c.u, timestamptz '2000-01-01 00:00:00+00') AS d1,
           c.s
      FROM clamped c
  ), up AS (
    SELECT CASE WHEN e.hs < e.s THEN e.hs + interval '1 hour' ELSE e.hs END AS h0, e.h1,
           CASE WHEN e.ds < e.s THEN e.ds + interval '1 day' ELSE e.ds END AS d0, e.d1
      FROM edges e
  )
  -- No whole day inside: the hours cover it all (d0 = d1 = h1).
  SELECT up.h0, up.h1, CASE WHEN up.d0 < up.d1 THEN up.d0 ELSE up.h1 END, CASE WHEN up.d0 < up.d1 THEN up.d1 ELSE up.h1 END
    FROM up
$$;


-- Per tool. Over a day or less exactly as before (010's body); over longer windows from the rollups.
CREATE OR REPLACE FUNCTION mini_agent_observability.tool_stats(
  since timestamptz,
  until timestamptz DEFAULT 'infinity'
)
RETURNS TABLE (
  tool_name   text,
  category    text,
  executions  bigint,
  successes   bigint,
  errors      bigint,
  success_pct double precision,
  error_pct   double precision,
  avg_ms      double precision,
  p50_ms      double precision,
  p95_ms      double precision,
  max_ms      double precision,
  first_at    timestamptz,
  last_at     timestamptz
)
LANGUAGE sql STABLE
AS $$
  SELECT te.tool_name,
         te.category,
         count(*),
         count(*) FILTER (WHERE te.success),
         count(*) FILTER (WHERE NOT te.success),
         100.0::float8 * count(*) FILTER (WHERE te.success) / count(*),
         100.0::float8 * count(*) FILTER (WHERE NOT te.success) / count(*),
         avg(te.duration_ms),
         percentile_cont(0.5) WITHIN GROUP (ORDER BY te.duration_ms),
         percentile_cont(0.95) WITHIN GROUP (ORDER BY te.duration_ms),
         max(te.duration_ms),
         min(te.started_at),
         max(te.started_at)
    FROM mini_agent_observability.tool_executions te
   WHERE te.started_at >= tool_stats.since
     AND te.started_at < tool_stats.until
     AND NOT mini_agent_observability.use_rollups(tool_stats.since, tool_stats.until)
   GROUP BY te.tool_name, te.category
  UNION ALL
  SELECT t.tool_name, t.category, t.executions, t.successes, t.executions - t.successes,
         100.0::float8 * t.successes / t.executions, 100.0::float8 * (t.executions - t.successes) / t.executions,
         t.sum_ms / t.executions, p.p50, p.p95, t.max_ms, t.first_at, t.last_at
    FROM (SELECT x.tool_name, x.category, sum(x.executions)::bigint AS executions, sum(x.successes)::bigint AS successes,
                 sum(x.sum_ms) AS sum_ms, max(x.max_ms) AS max_ms, min(x.first_at) AS first_at, max(x.last_at) AS last_at
            FROM (SELECT r.tool_name, r.category, r.executions, r.successes, r.sum_ms, r.max_ms, r.first_at, r.last_at
                    FROM mini_agent_observability.tool_rollup r, mini_agent_observability.rollup_bounds(tool_stats.since, tool_stats.until) b
                   WHERE r.hour >= b.h0 AND r.hour < b.h1
                  UNION ALL
                  SELECT te.tool_name, te.category, 1, CASE WHEN te.success THEN 1 ELSE 0 END, te.duration_ms, te.duration_ms, te.started_at, te.started_at
                    FROM mini_agent_observability.tool_executions te, mini_agent_observability.rollup_bounds(tool_stats.since, tool_stats.until) b
                    WHERE te.started_at >= tool_stats.since AND te.started_at < b.h0
                UNION ALL
                  SELECT te.tool_name, te.category, 1, CASE WHEN te.success THEN 1 ELSE 0 END, te.duration_ms, te.duration_ms, te.started_at, te.started_at
                    FROM mini_agent_observability.tool_executions te, mini_agent_observability.rollup_bounds(tool_stats.since, tool_stats.until) b
                    WHERE te.started_at >= b.h1 AND te.started_at < tool_stats.until) x
           GROUP BY x.tool_name, x.category
          HAVING sum(x.executions) > 0) t
    LEFT JOIN (SELECT h.subject AS tool_name, h.subject2 AS category, mini_agent_observability.histogram_percentile(array_agg(h.bin ORDER BY h.bin), array_agg(h.n ORDER BY h.bin), 0.5) AS p50, mini_agent_observability.histogram_percentile(array_agg(h.bin ORDER BY h.bin), array_agg(h.n ORDER BY h.bin), 0.95) AS p95
                 FROM (SELECT y.subject, y.subject2, y.bin, sum(y.n)::bigint AS n
                         FROM (SELECT lh.subject, lh.subject2, lh.bin, lh.n
                    FROM mini_agent_observability.latency_histogram lh, mini_agent_observability.rollup_bounds(tool_stats.since, tool_stats.until) b
                    WHERE lh.kind = 'tool' AND lh.grain = 'day' AND lh.bucket_start >= b.d0 AND lh.bucket_start < b.d1
                  UNION ALL
                  SELECT lh.subject, lh.subject2, lh.bin, lh.n
                    FROM mini_agent_observability.latency_histogram lh, mini_agent_observability.rollup_bounds(tool_stats.since, tool_stats.until) b
                    WHERE lh.kind = 'tool' AND lh.grain = 'hour' AND lh.bucket_start >= b.h0 AND lh.bucket_start < b.d0
                  UNION ALL
                  SELECT lh.subject, lh.subject2, lh.bin, lh.n
                    FROM mini_agent_observability.latency_histogram lh, mini_agent_observability.rollup_bounds(tool_stats.since, tool_stats.until) b
                    WHERE lh.kind = 'tool' AND lh.grain = 'hour' AND lh.bucket_start >= b.d1 AND lh.bucket_start < b.h1
                  UNION ALL
                  SELECT te.tool_name, te.category, mini_agent_observability.latency_bin(te.duration_ms), 1
                    FROM mini_agent_observability.tool_executions te, mini_agent_observability.rollup_bounds(tool_stats.since, tool_stats.until) b
                    WHERE te.started_at >= tool_stats.since AND te.started_at < b.h0
                UNION ALL
                  SELECT te.tool_name, te.category, mini_agent_observability.latency_bin(te.duration_ms), 1
                    FROM mini_agent_observability.tool_executions te, mini_agent_observability.rollup_bounds(tool_stats.since, tool_stats.until) b
                    WHERE te.started_at >= b.h1 AND te.started_at < tool_stats.until) y (subject, subject2, bin, n)
                        GROUP BY 1, 2, 3 HAVING sum(y.n) > 0) h
                GROUP BY 1, 2) p
      ON p.tool_name = t.tool_name AND p.category = t.category
   WHERE mini_agent_observability.use_rollups(tool_stats.since, tool_stats.until)
$$;

-- Per tool category. Over a day or less exactly as before; over longer windows from the rollups.
CREATE OR REPLACE FUNCTION mini_agent_observability.category_stats(
  since timestamptz,
  until timestamptz DEFAULT 'infinity'
)
RETURNS TABLE (
  category    text,
  executions  bigint,
  successes   bigint,
  errors      bigint,
  success_pct double precision,
  error_pct   double precision,
  avg_ms      double precision,
  p50_ms      double precision,
  p95_ms      double precision,
  max_ms      double precision
)
LANGUAGE sql STABLE
AS $$
  SELECT te.category,
         count(*),
         count(*) FILTER (WHERE te.success),
         count(*) FILTER (WHERE NOT te.success),
         100.0::float8 * count(*) FILTER (WHERE te.success) / count(*),
         100.0::float8 * count(*) FILTER (WHERE NOT te.success) / count(*),
         avg(te.duration_ms),
         percentile_cont(0.5) WITHIN GROUP (ORDER BY te.duration_ms),
         percentile_cont(0.95) WITHIN GROUP (ORDER BY te.duration_ms),
         max(te.duration_ms)
    FROM mini_agent_observability.tool_executions te
   WHERE te.started_at >= category_stats.since
     AND te.started_at < category_stats.until
     AND NOT mini_agent_observability.use_rollups(category_stats.since, category_stats.until)
   GROUP BY te.category
  UNION ALL
  SELECT t.category, t.executions, t.successes, t.executions - t.successes,
         100.0::float8 * t.successes / t.executions, 100.0::float8 * (t.executions - t.successes) / t.executions,
         t.sum_ms / t.executions, p.p50, p.p95, t.max_ms
    FROM (SELECT x.category, sum(x.executions)::bigint AS executions, sum(x.successes)::bigint AS successes,
                 sum(x.sum_ms) AS sum_ms, max(x.max_ms) AS max_ms
            FROM (SELECT r.category, r.executions, r.successes, r.sum_ms, r.max_ms
                    FROM mini_agent_observability.tool_rollup r, mini_agent_observability.rollup_bounds(category_stats.since, category_stats.until) b
                   WHERE r.hour >= b.h0 AND r.hour < b.h1
                  UNION ALL
                  SELECT te.category, 1, CASE WHEN te.success THEN 1 ELSE 0 END, te.duration_ms, te.duration_ms
                    FROM mini_agent_observability.tool_executions te, mini_agent_observability.rollup_bounds(category_stats.since, category_stats.until) b
                    WHERE te.started_at >= category_stats.since AND te.started_at < b.h0
                UNION ALL
                  SELECT te.category, 1, CASE WHEN te.success THEN 1 ELSE 0 END, te.duration_ms, te.duration_ms
                    FROM mini_agent_observability.tool_executions te, mini_agent_observability.rollup_bounds(category_stats.since, category_stats.until) b
                    WHERE te.started_at >= b.h1 AND te.started_at < category_stats.until) x
           GROUP BY x.category
          HAVING sum(x.executions) > 0) t
    LEFT JOIN (SELECT h.subject2 AS category, mini_agent_observability.histogram_percentile(array_agg(h.bin ORDER BY h.bin), array_agg(h.n ORDER BY h.bin), 0.5) AS p50, mini_agent_observability.histogram_percentile(array_agg(h.bin ORDER BY h.bin), array_agg(h.n ORDER BY h.bin), 0.95) AS p95
                 FROM (SELECT y.subject2, y.bin, sum(y.n)::bigint AS n
                         FROM (SELECT lh.subject2, lh.bin, lh.n
                    FROM mini_agent_observability.latency_histogram lh, mini_agent_observability.rollup_bounds(category_stats.since, category_stats.until) b
                    WHERE lh.kind = 'tool' AND lh.grain = 'day' AND lh.bucket_start >= b.d0 AND lh.bucket_start < b.d1
                  UNION ALL
                  SELECT lh.subject2, lh.bin, lh.n
                    FROM mini_agent_observability.latency_histogram lh, mini_agent_observability.rollup_bounds(category_stats.since, category_stats.until) b
                    WHERE lh.kind = 'tool' AND lh.grain = 'hour' AND lh.bucket_start >= b.h0 AND lh.bucket_start < b.d0
                  UNION ALL
                  SELECT lh.subject2, lh.bin, lh.n
                    FROM mini_agent_observability.latency_histogram lh, mini_agent_observability.rollup_bounds(category_stats.since, category_stats.until) b
                    WHERE lh.kind = 'tool' AND lh.grain = 'hour' AND lh.bucket_start >= b.d1 AND lh.bucket_start < b.h1
                  UNION ALL
                  SELECT te.category, mini_agent_observability.latency_bin(te.duration_ms), 1
                    FROM mini_agent_observability.tool_executions te, mini_agent_observability.rollup_bounds(category_stats.since, category_stats.until) b
                    WHERE te.started_at >= category_stats.since AND te.started_at < b.h0
                UNION ALL
                  SELECT te.category, mini_agent_observability.latency_bin(te.duration_ms), 1
                    FROM mini_agent_observability.tool_executions te, mini_agent_observability.rollup_bounds(category_stats.since, category_stats.until) b
                    WHERE te.started_at >= b.h1 AND te.started_at < category_stats.until) y (subject2, bin, n)
                        GROUP BY 1, 2 HAVING sum(y.n) > 0) h
                GROUP BY 1) p
      ON p.category = t.category
   WHERE mini_agent_observability.use_rollups(category_stats.since, category_stats.until)
$$;

-- Every tool execution of the window together (the dashboard's headline): how many, how many
-- failed, and p50/p95 over all of them. Exact over a day or less; from the rollups beyond.
CREATE OR REPLACE FUNCTION mini_agent_observability.tool_totals(
  since timestamptz,
  until timestamptz DEFAULT 'infinity'
)
RETURNS TABLE (
  executions bigint,
  errors     bigint,
  error_pct  double precision,
  p50_ms     double precision,
  p95_ms     double precision
)
LANGUAGE sql STABLE
AS $$
  SELECT count(*),
         count(*) FILTER (WHERE NOT te.success),
         100.0::float8 * count(*) FILTER (WHERE NOT te.success) / nullif(count(*), 0),
         percentile_cont(0.5) WITHIN GROUP (ORDER BY te.duration_ms),
         percentile_cont(0.95) WITHIN GROUP (ORDER BY te.duration_ms)
    FROM mini_agent_observability.tool_executions te
   WHERE te.started_at >= tool_totals.since
     AND te.started_at < tool_totals.until
     AND NOT mini_agent_observability.use_rollups(tool_totals.since, tool_totals.until)
  HAVING NOT mini_agent_observability.use_rollups(tool_totals.since, tool_totals.until)
  UNION ALL
  SELECT t.executions, t.executions - t.successes, 100.0::float8 * (t.executions - t.successes) / nullif(t.executions, 0), p.p50, p.p95
    FROM (SELECT coalesce(sum(x.executions), 0)::bigint AS executions, coalesce(sum(x.successes), 0)::bigint AS successes
            FROM (SELECT r.executions, r.successes
                    FROM mini_agent_observability.tool_rollup r, mini_agent_observability.rollup_bounds(tool_totals.since, tool_totals.until) b
                   WHERE r.hour >= b.h0 AND r.hour < b.h1
                  UNION ALL
                  SELECT 1, CASE WHEN te.success THEN 1 ELSE 0 END
                    FROM mini_agent_observability.tool_executions te, mini_agent_observability.rollup_bounds(tool_totals.since, tool_totals.until) b
                    WHERE te.started_at >= tool_totals.since AND te.started_at < b.h0
                UNION ALL
                  SELECT 1, CASE WHEN te.success THEN 1 ELSE 0 END
                    FROM mini_agent_observability.tool_executions te, mini_agent_observability.rollup_bounds(tool_totals.since, tool_totals.until) b
                    WHERE te.started_at >= b.h1 AND te.started_at < tool_totals.until) x) t,
         (SELECT mini_agent_observability.histogram_percentile(array_agg(h.bin ORDER BY h.bin), array_agg(h.n ORDER BY h.bin), 0.5) AS p50, mini_agent_observability.histogram_percentile(array_agg(h.bin ORDER BY h.bin), array_agg(h.n ORDER BY h.bin), 0.95) AS p95
            FROM (SELECT y.bin, sum(y.n)::bigint AS n
                    FROM (SELECT lh.subject, lh.bin, lh.n
                    FROM mini_agent_observability.latency_histogram lh, mini_agent_observability.rollup_bounds(tool_totals.since, tool_totals.until) b
                    WHERE lh.kind = 'tool' AND lh.grain = 'day' AND lh.bucket_start >= b.d0 AND lh.bucket_start < b.d1
                  UNION ALL
                  SELECT lh.subject, lh.bin, lh.n
                    FROM mini_agent_observability.latency_histogram lh, mini_agent_observability.rollup_bounds(tool_totals.since, tool_totals.until) b
                    WHERE lh.kind = 'tool' AND lh.grain = 'hour' AND lh.bucket_start >= b.h0 AND lh.bucket_start < b.d0
                  UNION ALL
                  SELECT lh.subject, lh.bin, lh.n
                    FROM mini_agent_observability.latency_histogram lh, mini_agent_observability.rollup_bounds(tool_totals.since, tool_totals.until) b
                    WHERE lh.kind = 'tool' AND lh.grain = 'hour' AND lh.bucket_start >= b.d1 AND lh.bucket_start < b.h1
                  UNION ALL
                  SELECT te.tool_name, mini_agent_observability.latency_bin(te.duration_ms), 1
                    FROM mini_agent_observability.tool_executions te, mini_agent_observability.rollup_bounds(tool_totals.since, tool_totals.until) b
                    WHERE te.started_at >= tool_totals.since AND te.started_at < b.h0
                UNION ALL
                  SELECT te.tool_name, mini_agent_observability.latency_bin(te.duration_ms), 1
                    FROM mini_agent_observability.tool_executions te, mini_agent_observability.rollup_bounds(tool_totals.since, tool_totals.until) b
                    WHERE te.started_at >= b.h1 AND te.started_at < tool_totals.until) y (subject, bin, n)
                   GROUP BY 1 HAVING sum(y.n) > 0) h) p
   WHERE mini_agent_observability.use_rollups(tool_totals.since, tool_totals.until)
$$;

-- All sessions of the window in one row. Exact over a day or less; from the rollups beyond.
CREATE OR REPLACE FUNCTION mini_agent_observability.session_totals(
  since timestamptz,
  until timestamptz DEFAULT 'infinity'
)
RETURNS TABLE (
  sessions          bigint,
  complete_sessions bigint,
  failed_sessions   bigint,
  failed_pct        double precision,
  p50_duration_ms   double precision,
  p95_duration_ms   double precision,
  max_duration_ms   double precision
)
LANGUAGE sql STABLE
AS $$
  WITH judged AS (
    SELECT t.complete,
           t.complete AND t.status = 'error' AS failed,
           CASE WHEN t.complete
                THEN extract(epoch FROM t.ended_at - t.started_at)::float8 * 1000
           END AS duration_ms
      FROM mini_agent_observability.traces t
     WHERE coalesce(t.started_at, t.inserted_at) >= session_totals.since
       AND coalesce(t.started_at, t.inserted_at) < session_totals.until
       AND NOT mini_agent_observability.use_rollups(session_totals.since, session_totals.until)
  )
  SELECT count(*),
         count(*) FILTER (WHERE j.complete),
         count(*) FILTER (WHERE j.failed),
         100.0::float8 * count(*) FILTER (WHERE j.failed) / nullif(count(*) FILTER (WHERE j.complete), 0),
         percentile_cont(0.5) WITHIN GROUP (ORDER BY j.duration_ms),
         percentile_cont(0.95) WITHIN GROUP (ORDER BY j.duration_ms),
         max(j.duration_ms)
    FROM judged j
  HAVING NOT mini_agent_observability.use_rollups(session_totals.since, session_totals.until)
  UNION ALL
  SELECT s.sessions, s.complete_sessions, s.failed_sessions, 100.0::float8 * s.failed_sessions / nullif(s.complete_sessions, 0),
         p.p50, p.p95, s.max_duration_ms
    FROM (SELECT coalesce(sum(x.sessions), 0)::bigint AS sessions, coalesce(sum(x.complete_sessions), 0)::bigint AS complete_sessions,
                 coalesce(sum(x.failed_sessions), 0)::bigint AS failed_sessions, max(x.max_duration_ms) AS max_duration_ms
            FROM (SELECT r.sessions, r.complete_sessions, r.failed_sessions, r.max_duration_ms
                    FROM mini_agent_observability.session_rollup r, mini_agent_observability.rollup_bounds(session_totals.since, session_totals.until) b
                   WHERE r.hour >= b.h0 AND r.hour < b.h1
                  UNION ALL
                  SELECT 1, CASE WHEN t.complete THEN 1 ELSE 0 END, CASE WHEN t.complete AND t.status = 'error' THEN 1 ELSE 0 END,
                         CASE WHEN t.complete THEN extract(epoch FROM t.ended_at - t.started_at)::float8 * 1000 END
                    FROM mini_agent_observability.traces t, mini_agent_observability.rollup_bounds(session_totals.since, session_totals.until) b
                   WHERE coalesce(t.started_at, t.inserted_at) >= session_totals.since AND coalesce(t.started_at, t.inserted_at) < b.h0
                  UNION ALL
                  SELECT 1, CASE WHEN t.complete THEN 1 ELSE 0 END, CASE WHEN t.complete AND t.status = 'error' THEN 1 ELSE 0 END,
                         CASE WHEN t.complete THEN extract(epoch FROM t.ended_at - t.started_at)::float8 * 1000 END
                    FROM mini_agent_observability.traces t, mini_agent_observability.rollup_bounds(session_totals.since, session_totals.until) b
                   WHERE coalesce(t.started_at, t.inserted_at) >= b.h1 AND coalesce(t.started_at, t.inserted_at) < session_totals.until) x) s,
         (SELECT mini_agent_observability.histogram_percentile(array_agg(h.bin ORDER BY h.bin), array_agg(h.n ORDER BY h.bin), 0.5) AS p50, mini_agent_observability.histogram_percentile(array_agg(h.bin ORDER BY h.bin), array_agg(h.n ORDER BY h.bin), 0.95) AS p95
            FROM (SELECT y.bin, sum(y.n)::bigint AS n
                    FROM (SELECT lh.bin, lh.n
                            FROM mini_agent_observability.latency_histogram lh, mini_agent_observability.rollup_bounds(session_totals.since, session_totals.until) b
                            WHERE lh.kind = 'session' AND lh.grain = 'day' AND lh.bucket_start >= b.d0 AND lh.bucket_start < b.d1
                          UNION ALL
                          SELECT lh.bin, lh.n
                            FROM mini_agent_observability.latency_histogram lh, mini_agent_observability.rollup_bounds(session_totals.since, session_totals.until) b
                            WHERE lh.kind = 'session' AND lh.grain = 'hour' AND lh.bucket_start >= b.h0 AND lh.bucket_start < b.d0
                          UNION ALL
                          SELECT lh.bin, lh.n
                            FROM mini_agent_observability.latency_histogram lh, mini_agent_observability.rollup_bounds(session_totals.since, session_totals.until) b
                            WHERE lh.kind = 'session' AND lh.grain = 'hour' AND lh.bucket_start >= b.d1 AND lh.bucket_start < b.h1
                          UNION ALL
                          SELECT mini_agent_observability.latency_bin(extract(epoch FROM t.ended_at - t.started_at)::float8 * 1000), 1
                            FROM mini_agent_observability.traces t, mini_agent_observability.rollup_bounds(session_totals.since, session_totals.until) b
                            WHERE t.complete AND t.ended_at IS NOT NULL AND t.started_at IS NOT NULL AND coalesce(t.started_at, t.inserted_at) >= session_totals.since AND coalesce(t.started_at, t.inserted_at) < b.h0
                        UNION ALL
                          SELECT mini_agent_observability.latency_bin(extract(epoch FROM t.ended_at - t.started_at)::float8 * 1000), 1
                            FROM mini_agent_observability.traces t, mini_agent_observability.rollup_bounds(session_totals.since, session_totals.until) b
                            WHERE t.complete AND t.ended_at IS NOT NULL AND t.started_at IS NOT NULL AND coalesce(t.started_at, t.inserted_at) >= b.h1 AND coalesce(t.started_at, t.inserted_at) < session_totals.until) y
                   GROUP BY 1 HAVING sum(y.n) > 0) h) p
   WHERE mini_agent_observability.use_rollups(session_totals.since, session_totals.until)
$$;

-- Sessions and failed sessions per time bucket of `width` (aligned to `origin`), for charts;
-- placed and judged as session_totals does. Buckets with no session are left out. From the
-- rollups for windows over a day when the buckets are whole hours aligned to whole hours.
CREATE OR REPLACE FUNCTION mini_agent_observability.session_timeline(
  since  timestamptz,
  until  timestamptz,
  width  interval,
  origin timestamptz DEFAULT '2000-01-01 00:00:00+00'
)
RETURNS TABLE (bucket timestamptz, sessions bigint, failed bigint)
LANGUAGE sql STABLE
AS $$
  SELECT date_bin(session_timeline.width, coalesce(t.started_at, t.inserted_at), session_timeline.origin),
         count(*),
         count(*) FILTER (WHERE t.complete AND t.status = 'error')
    FROM mini_agent_observability.traces t
   WHERE coalesce(t.started_at, t.inserted_at) >= session_timeline.since
     AND coalesce(t.started_at, t.inserted_at) < session_timeline.until
     AND NOT (mini_agent_observability.use_rollups(session_timeline.since, session_timeline.until)
              AND extract(epoch FROM session_timeline.width)::bigint % 3600 = 0
              AND extract(epoch FROM session_timeline.origin)::bigint % 3600 = 0)
   GROUP BY 1
  UNION ALL
  SELECT date_bin(session_timeline.width, x.at, session_timeline.origin), sum(x.sessions)::bigint, sum(x.failed)::bigint
    FROM (SELECT r.hour AS at, r.sessions, r.failed_sessions AS failed
            FROM mini_agent_observability.session_rollup r, mini_agent_observability.rollup_bounds(session_timeline.since, session_timeline.until) b
           WHERE r.hour >= b.h0 AND r.hour < b.h1
          UNION ALL
          SELECT coalesce(t.started_at, t.inserted_at), 1, CASE WHEN t.complete AND t.status = 'error' THEN 1 ELSE 0 END
            FROM mini_agent_observability.traces t, mini_agent_observability.rollup_bounds(session_timeline.since, session_timeline.until) b
            WHERE coalesce(t.started_at, t.inserted_at) >= session_timeline.since AND coalesce(t.started_at, t.inserted_at) < b.h0
        UNION ALL
          SELECT coalesce(t.started_at, t.inserted_at), 1, CASE WHEN t.complete AND t.status = 'error' THEN 1 ELSE 0 END
            FROM mini_agent_observability.traces t, mini_agent_observability.rollup_bounds(session_timeline.since, session_timeline.until) b
            WHERE coalesce(t.started_at, t.inserted_at) >= b.h1 AND coalesce(t.started_at, t.inserted_at) < session_timeline.until) x
   WHERE mini_agent_observability.use_rollups(session_timeline.since, session_timeline.until)
     AND extract(epoch FROM session_timeline.width)::bigint % 3600 = 0
     AND extract(epoch FROM session_timeline.origin)::bigint % 3600 = 0
   GROUP BY 1
  HAVING sum(x.sessions) > 0
$$;

-- The most frequent tool error messages. Exact over a day or less; from the rollups beyond.
CREATE OR REPLACE FUNCTION mini_agent_observability.top_errors(
  since timestamptz,
  until timestamptz DEFAULT 'infinity',
  max_rows integer DEFAULT 20
)
RETURNS TABLE (
  error_message text,
  occurrences   bigint,
  tool_names    text[],
  first_seen    timestamptz,
  last_seen     timestamptz
)
LANGUAGE sql STABLE
AS $$
  (SELECT te.error_message,
         count(*),
         array_agg(DISTINCT te.tool_name ORDER BY te.tool_name),
         min(te.started_at),
         max(te.started_at)
    FROM mini_agent_observability.tool_executions te
   WHERE NOT te.success
     AND te.started_at >= top_errors.since
     AND te.started_at < top_errors.until
     AND NOT mini_agent_observability.use_rollups(top_errors.since, top_errors.until)
   GROUP BY te.error_message
   ORDER BY count(*) DESC, max(te.started_at) DESC
   LIMIT top_errors.max_rows)
  UNION ALL
  (SELECT min(x.error_message), sum(x.n)::bigint, array_agg(DISTINCT x.tool_name ORDER BY x.tool_name), min(x.first_seen), max(x.last_seen)
    FROM (SELECT r.message_key, r.error_message, r.tool_name, r.occurrences AS n, r.first_seen, r.last_seen
            FROM mini_agent_observability.tool_error_rollup r, mini_agent_observability.rollup_bounds(top_errors.since, top_errors.until) b
           WHERE r.hour >= b.h0 AND r.hour < b.h1 AND r.occurrences > 0
          UNION ALL
          SELECT coalesce(md5(te.error_message), ''), te.error_message, te.tool_name, 1, te.started_at, te.started_at
            FROM mini_agent_observability.tool_executions te, mini_agent_observability.rollup_bounds(top_errors.since, top_errors.until) b
            WHERE NOT te.success AND te.started_at >= top_errors.since AND te.started_at < b.h0
        UNION ALL
          SELECT coalesce(md5(te.error_message), ''), te.error_message, te.tool_name, 1, te.started_at, te.started_at
            FROM mini_agent_observability.tool_executions te, mini_agent_observability.rollup_bounds(top_errors.since, top_errors.until) b
            WHERE NOT te.success AND te.started_at >= b.h1 AND te.started_at < top_errors.until) x
   WHERE mini_agent_observability.use_rollups(top_errors.since, top_errors.until)
   GROUP BY x.message_key
   ORDER BY sum(x.n) DESC, max(x.last_seen) DESC
   LIMIT top_errors.max_rows)
$$;

-- Token usage per model. Exact over a day or less; from the rollups beyond.
CREATE OR REPLACE FUNCTION mini_agent_observability.model_usage(
  since timestamptz,
  until timestamptz DEFAULT 'infinity'
)
RETURNS TABLE (
  model            text,
  provider         text,
  generations      bigint,
  errors           bigint,
  input_tokens     bigint,
  output_tokens    bigint,
  total_tokens     bigint,
  cached_tokens    bigint,
  reasoning_tokens bigint,
  p50_ms           double precision,
  p95_ms           double precision
)
LANGUAGE sql STABLE
AS $$
  SELECT g.model,
         g.provider,
         count(*),
         count(*) FILTER (WHERE NOT g.success),
         coalesce(sum(g.input_tokens), 0)::bigint,
         coalesce(sum(g.output_tokens), 0)::bigint,
         coalesce(sum(coalesce(g.total_tokens, coalesce(g.input_tokens, 0) + coalesce(g.output_tokens, 0))), 0)::bigint,
         coalesce(sum(g.cached_tokens), 0)::bigint,
         coalesce(sum(g.reasoning_tokens), 0)::bigint,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY g.duration_ms),
         percentile_cont(0.95) WITHIN GROUP (ORDER BY g.duration_ms)
    FROM mini_agent_observability.generations g
   WHERE g.started_at >= model_usage.since
     AND g.started_at < model_usage.until
     AND NOT mini_agent_observability.use_rollups(model_usage.since, model_usage.until)
   GROUP BY g.model, g.provider
  UNION ALL
  SELECT m.model, m.provider, m.generations, m.errors, m.input_tokens, m.output_tokens, m.total_tokens,
         m.cached_tokens, m.reasoning_tokens, p.p50, p.p95
    FROM (SELECT x.model, x.provider, sum(x.generations)::bigint AS generations, sum(x.errors)::bigint AS errors,
                 sum(x.input_tokens)::bigint AS input_tokens, sum(x.output_tokens)::bigint AS output_tokens,
                 sum(x.total_tokens)::bigint AS total_tokens, sum(x.cached_tokens)::bigint AS cached_tokens,
                 sum(x.reasoning_tokens)::bigint AS reasoning_tokens
            FROM (SELECT r.model, r.provider, r.generations, r.errors, r.input_tokens, r.output_tokens, r.total_tokens,
                         r.cached_tokens, r.reasoning_tokens
                    FROM mini_agent_observability.model_rollup r, mini_agent_observability.rollup_bounds(model_usage.since, model_usage.until) b
                   WHERE r.hour >= b.h0 AND r.hour < b.h1
                  UNION ALL
                  SELECT g.model, g.provider, 1, CASE WHEN g.success THEN 0 ELSE 1 END, coalesce(g.input_tokens, 0),
                         coalesce(g.output_tokens, 0), coalesce(g.total_tokens, coalesce(g.input_tokens, 0) + coalesce(g.output_tokens, 0)),
                         coalesce(g.cached_tokens, 0), coalesce(g.reasoning_tokens, 0)
                    FROM mini_agent_observability.generations g, mini_agent_observability.rollup_bounds(model_usage.since, model_usage.until) b
                   WHERE g.started_at >= model_usage.since AND g.started_at < b.h0
                  UNION ALL
                  SELECT g.model, g.provider, 1, CASE WHEN g.success THEN 0 ELSE 1 END, coalesce(g.input_tokens, 0),
                         coalesce(g.output_tokens, 0), coalesce(g.total_tokens, coalesce(g.input_tokens, 0) + coalesce(g.output_tokens, 0)),
                         coalesce(g.cached_tokens, 0), coalesce(g.reasoning_tokens, 0)
                    FROM mini_agent_observability.generations g, mini_agent_observability.rollup_bounds(model_usage.since, model_usage.until) b
                   WHERE g.started_at >= b.h1 AND g.started_at < model_usage.until) x
           GROUP BY x.model, x.provider
          HAVING sum(x.generations) > 0) m
    LEFT JOIN (SELECT h.subject AS model, h.subject2 AS provider, mini_agent_observability.histogram_percentile(array_agg(h.bin ORDER BY h.bin), array_agg(h.n ORDER BY h.bin), 0.5) AS p50, mini_agent_observability.histogram_percentile(array_agg(h.bin ORDER BY h.bin), array_agg(h.n ORDER BY h.bin), 0.95) AS p95
                 FROM (SELECT y.subject, y.subject2, y.bin, sum(y.n)::bigint AS n
                         FROM (SELECT lh.subject, lh.subject2, lh.bin, lh.n
                                 FROM mini_agent_observability.latency_histogram lh, mini_agent_observability.rollup_bounds(model_usage.since, model_usage.until) b
                                 WHERE lh.kind = 'model' AND lh.grain = 'day' AND lh.bucket_start >= b.d0 AND lh.bucket_start < b.d1
                               UNION ALL
                               SELECT lh.subject, lh.subject2, lh.bin, lh.n
                                 FROM mini_agent_observability.latency_histogram lh, mini_agent_observability.rollup_bounds(model_usage.since, model_usage.until) b
                                 WHERE lh.kind = 'model' AND lh.grain = 'hour' AND lh.bucket_start >= b.h0 AND lh.bucket_start < b.d0
                               UNION ALL
                               SELECT lh.subject, lh.subject2, lh.bin, lh.n
                                 FROM mini_agent_observability.latency_histogram lh, mini_agent_observability.rollup_bounds(model_usage.since, model_usage.until) b
                                 WHERE lh.kind = 'model' AND lh.grain = 'hour' AND lh.bucket_start >= b.d1 AND lh.bucket_start < b.h1
                               UNION ALL
                               SELECT g.model, g.provider, mini_agent_observability.latency_bin(g.duration_ms), 1
                                 FROM mini_agent_observability.generations g, mini_agent_observability.rollup_bounds(model_usage.since, model_usage.until) b
                                 WHERE g.started_at >= model_usage.since AND g.started_at < b.h0
                             UNION ALL
                               SELECT g.model, g.provider, mini_agent_observability.latency_bin(g.duration_ms), 1
                                 FROM mini_agent_observability.generations g, mini_agent_observability.rollup_bounds(model_usage.since, model_usage.until) b
                                 WHERE g.started_at >= b.h1 AND g.started_at < model_usage.until) y (subject, subject2, bin, n)
                        GROUP BY 1, 2, 3 HAVING sum(y.n) > 0) h
                GROUP BY 1, 2) p
      ON p.model IS NOT DISTINCT FROM m.model AND p.provider IS NOT DISTINCT FROM m.provider
   WHERE mini_agent_observability.use_rollups(model_usage.since, model_usage.until)
$$;
