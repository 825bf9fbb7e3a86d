-- Supabase layer for scores (sql/070-072): the same rules as the other tables and functions
-- (sql/021_supabase_rls.sql, sql/033_supabase_readers.sql). RLS on; service_role writes (an
-- upsert needs INSERT and UPDATE); a signed-in user reads only as a reader, and with tenancy
-- 'user' only the scores of their own sessions; anon and PUBLIC nothing. A `public` view for
-- PostgREST. New functions are executable by PUBLIC by default, so that is revoked.
-- Idempotent; PostgreSQL 15 and PGlite (18). Depends on 033 and 070-072.

ALTER TABLE mini_agent_observability.scores ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON mini_agent_observability.scores FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON mini_agent_observability.scores TO authenticated;
GRANT SELECT, INSERT, UPDATE ON mini_agent_observability.scores TO service_role;

DROP POLICY IF EXISTS mini_agent_service_role_write ON mini_agent_observability.scores;
CREATE POLICY mini_agent_service_role_write ON mini_agent_observability.scores
  FOR ALL TO service_role USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS mini_agent_reader_read ON mini_agent_observability.scores;
-- A score belongs to the user of its trace, like every span table.
CREATE POLICY mini_agent_reader_read ON mini_agent_observability.scores FOR SELECT TO authenticated
  USING ((SELECT mini_agent_observability.reader_scope()) = 'all'
         OR ((SELECT mini_agent_observability.reader_scope()) = 'own'
             AND trace_id IN (SELECT t.id FROM mini_agent_observability.traces t
                               WHERE t.user_id = (SELECT auth.uid())::text)));

CREATE OR REPLACE VIEW public.mini_agent_scores WITH (security_invoker = true) AS
  SELECT * FROM mini_agent_observability.scores;
REVOKE ALL ON public.mini_agent_scores FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON public.mini_agent_scores TO authenticated;
GRANT SELECT, INSERT, UPDATE ON public.mini_agent_scores TO service_role;

REVOKE ALL ON FUNCTION mini_agent_observability.score_stats(timestamptz, timestamptz) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION mini_agent_observability.score_stats(timestamptz, timestamptz) TO authenticated, service_role;
REVOKE ALL ON FUNCTION mini_agent_observability.score_stats_by_version(timestamptz, timestamptz) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION mini_agent_observability.score_stats_by_version(timestamptz, timestamptz) TO authenticated, service_role;
REVOKE ALL ON FUNCTION mini_agent_observability.score_daily(timestamptz, timestamptz) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION mini_agent_observability.score_daily(timestamptz, timestamptz) TO authenticated, service_role;
REVOKE ALL ON FUNCTION mini_agent_observability.score_distribution(timestamptz, timestamptz, integer) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION mini_agent_observability.score_distribution(timestamptz, timestamptz, integer) TO authenticated, service_role;
REVOKE ALL ON FUNCTION mini_agent_observability.worst_sessions(text, timestamptz, timestamptz, integer) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION mini_agent_observability.worst_sessions(text, timestamptz, timestamptz, integer) TO authenticated, service_role;
-- 072 redefined alert_measure: CREATE OR REPLACE keeps its privileges, restated for a fresh order.
REVOKE ALL ON FUNCTION mini_agent_observability.alert_measure(text, timestamptz, timestamptz) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION mini_agent_observability.alert_measure(text, timestamptz, timestamptz) TO authenticated, service_role;
