-- mini-agent-otel alerts: thresholds in a table users edit, evaluated in SQL.
--
-- A rule fires when `value <comparator> threshold` holds over the rule's window (the last
-- `window_length` before now, or the window the caller passes) and the window holds at least
-- `min_samples` samples. The seeded comparator is strict ('>'): a value exactly at the
-- threshold does not fire.
--
-- Metrics a rule can watch (units in the name; rates are percentages 0-100):
--   tool_latency_p95_ms   per tool: 95th percentile of duration_ms (percentile_cont)
--   tool_latency_max_ms   per tool: slowest execution
--   tool_error_rate_pct   per tool: failed executions / executions
--   error_rate_pct        all tools together: failed executions / executions
--   memory_pct            highest memory sample, in percent of the memory limit
--   failed_sessions_pct   complete sessions whose session span ended with ERROR / complete sessions
--
-- Memory is read from performance_metrics rows with metric_type = 'memory' AND unit = '%'
-- (percent of the limit the agent runs under, as the in-process helper records it). Memory rows
-- in any other unit (e.g. 'By') cannot be turned into a percentage without the limit, so this
-- rule ignores them; they still appear in metric_stats() and session_stats().
--
-- Seeded rules are the requirement's thresholds. They are inserted with ON CONFLICT DO NOTHING,
-- so a threshold a user changed (or a rule a user disabled) survives every re-run.
--
-- Idempotent; runs on PostgreSQL 15 and PGlite (18). Depends on 010_analytics.sql.

CREATE TABLE IF NOT EXISTS mini_agent_observability.alert_thresholds (
  rule_name     text PRIMARY KEY,
  metric        text NOT NULL,
  comparator    text NOT NULL DEFAULT '>',
  threshold     double precision NOT NULL,
  window_length interval NOT NULL DEFAULT interval '1 hour',
  min_samples   integer NOT NULL DEFAULT 1,
  enabled       boolean NOT NULL DEFAULT true,
  description   text,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT alert_thresholds_metric_check CHECK (metric IN (
    'tool_latency_p95_ms', 'tool_latency_max_ms', 'tool_error_rate_pct',
    'error_rate_pct', 'memory_pct', 'failed_sessions_pct')),
  CONSTRAINT alert_thresholds_comparator_check CHECK (comparator IN ('>', '>=', '<', '<=')),
  CONSTRAINT alert_thresholds_window_check CHECK (window_length > interval '0'),
  CONSTRAINT alert_thresholds_min_samples_check CHECK (min_samples >= 1)
);

INSERT INTO mini_agent_observability.alert_thresholds
  (rule_name, metric, comparator, threshold, window_length, description)
VALUES
  ('tool_latency', 'tool_latency_p95_ms', '>', 5000, interval '1 hour',
   'A tool''s 95th-percentile latency is above 5 s'),
  ('error_rate', 'error_rate_pct', '>', 10, interval '1 hour',
   'More than 10 % of tool executions failed'),
  ('memory_use', 'memory_pct', '>', 80, interval '1 hour',
   'Memory use went above 80 % of the limit'),
  ('failed_sessions', 'failed_sessions_pct', '>', 20, interval '1 hour',
   'More than 20 % of sessions failed')
ON CONFLICT (rule_name) DO NOTHING;

-- One metric of the alert catalogue over a window: one row per subject (a tool for per-tool
-- metrics, NULL for the others) with its value and how many samples it was computed from; no
-- row when the window holds no data. Only the branch of `metric` runs: the others are constant-
-- false once the planner knows the metric.
CREATE OR REPLACE FUNCTION mini_agent_observability.alert_measure(
  metric text,
  since  timestamptz,
  until  timestamptz
)
RETURNS TABLE (
  subject text,
  value   double precision,
  samples bigint
)
LANGUAGE sql STABLE
AS $$
  SELECT s.tool_name,
         CASE alert_measure.metric
           WHEN 'tool_latency_p95_ms' THEN s.p95_ms
           WHEN 'tool_latency_max_ms' THEN s.max_ms
           ELSE s.error_pct
         END,
         s.executions
    FROM mini_agent_observability.tool_stats(alert_measure.since, alert_measure.until) s
   WHERE alert_measure.metric IN ('tool_latency_p95_ms', 'tool_latency_max_ms', 'tool_error_rate_pct')
  UNION ALL
  SELECT NULL,
         100.0::float8 * count(*) FILTER (WHERE NOT te.success) / count(*),
         count(*)
    FROM mini_agent_observability.tool_executions te
   WHERE alert_measure.metric = 'error_rate_pct'
     AND te.started_at >= alert_measure.since
     AND te.started_at < alert_measure.until
  HAVING count(*) > 0
  UNION ALL
  SELECT NULL, max(pm.metric_value), count(*)
    FROM mini_agent_observability.performance_metrics pm
   WHERE alert_measure.metric = 'memory_pct'
     AND pm.metric_type = 'memory'
     AND pm.unit = '%'
     AND pm.metric_value IS NOT NULL
     AND pm.recorded_at >= alert_measure.since
     AND pm.recorded_at < alert_measure.until
  HAVING count(*) > 0
  UNION ALL
  SELECT NULL, st.failed_pct, st.complete_sessions
    FROM mini_agent_observability.session_totals(alert_measure.since, alert_measure.until) st
   WHERE alert_measure.metric = 'failed_sessions_pct'
     AND st.complete_sessions > 0
