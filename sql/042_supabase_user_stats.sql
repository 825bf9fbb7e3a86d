-- Supabase layer for user_stats (sql/041_user_stats.sql): the same privileges as the other
-- analytics functions (sql/021_supabase_rls.sql). New functions are executable by PUBLIC by default.
REVOKE ALL ON FUNCTION mini_agent_observability.user_stats(timestamptz, timestamptz) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION mini_agent_observability.user_stats(timestamptz, timestamptz) TO authenticated, service_role;
