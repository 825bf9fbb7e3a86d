-- mini-agent-otel analytics: the numbers behind the report, the alerts, Supabase Studio and Grafana.
--
-- Every figure lives here, in SQL, so psql, Studio, Grafana and the CLI see the same numbers.
--
-- Shape: one set-returning function per question, taking a time window
--   (since timestamptz, until timestamptz DEFAULT 'infinity'), rows with since <= time < until,
-- plus a plain `*_24h` view over each for clients that cannot pass parameters.
--
-- Conventions of every function here:
--   * latencies are milliseconds (double precision), percentiles are percentile_cont
--     (linear interpolation between the two nearest values, as in most statistics tools);
--   * rates are percentages from 0 to 100 (`*_pct` columns), so they read the same as the alert
--     thresholds in 011_alerts.sql;
--   * counts are bigint.
--
-- The functions are LANGUAGE sql, STABLE, without SET clauses: that lets the planner inline them
-- into the calling query and estimate the window from its actual value (a fast index range scan
-- for a short window). All names are schema-qualified, so the caller's search_path cannot change
-- what they read. They run with the caller's rights (SECURITY INVOKER), so row-level security
-- applies to whoever calls them; so do the views (security_invoker = true, PostgreSQL 15+).
--
-- Idempotent: CREATE OR REPLACE / IF NOT EXISTS only. Runs on PostgreSQL 15 and PGlite (18).

-- Indexes. Short windows read (started_at) ranges through the core schema's indexes. Every index
-- here also costs each insert, so there is one only where a query over a long window would
-- otherwise sort or scan far more than it returns. Long free text (error messages, inputs) is
-- never put in an index: a btree entry over ~2.7 kB would make the insert fail.

-- Over a long window the per-tool and per-category figures read every row: these indexes hand the
-- rows over already grouped, so no sort of the whole window is needed (ordered-set aggregates
-- such as percentile_cont cannot be hash-aggregated).
CREATE INDEX IF NOT EXISTS tool_executions_tool_window_idx
  ON mini_agent_observability.tool_executions (tool_name, category, started_at)
  INCLUDE (success, duration_ms);
CREATE INDEX IF NOT EXISTS tool_executions_category_window_idx
  ON mini_agent_observability.tool_executions (category, started_at)
  INCLUDE (success, duration_ms);
-- Failures are rare: the error report reads only them.
CREATE INDEX IF NOT EXISTS tool_executions_failures_idx
  ON mini_agent_observability.tool_executions (started_at)
  WHERE NOT success;
-- A trace created from a child span may have no start time yet: it is placed by insertion time.
CREATE INDEX IF NOT EXISTS traces_window_idx
  ON mini_agent_observability.traces ((coalesce(started_at, inserted_at)));
CREATE INDEX IF NOT EXISTS performance_metrics_type_window_idx
  ON mini_agent_observability.performance_metrics (metric_type, recorded_at)
  INCLUDE (metric_value);
CREATE INDEX IF NOT EXISTS generations_window_idx
  ON mini_agent_observability.generations (started_at)
  INCLUDE (model, success, duration_ms, input_tokens, output_tokens, total_tokens);

-- Per tool: one row per tool name and category (a tool name normally has exactly one category).
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
   GROUP BY te.tool_name, te.category
$$;

-- Per tool category (core, file, mcp, document, skill, other).
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
   GROUP BY te.category
$$;

-- Per session: one row per trace (an OTel trace is one agent session run; `session_id` groups
-- several runs of one conversation). A trace is in the window by its start time, or by when its
-- row was written while its session span has not arrived yet.
--   failed            the session span ended with status ERROR. Failed tools the agent recovered
--                     from do not fail the session; they are counted in failed_tools.
--   complete          the session span has arrived; an incomplete trace is still running, or its
--                     root span was lost. Its start/end/duration fall back to its tools' times.
--   peak_memory_pct   highest `memory` metric with unit '%' (percent of the memory limit).
--   peak_memory_bytes highest `memory` metric with unit 'By' (bytes, the UCUM/OTel unit).
-- Each trace's tools and metrics are looked up by trace id (LATERAL), so a filter on the traces
-- (`WHERE failed`, `WHERE session_id = ...`) reads only the traces it keeps.
CREATE OR REPLACE FUNCTION mini_agent_observability.session_stats(
  since timestamptz,
  until timestamptz DEFAULT 'infinity'
)
RETURNS TABLE (
  trace_id          text,
  session_id        text,
  agent_name        text,
  name              text,
  user_id           text,
  status            text,
  complete          boolean,
  failed            boolean,
  started_at        timestamptz,
  ended_at          timestamptz,
  duration_ms       double precision,
  tool_count        bigint,
  failed_tools      bigint,
  peak_memory_pct   double precision,
  peak_memory_bytes double precision
)
LANGUAGE sql STABLE
AS $$
  SELECT t.id,
         t.session_id,
         t.agent_name,
         t.name,
         t.user_id,
         t.status,
         t.complete,
         t.status = 'error',
         coalesce(t.started_at, tools.first_start),
         coalesce(t.ended_at, tools.last_end),
         extract(epoch FROM coalesce(t.ended_at, tools.last_end) - coalesce(t.started_at, tools.first_start))::float8 * 1000,
         tools.tool_count,
         tools.failed_tools,
         memory.peak_pct,
         memory.peak_bytes
    FROM mini_agent_observability.traces t
   CROSS JOIN LATERAL (
         SELECT count(*) AS tool_count,
                count(*) FILTER (WHERE NOT te.success) AS failed_tools,
                min(te.started_at) AS first_start,
                max(te.ended_at) AS last_end
           FROM mini_agent_observability.tool_executions te
          WHERE te.trace_id = t.id
         ) tools
   CROSS JOIN LATERAL (
         SELECT max(pm.metric_value) FILTER (WHERE pm.unit = '%') AS peak_pct,
                max(pm.metric_value) FILTER (WHERE pm.unit = 'By') AS peak_bytes
           FROM mini_agent_observability.performance_metrics pm
          WHERE pm.trace_id = t.id
            AND pm.metric_type = 'memory'
         ) memory
   WHERE coalesce(t.started_at, t.inserted_at) >= session_stats.since
     AND coalesce(t.started_at, t.inserted_at) < session_stats.until
