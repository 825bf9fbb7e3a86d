-- Supabase layer for 086_latency_buckets.sql: tool_latency_buckets() and its helper
-- latency_bucket() as the other analytics (054): authenticated and service_role, not anon. The
-- function reads the rollups only when rollups_visible() (a reader limited to their own sessions
-- counts their own rows instead). The redefined trigger functions keep 054's privileges.
--
-- Idempotent; runs on PostgreSQL 15 and PGlite (18). Depends on 054 and 086.

REVOKE ALL ON FUNCTION
  mini_agent_observability.latency_bucket(double precision),
  mini_agent_observability.tool_latency_buckets(timestamptz, timestamptz)
FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION
  mini_agent_observability.latency_bucket(double precision),
  mini_agent_observability.tool_latency_buckets(timestamptz, timestamptz)
TO authenticated, service_role;