$$;

-- Every enabled rule evaluated: one row per rule and subject, `firing` true when it fires. A rule
-- with no data in its window gives one row with a NULL value, 0 samples and firing = false.
-- Rows come ordered by rule name, then highest value first.
--   since NULL: each rule uses its own window_length ending at `until`.
-- PL/pgSQL evaluating one rule at a time, planned with that rule's actual window
-- (force_custom_plan): a plan made for an unknown window would scan a long window the slow way.
CREATE OR REPLACE FUNCTION mini_agent_observability.alert_status(
  since timestamptz DEFAULT NULL,
  until timestamptz DEFAULT now()
)
RETURNS TABLE (
  rule_name     text,
  metric        text,
  subject       text,
  value         double precision,
  comparator    text,
  threshold     double precision,
  samples       bigint,
  window_length interval,
  window_start  timestamptz,
  window_end    timestamptz,
  firing        boolean,
  description   text
)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_custom_plan
AS $$
#variable_conflict use_column
DECLARE
  rule    mini_agent_observability.alert_thresholds%ROWTYPE;
  from_ts timestamptz;
BEGIN
  FOR rule IN
    SELECT * FROM mini_agent_observability.alert_thresholds t WHERE t.enabled ORDER BY t.rule_name
  LOOP
    from_ts := coalesce(alert_status.since, alert_status.until - rule.window_length);
    RETURN QUERY
      SELECT rule.rule_name, rule.metric, m.subject, m.value, rule.comparator, rule.threshold, m.samples,
             alert_status.until - from_ts, from_ts, alert_status.until,
             m.samples >= rule.min_samples AND coalesce(CASE rule.comparator
               WHEN '>' THEN m.value > rule.threshold
               WHEN '>=' THEN m.value >= rule.threshold
               WHEN '<' THEN m.value < rule.threshold
               WHEN '<=' THEN m.value <= rule.threshold
             END, false),
             rule.description
        FROM mini_agent_observability.alert_measure(rule.metric, from_ts, alert_status.until) m
       ORDER BY m.value DESC NULLS LAST, m.subject;
    IF NOT FOUND THEN
      RETURN QUERY
        SELECT rule.rule_name, rule.metric, NULL::text, NULL::double precision, rule.comparator,
               rule.threshold, 0::bigint, alert_status.until - from_ts, from_ts, alert_status.until,
               false, rule.description;
    END IF;
  END LOOP;
END
$$;

-- The firing alerts only. since NULL: each rule over its own window ending at `until`.
CREATE OR REPLACE FUNCTION mini_agent_observability.firing_alerts(
  since timestamptz DEFAULT NULL,
  until timestamptz DEFAULT now()
)
RETURNS TABLE (
  rule_name     text,
  metric        text,
  subject       text,
  value         double precision,
  comparator    text,
  threshold     double precision,
  samples       bigint,
  window_length interval,
  window_start  timestamptz,
  window_end    timestamptz,
  description   text
)
LANGUAGE sql STABLE
AS $$
  SELECT a.rule_name, a.metric, a.subject, a.value, a.comparator, a.threshold, a.samples,
         a.window_length, a.window_start, a.window_end, a.description
    FROM mini_agent_observability.alert_status(firing_alerts.since, firing_alerts.until) a
   WHERE a.firing
$$;

-- What fires right now, each rule over its own window.
CREATE OR REPLACE VIEW mini_agent_observability.active_alerts WITH (security_invoker = true) AS
  SELECT * FROM mini_agent_observability.firing_alerts();
