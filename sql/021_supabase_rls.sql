-- Supabase layer, part 2: row-level security, grants, and public views for PostgREST.
--
-- Who may do what (the same on Supabase, plain PostgreSQL and PGlite):
--   service_role   reads and writes (SELECT, INSERT, UPDATE: enough for an upsert); no DELETE,
--                  retention jobs run as the tables' owner.
--   authenticated  reads every row. Telemetry is shared by the whole project: tighten the
--                  `mini_agent_authenticated_read` policies for a multi-tenant project.
--   anon, PUBLIC   nothing: no schema usage, no table, view or function privilege.
-- The tables' owner (the user that ran the migrations, whom the exporter connects as) is not
-- subject to RLS and keeps every right.
--
-- PostgREST only serves the schemas a project exposes (by default `public`), so each table gets
-- a view in `public` named `mini_agent_<table>`: the prefix keeps them apart from a user's own
-- tables and groups them in the Table Editor. The views are security_invoker (PostgreSQL 15+):
-- they check the caller's privileges and RLS policies on the underlying table, not the owner's.
-- Supabase grants everything on new `public` objects to anon by default privileges, so every
-- view's privileges are revoked and granted explicitly after it is created.
--
-- Idempotent (CREATE OR REPLACE, DROP POLICY IF EXISTS + CREATE POLICY, GRANT/REVOKE);
-- runs on PostgreSQL 15 and PGlite (18). Depends on 001, 010, 011 and 020.

REVOKE ALL ON SCHEMA mini_agent_observability FROM PUBLIC, anon;
GRANT USAGE ON SCHEMA mini_agent_observability TO authenticated, service_role;

-- Tables: RLS on, explicit grants, one policy per audience.
DO $$
DECLARE
  table_name text;
BEGIN
  FOREACH table_name IN ARRAY ARRAY['traces', 'tool_executions', 'performance_metrics',
                                    'decisions', 'spans', 'generations', 'alert_thresholds'] LOOP
    EXECUTE format('ALTER TABLE mini_agent_observability.%I ENABLE ROW LEVEL SECURITY', table_name);
    EXECUTE format('REVOKE ALL ON mini_agent_observability.%I FROM PUBLIC, anon, authenticated, service_role', table_name);
    EXECUTE format('GRANT SELECT ON mini_agent_observability.%I TO authenticated', table_name);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE ON mini_agent_observability.%I TO service_role', table_name);

    EXECUTE format('DROP POLICY IF EXISTS mini_agent_authenticated_read ON mini_agent_observability.%I', table_name);
    EXECUTE format('CREATE POLICY mini_agent_authenticated_read ON mini_agent_observability.%I'
                   ' FOR SELECT TO authenticated USING (true)', table_name);
    EXECUTE format('DROP POLICY IF EXISTS mini_agent_service_role_write ON mini_agent_observability.%I', table_name);
    EXECUTE format('CREATE POLICY mini_agent_service_role_write ON mini_agent_observability.%I'
                   ' FOR ALL TO service_role USING (true) WITH CHECK (true)', table_name);
  END LOOP;
END
$$;

-- Public views over the tables (rows for PostgREST and the Table Editor).
CREATE OR REPLACE VIEW public.mini_agent_traces WITH (security_invoker = true) AS
  SELECT * FROM mini_agent_observability.traces;
CREATE OR REPLACE VIEW public.mini_agent_tool_executions WITH (security_invoker = true) AS
  SELECT * FROM mini_agent_observability.tool_executions;
CREATE OR REPLACE VIEW public.mini_agent_performance_metrics WITH (security_invoker = true) AS
  SELECT * FROM mini_agent_observability.performance_metrics;
CREATE OR REPLACE VIEW public.mini_agent_decisions WITH (security_invoker = true) AS
  SELECT * FROM mini_agent_observability.decisions;
CREATE OR REPLACE VIEW public.mini_agent_spans WITH (security_invoker = true) AS
  SELECT * FROM mini_agent_observability.spans;
CREATE OR REPLACE VIEW public.mini_agent_generations WITH (security_invoker = true) AS
  SELECT * FROM mini_agent_observability.generations;
CREATE OR REPLACE VIEW public.mini_agent_alert_thresholds WITH (security_invoker = true) AS
  SELECT * FROM mini_agent_observability.alert_thresholds;

