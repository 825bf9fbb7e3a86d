-- An alert rule on scores: a score's average falling below a threshold.
--
-- New metrics of the alert catalogue (sql/011_alerts.sql):
--   score_avg          per score name: average value of its numeric and boolean scores in the window
--   score_avg:<name>   the same for one score name only (a rule per name, each with its own scale)
-- The subject is the score name. The seeded rule `score_average` is off (enabled = false) until a
-- threshold that fits the project's scores is set, e.g.
--   UPDATE mini_agent_observability.alert_thresholds
--      SET metric = 'score_avg:helpfulness', threshold = 0.7, enabled = true WHERE rule_name = 'score_average';
--
-- alert_measure is redefined: main's body from 011_alerts.sql unchanged, plus the score branch at
-- the end. Idempotent; PostgreSQL 15 and PGlite (18). Depends on 011 and 070.

ALTER TABLE mini_agent_observability.alert_thresholds DROP CONSTRAINT IF EXISTS alert_thresholds_metric_check;
-- NOT VALID: running the files again in order (as `migrate` does when it adopts a database set up
-- by hand) must not trip on rows that a later file's metrics allow; every row inserted or updated
-- is still checked.
ALTER TABLE mini_agent_observability.alert_thresholds ADD CONSTRAINT alert_thresholds_metric_check CHECK (
  metric IN ('tool_latency_p95_ms', 'tool_latency_max_ms', 'tool_error_rate_pct',
             'error_rate_pct', 'memory_pct', 'failed_sessions_pct', 'score_avg')
  OR (metric LIKE 'score\_avg:%' AND length(metric) > length('score_avg:'))) NOT VALID;

INSERT INTO mini_agent_observability.alert_thresholds
  (rule_name, metric, comparator, threshold, window_length, enabled, description)
VALUES
  ('score_average', 'score_avg', '<', 0.5, interval '1 hour', false,
   'A score''s average fell below 0.5 (off until a threshold is set)')
ON CONFLICT (rule_name) DO NOTHING;

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
  UNION ALL
  SELECT sc.name, avg(sc.value), count(*)
    FROM mini_agent_observability.scores sc
   WHERE (alert_measure.metric = 'score_avg'
          OR (alert_measure.metric LIKE 'score\_avg:%' AND sc.name = substr(alert_measure.metric, length('score_avg:') + 1)))
     AND sc.value IS NOT NULL
     AND sc.created_at >= alert_measure.since
     AND sc.created_at < alert_measure.until
   GROUP BY sc.name
$$;
