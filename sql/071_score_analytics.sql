-- Score analytics, in SQL so any client (psql, Supabase Studio, Grafana, the CLI, the dashboard)
-- sees the same numbers. Every function takes a window [since, until) on the score's created_at.
-- Numeric figures count numeric and boolean scores (a boolean's average is its pass rate);
-- categorical scores count by label.
--
--   score_stats(since, until)                 per name: count, sessions, average, min, max, median, labels
--   score_stats_by_version(since, until)      per name and agent version of the scored trace
--   score_daily(since, until)                 per UTC day and name
--   score_distribution(since, until, buckets) per name: label counts, or equal-width value buckets
--   worst_sessions(score_name, since, until, max_rows)  the traces with the lowest average score
--
-- LANGUAGE sql without a SET clause so the planner inlines them (docs/supabase.md lists them
-- among the search_path exceptions). Idempotent; PostgreSQL 15 and PGlite (18). Depends on 070.

CREATE OR REPLACE FUNCTION mini_agent_observability.score_stats(
  since timestamptz,
  until timestamptz DEFAULT 'infinity'
)
RETURNS TABLE (
  name         text,
  data_type    text,
  scores       bigint,
  sessions     bigint,
  avg_value    double precision,
  min_value    double precision,
  max_value    double precision,
  median_value double precision,
  labels       jsonb,
  first_at     timestamptz,
  last_at      timestamptz
)
LANGUAGE sql STABLE
AS $$
  WITH s AS (
    SELECT sc.* FROM mini_agent_observability.scores sc
     WHERE sc.created_at >= score_stats.since AND sc.created_at < score_stats.until
  ),
  per_label AS (
    SELECT s.name, s.data_type, jsonb_object_agg(s.label, s.n ORDER BY s.label) AS labels
      FROM (SELECT s.name, s.data_type, s.label, count(*) AS n FROM s WHERE s.label IS NOT NULL
             GROUP BY s.name, s.data_type, s.label) s
     GROUP BY s.name, s.data_type
  )
  SELECT s.name, s.data_type, count(*), count(DISTINCT s.trace_id),
         avg(s.value), min(s.value), max(s.value),
         percentile_cont(0.5) WITHIN GROUP (ORDER BY s.value),
         coalesce(pl.labels, '{}'::jsonb), min(s.created_at), max(s.created_at)
    FROM s LEFT JOIN per_label pl ON pl.name = s.name AND pl.data_type = s.data_type
   GROUP BY s.name, s.data_type, pl.labels
   ORDER BY s.name, s.data_type
$$;

CREATE OR REPLACE FUNCTION mini_agent_observability.score_stats_by_version(
  since timestamptz,
  until timestamptz DEFAULT 'infinity'
)
RETURNS TABLE (
  name          text,
  agent_version text,
  scores        bigint,
  sessions      bigint,
  avg_value     double precision,
  min_value     double precision,
  max_value     double precision
)
LANGUAGE sql STABLE
AS $$
  SELECT s.name, t.agent_version, count(*), count(DISTINCT s.trace_id), avg(s.value), min(s.value), max(s.value)
    FROM mini_agent_observability.scores s
    LEFT JOIN mini_agent_observability.traces t ON t.id = s.trace_id
   WHERE s.created_at >= score_stats_by_version.since AND s.created_at < score_stats_by_version.until
   GROUP BY s.name, t.agent_version
   ORDER BY s.name, t.agent_version NULLS LAST
$$;

CREATE OR REPLACE FUNCTION mini_agent_observability.score_daily(
  since timestamptz,
  until timestamptz DEFAULT 'infinity'
)
RETURNS TABLE (
  day       date,
  name      text,
  scores    bigint,
  avg_value double precision,
  min_value double precision,
  max_value double precision
)
LANGUAGE sql STABLE
AS $$
  SELECT (s.created_at AT TIME ZONE 'UTC')::date AS day, s.name, count(*), avg(s.value), min(s.value), max(s.value)
    FROM mini_agent_observability.scores s
   WHERE s.created_at >= score_daily.since AND s.created_at < score_daily.until
   GROUP BY 1, s.name
   ORDER BY 1, s.name
$$;

-- Categorical scores: one row per label (lower/upper NULL). Numeric and boolean scores: `buckets`
-- equal-width buckets between the name's lowest and highest value in the window (one bucket when
-- they are equal); empty buckets are left out.
CREATE OR REPLACE FUNCTION mini_agent_observability.score_distribution(
  since   timestamptz,
  until   timestamptz DEFAULT 'infinity',
  buckets integer DEFAULT 10
)
RETURNS TABLE (
  name      text,
  data_type text,
  bucket    text,
  lower     double precision,
  upper     double precision,
  scores    bigint
)
LANGUAGE sql STABLE
AS $$
  WITH s AS (
    SELECT sc.name, sc.data_type, sc.value, sc.label FROM mini_agent_observability.scores sc
     WHERE sc.created_at >= score_distribution.since AND sc.created_at < score_distribution.until
  ),
  range AS (
    SELECT s.name, s.data_type, min(s.value) AS lo, max(s.value) AS hi
      FROM s WHERE s.data_type <> 'categorical' AND s.value IS NOT NULL GROUP BY s.name, s.data_type
  ),
  numeric_buckets AS (
    SELECT s.name, s.data_type,
           CASE WHEN r.hi = r.lo THEN 1
                ELSE least(width_bucket(s.value, r.lo, r.hi, greatest(score_distribution.buckets, 1)),
                           greatest(score_distribution.buckets, 1)) END AS n,
           r.lo, r.hi
      FROM s JOIN range r ON r.name = s.name AND r.data_type = s.data_type
     WHERE s.value IS NOT NULL
  )
  SELECT b.name, b.data_type,
         CASE WHEN b.hi = b.lo THEN b.lo::text ELSE b.n::text END,
         CASE WHEN b.hi = b.lo THEN b.lo ELSE b.lo + (b.hi - b.lo) * (b.n - 1) / greatest(score_distribution.buckets, 1) END,
         CASE WHEN b.hi = b.lo THEN b.hi ELSE b.lo + (b.hi - b.lo) * b.n / greatest(score_distribution.buckets, 1) END,
         count(*)
    FROM numeric_buckets b
   GROUP BY b.name, b.data_type, b.n, b.lo, b.hi
  UNION ALL
  SELECT s.name, s.data_type, s.label, NULL, NULL, count(*)
    FROM s WHERE s.data_type = 'categorical'
   GROUP BY s.name, s.data_type, s.label
   ORDER BY 1, 2, 4 NULLS LAST, 3