-- Public views over the analytics and alerts (read-only, last 24 h / each rule's window).
CREATE OR REPLACE VIEW public.mini_agent_tool_stats_24h WITH (security_invoker = true) AS
  SELECT * FROM mini_agent_observability.tool_stats_24h;
CREATE OR REPLACE VIEW public.mini_agent_category_stats_24h WITH (security_invoker = true) AS
  SELECT * FROM mini_agent_observability.category_stats_24h;
CREATE OR REPLACE VIEW public.mini_agent_session_stats_24h WITH (security_invoker = true) AS
  SELECT * FROM mini_agent_observability.session_stats_24h;
CREATE OR REPLACE VIEW public.mini_agent_session_totals_24h WITH (security_invoker = true) AS
  SELECT * FROM mini_agent_observability.session_totals_24h;
CREATE OR REPLACE VIEW public.mini_agent_top_errors_24h WITH (security_invoker = true) AS
  SELECT * FROM mini_agent_observability.top_errors_24h;
CREATE OR REPLACE VIEW public.mini_agent_model_usage_24h WITH (security_invoker = true) AS
  SELECT * FROM mini_agent_observability.model_usage_24h;
CREATE OR REPLACE VIEW public.mini_agent_metric_stats_24h WITH (security_invoker = true) AS
  SELECT * FROM mini_agent_observability.metric_stats_24h;
CREATE OR REPLACE VIEW public.mini_agent_active_alerts WITH (security_invoker = true) AS
  SELECT * FROM mini_agent_observability.active_alerts;

-- Grants on every view: read for authenticated; the table views are also writable by
-- service_role (simple views are updatable, RLS of the table applies).
DO $$
DECLARE
  view_name text;
BEGIN
  FOREACH view_name IN ARRAY ARRAY[
    'public.mini_agent_traces', 'public.mini_agent_tool_executions',
    'public.mini_agent_performance_metrics', 'public.mini_agent_decisions',
    'public.mini_agent_spans', 'public.mini_agent_generations', 'public.mini_agent_alert_thresholds'] LOOP
    EXECUTE format('REVOKE ALL ON %s FROM PUBLIC, anon, authenticated, service_role', view_name);
    EXECUTE format('GRANT SELECT ON %s TO authenticated', view_name);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE ON %s TO service_role', view_name);
  END LOOP;

  FOREACH view_name IN ARRAY ARRAY[
    'mini_agent_observability.tool_stats_24h', 'mini_agent_observability.category_stats_24h',
    'mini_agent_observability.session_stats_24h', 'mini_agent_observability.session_totals_24h',
    'mini_agent_observability.top_errors_24h', 'mini_agent_observability.model_usage_24h',
    'mini_agent_observability.metric_stats_24h', 'mini_agent_observability.active_alerts',
    'public.mini_agent_tool_stats_24h', 'public.mini_agent_category_stats_24h',
    'public.mini_agent_session_stats_24h', 'public.mini_agent_session_totals_24h',
    'public.mini_agent_top_errors_24h', 'public.mini_agent_model_usage_24h',
    'public.mini_agent_metric_stats_24h', 'public.mini_agent_active_alerts'] LOOP
    EXECUTE format('REVOKE ALL ON %s FROM PUBLIC, anon, authenticated, service_role', view_name);
    EXECUTE format('GRANT SELECT ON %s TO authenticated, service_role', view_name);
  END LOOP;
END
$$;

-- Analytics and alert functions: callable by authenticated and service_role only. New
-- functions are executable by PUBLIC by default, hence the revoke.
REVOKE ALL ON FUNCTION
  mini_agent_observability.tool_stats(timestamptz, timestamptz),
  mini_agent_observability.category_stats(timestamptz, timestamptz),
  mini_agent_observability.session_stats(timestamptz, timestamptz),
  mini_agent_observability.session_totals(timestamptz, timestamptz),
  mini_agent_observability.top_errors(timestamptz, timestamptz, integer),
  mini_agent_observability.model_usage(timestamptz, timestamptz),
  mini_agent_observability.metric_stats(timestamptz, timestamptz),
  mini_agent_observability.alert_measure(text, timestamptz, timestamptz),
  mini_agent_observability.alert_status(timestamptz, timestamptz),
  mini_agent_observability.firing_alerts(timestamptz, timestamptz)
FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION
  mini_agent_observability.tool_stats(timestamptz, timestamptz),
  mini_agent_observability.category_stats(timestamptz, timestamptz),
  mini_agent_observability.session_stats(timestamptz, timestamptz),
  mini_agent_observability.session_totals(timestamptz, timestamptz),
  mini_agent_observability.top_errors(timestamptz, timestamptz, integer),
  mini_agent_observability.model_usage(timestamptz, timestamptz),
  mini_agent_observability.metric_stats(timestamptz, timestamptz),
  mini_agent_observability.alert_measure(text, timestamptz, timestamptz),
  mini_agent_observability.alert_status(timestamptz, timestamptz),
  mini_agent_observability.firing_alerts(timestamptz, timestamptz)
TO authenticated, service_role;
