-- Supabase layer for retention (sql/050_retention.sql).
--
--   retention        configuration, like alert_thresholds: every reader reads it (the dashboard and
--                    `report` show what is set); service_role reads and changes it.
--   prune_cutoffs()  callable by the API roles that read (it shows the cutoffs of the settings).
--   prune_batch(), prune_preview(), trace_tables(), the procedure prune()
--                    the tables' owner only: deleting is a retention job, run by the owner (the
--                    `postgres` user, as pg_cron jobs run on Supabase), never by an API role.
--                    They run with the caller's rights, so an API role could not delete anyway
--                    (021: service_role has no DELETE); the revoke says so before any table does.
--
-- Idempotent; runs on PostgreSQL 15 and PGlite (18). Depends on 021, 033 and 050.

ALTER TABLE mini_agent_observability.retention ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON mini_agent_observability.retention FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON mini_agent_observability.retention TO authenticated;
GRANT SELECT, INSERT, UPDATE ON mini_agent_observability.retention TO service_role;

DROP POLICY IF EXISTS mini_agent_reader_read ON mini_agent_observability.retention;
CREATE POLICY mini_agent_reader_read ON mini_agent_observability.retention FOR SELECT TO authenticated
  USING ((SELECT mini_agent_observability.reader_scope()) IN ('all', 'own'));
DROP POLICY IF EXISTS mini_agent_service_role_write ON mini_agent_observability.retention;
CREATE POLICY mini_agent_service_role_write ON mini_agent_observability.retention
  FOR ALL TO service_role USING (true) WITH CHECK (true);

CREATE OR REPLACE VIEW public.mini_agent_retention WITH (security_invoker = true) AS
  SELECT * FROM mini_agent_observability.retention;
REVOKE ALL ON public.mini_agent_retention FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON public.mini_agent_retention TO authenticated;
GRANT SELECT, INSERT, UPDATE ON public.mini_agent_retention TO service_role;

REVOKE ALL ON FUNCTION mini_agent_observability.prune_cutoffs(interval, timestamptz) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION mini_agent_observability.prune_cutoffs(interval, timestamptz) TO authenticated, service_role;

REVOKE ALL ON FUNCTION
  mini_agent_observability.trace_tables(),
  mini_agent_observability.prune_preview(interval, timestamptz),
  mini_agent_observability.prune_batch(interval, integer, timestamptz)
FROM PUBLIC, anon, authenticated, service_role;
REVOKE ALL ON PROCEDURE mini_agent_observability.prune(interval, integer) FROM PUBLIC, anon, authenticated, service_role;