$$;

-- The traces whose numeric (and boolean) scores average lowest: one score name, or every name
-- when score_name is NULL. Ties go to the most recent.
CREATE OR REPLACE FUNCTION mini_agent_observability.worst_sessions(
  score_name text,
  since      timestamptz,
  until      timestamptz DEFAULT 'infinity',
  max_rows   integer DEFAULT 10
)
RETURNS TABLE (
  trace_id      text,
  session_id    text,
  trace_name    text,
  agent_name    text,
  agent_version text,
  user_id       text,
  scores        bigint,
  avg_value     double precision,
  min_value     double precision,
  last_at       timestamptz
)
LANGUAGE sql STABLE
AS $$
  SELECT s.trace_id, coalesce(t.session_id, max(s.session_id)), t.name, t.agent_name, t.agent_version, t.user_id,
         count(*), avg(s.value), min(s.value), max(s.created_at)
    FROM mini_agent_observability.scores s
    LEFT JOIN mini_agent_observability.traces t ON t.id = s.trace_id
   WHERE s.value IS NOT NULL
     AND (worst_sessions.score_name IS NULL OR s.name = worst_sessions.score_name)
     AND s.created_at >= worst_sessions.since AND s.created_at < worst_sessions.until
   GROUP BY s.trace_id, t.session_id, t.name, t.agent_name, t.agent_version, t.user_id
   ORDER BY avg(s.value), max(s.created_at) DESC
   LIMIT greatest(worst_sessions.max_rows, 0)
$$;