$$;

-- All sessions of the window in one row: how many, how many failed, how long they take.
-- Only complete sessions (their session span has arrived) are judged: a running session has
-- not failed yet. `failed_pct` is what the failed-sessions alert reads. Reads `traces` only.
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
  )
  SELECT count(*),
         count(*) FILTER (WHERE j.complete),
         count(*) FILTER (WHERE j.failed),
         100.0::float8 * count(*) FILTER (WHERE j.failed) / nullif(count(*) FILTER (WHERE j.complete), 0),
         percentile_cont(0.5) WITHIN GROUP (ORDER BY j.duration_ms),
         percentile_cont(0.95) WITHIN GROUP (ORDER BY j.duration_ms),
         max(j.duration_ms)
    FROM judged j
$$;

-- The most frequent tool error messages, most frequent first. A failed tool without a message
-- is counted under a NULL message.
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
  SELECT te.error_message,
         count(*),
         array_agg(DISTINCT te.tool_name ORDER BY te.tool_name),
         min(te.started_at),
         max(te.started_at)
    FROM mini_agent_observability.tool_executions te
   WHERE NOT te.success
     AND te.started_at >= top_errors.since
     AND te.started_at < top_errors.until
   GROUP BY te.error_message
   ORDER BY count(*) DESC, max(te.started_at) DESC
   LIMIT top_errors.max_rows
$$;

-- Token usage per model (LLM calls). `total_tokens` is the reported total, or input + output
-- when the provider reported no total.
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
   GROUP BY g.model, g.provider
$$;

-- Resource usage: every performance metric by type and unit (memory in '%' and in 'By' are
-- different series and never mixed). Samples without a numeric value are not counted.
CREATE OR REPLACE FUNCTION mini_agent_observability.metric_stats(
  since timestamptz,
  until timestamptz DEFAULT 'infinity'
)
RETURNS TABLE (
  metric_type text,
  unit        text,
  samples     bigint,
  avg_value   double precision,
  p50_value   double precision,
  p95_value   double precision,
  max_value   double precision
)
LANGUAGE sql STABLE
AS $$
  SELECT pm.metric_type,
         pm.unit,
         count(*),
         avg(pm.metric_value),
         percentile_cont(0.5) WITHIN GROUP (ORDER BY pm.metric_value),
         percentile_cont(0.95) WITHIN GROUP (ORDER BY pm.metric_value),
         max(pm.metric_value)
    FROM mini_agent_observability.performance_metrics pm
   WHERE pm.metric_value IS NOT NULL
     AND pm.recorded_at >= metric_stats.since
     AND pm.recorded_at < metric_stats.until
   GROUP BY pm.metric_type, pm.unit
$$;

-- The last 24 hours, for clients that cannot pass a parameter (Studio, Grafana tables).
CREATE OR REPLACE VIEW mini_agent_observability.tool_stats_24h WITH (security_invoker = true) AS
  SELECT * FROM mini_agent_observability.tool_stats(now() - interval '24 hours');
CREATE OR REPLACE VIEW mini_agent_observability.category_stats_24h WITH (security_invoker = true) AS
  SELECT * FROM mini_agent_observability.category_stats(now() - interval '24 hours');
CREATE OR REPLACE VIEW mini_agent_observability.session_stats_24h WITH (security_invoker = true) AS
  SELECT * FROM mini_agent_observability.session_stats(now() - interval '24 hours');
CREATE OR REPLACE VIEW mini_agent_observability.session_totals_24h WITH (security_invoker = true) AS
  SELECT * FROM mini_agent_observability.session_totals(now() - interval '24 hours');
CREATE OR REPLACE VIEW mini_agent_observability.top_errors_24h WITH (security_invoker = true) AS
  SELECT * FROM mini_agent_observability.top_errors(now() - interval '24 hours');
CREATE OR REPLACE VIEW mini_agent_observability.model_usage_24h WITH (security_invoker = true) AS
  SELECT * FROM mini_agent_observability.model_usage(now() - interval '24 hours');
CREATE OR REPLACE VIEW mini_agent_observability.metric_stats_24h WITH (security_invoker = true) AS
  SELECT * FROM mini_agent_observability.metric_stats(now() - interval '24 hours');
