-- Supabase layer for the rollups (sql/052_rollups.sql, 053_rollup_analytics.sql).
--
--   rollup tables   RLS on; read by readers whose scope is every session, and by service_role;
--                   written only by the triggers (the owner's rights): no API role may write them.
--                   They are read through the analytics functions, so they get no public view.
--   rollups_visible()  false for a reader limited to their own sessions (tenancy 'user'): a rollup
--                   adds up every user's sessions, so such a reader's long windows are computed
--                   from the rows, which row-level security filters. True for everyone else.
--   functions       the analytics and their helpers: authenticated and service_role, as 021;
--                   the trigger functions, apply_*_rollup() and rebuild_rollups(): the owner only.
--
-- Idempotent; runs on PostgreSQL 15 and PGlite (18). Depends on 021, 033, 052 and 053.

DO $$
DECLARE
  table_name text;
BEGIN
  FOREACH table_name IN ARRAY ARRAY['tool_rollup', 'tool_error_rollup', 'model_rollup', 'session_rollup', 'latency_histogram'] LOOP
    EXECUTE format('ALTER TABLE mini_agent_observability.%I ENABLE ROW LEVEL SECURITY', table_name);
    EXECUTE format('REVOKE ALL ON mini_agent_observability.%I FROM PUBLIC, anon, authenticated, service_role', table_name);
    EXECUTE format('GRANT SELECT ON mini_agent_observability.%I TO authenticated, service_role', table_name);
    EXECUTE format('DROP POLICY IF EXISTS mini_agent_reader_read ON mini_agent_observability.%I', table_name);
    EXECUTE format('CREATE POLICY mini_agent_reader_read ON mini_agent_observability.%I FOR SELECT TO authenticated'
                   ' USING ((SELECT mini_agent_observability.reader_scope()) = ''all'')', table_name);
    EXECUTE format('DROP POLICY IF EXISTS mini_agent_service_role_read ON mini_agent_observability.%I', table_name);
    EXECUTE format('CREATE POLICY mini_agent_service_role_read ON mini_agent_observability.%I'
                   ' FOR SELECT TO service_role USING (true)', table_name);
  END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION mini_agent_observability.rollups_visible()
RETURNS boolean
LANGUAGE sql STABLE
AS $$ SELECT (SELECT mini_agent_observability.reader_scope()) IS DISTINCT FROM 'own' $$;

REVOKE ALL ON FUNCTION
  mini_agent_observability.latency_bin(double precision),
  mini_agent_observability.latency_bin_value(integer),
  mini_agent_observability.histogram_percentile(integer[], bigint[], double precision),
  mini_agent_observability.rollups_visible(),
  mini_agent_observability.use_rollups(timestamptz, timestamptz),
  mini_agent_observability.rollup_bounds(timestamptz, timestamptz),
  mini_agent_observability.tool_totals(timestamptz, timestamptz),
  mini_agent_observability.session_timeline(timestamptz, timestamptz, interval, timestamptz)
FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION
  mini_agent_observability.latency_bin(double precision),
  mini_agent_observability.latency_bin_value(integer),
  mini_agent_observability.histogram_percentile(integer[], bigint[], double precision),
  mini_agent_observability.rollups_visible(),
  mini_agent_observability.use_rollups(timestamptz, timestamptz),
  mini_agent_observability.rollup_bounds(timestamptz, timestamptz),
  mini_agent_observability.tool_totals(timestamptz, timestamptz),
  mini_agent_observability.session_timeline(timestamptz, timestamptz, interval, timestamptz)
TO authenticated, service_role;

REVOKE ALL ON FUNCTION
  mini_agent_observability.rollup_tool_rows(),
  mini_agent_observability.rollup_generation_rows(),
  mini_agent_observability.rollup_trace_rows(),
  mini_agent_observability.rollup_truncate(),
  mini_agent_observability.rollup_staging(),
  mini_agent_observability.apply_tool_rollup(),
  mini_agent_observability.apply_generation_rollup(),
  mini_agent_observability.apply_trace_rollup(),
  mini_agent_observability.rebuild_rollups()
FROM PUBLIC, anon, authenticated, service_role;
