-- The spend alert: metric 'spend_usd' (USD of the priced LLM calls started in the window; samples:
-- how many were priced) and a rule 'spend', seeded disabled with 10 USD a day. Set a budget and
-- enable it:
--   UPDATE mini_agent_observability.alert_thresholds SET threshold = 25, enabled = true WHERE rule_name = 'spend';
--
-- alert_measure is redefined: 072's body (011's catalogue plus the score metrics) unchanged, plus
-- the spend_usd branch at the end; the metric check of alert_thresholds gains 'spend_usd'.
--
-- Idempotent; runs on PostgreSQL 15 and PGlite (18). Depends on 011, 060 and 072.

-- The alert catalogue gains spend_usd.
ALTER TABLE mini_agent_observability.alert_thresholds DROP CONSTRAINT IF EXISTS alert_thresholds_metric_check;
-- NOT VALID: running the files again in order (as `migrate` does when it adopts a database set up
-- by hand) must not trip on rows that a later file's metrics allow; every row inserted or updated
-- is still checked.
ALTER TABLE mini_agent_observability.alert_thresholds ADD CONSTRAINT alert_thresholds_metric_check CHECK (
  metric IN ('tool_latency_p95_ms', 'tool_latency_max_ms', 'tool_error_rate_pct',
             'error_rate_pct', 'memory_pct', 'failed_sessions_pct', 'score_avg', 'spend_usd')
  OR (metric LIKE 'score\_avg:%' AND length(metric) > length('score_avg:'))) NOT VALID;

INSERT INTO mini_agent_observability.alert_thresholds
  (rule_name, metric, comparator, threshold, window_length, enabled, description)
VALUES
  ('spend', 'spend_usd', '>', 10, interval '1 day', false,
   'LLM calls cost more than 10 USD in a day (disabled until you set your budget)')
ON CONFLICT (rule_name) DO NOTHING;

-- 072's alert_measure with one more branch: spend_usd, the USD of the priced generations started
-- in the window (samples: how many were priced).
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
  UNION ALL
  SELECT NULL, sum(g.cost_usd)::float8, count(g.cost_usd)
    FROM mini_agent_observability.generations g
   WHERE alert_measure.metric = 'spend_usd'
     AND g.started_at >= alert_measure.since
     AND g.started_at < alert_measure.until
  HAVING count(g.cost_usd) > 0
$$;
