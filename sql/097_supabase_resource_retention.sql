-- Supabase layer for 096: prune_resources() is the tables' owner's, as every pruning function is
-- (051): deleting is a retention job, never an API role's. The writer (service_role, and so
-- mini_agent_writer) moves resources.seen_at forward with the UPDATE 084 already grants it.
--
-- Idempotent; runs on PostgreSQL 15 and PGlite (18). Depends on 051, 084 and 096.

REVOKE ALL ON FUNCTION mini_agent_observability.prune_resources(interval, timestamptz, boolean)
FROM PUBLIC, anon, authenticated, service_role;
-- CREATE OR REPLACE kept 051's revoke on prune(); said again, so this file holds on its own.
REVOKE ALL ON PROCEDURE mini_agent_observability.prune(interval, integer) FROM PUBLIC, anon, authenticated, service_role;
