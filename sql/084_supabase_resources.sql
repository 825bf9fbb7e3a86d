-- Supabase layer for 083: the resources table read and written like the span tables.
--
--   service_role   reads and writes (SELECT, INSERT, UPDATE: the writer's upsert), as on spans.
--   authenticated  a reader whose scope is every session reads every resource. A reader limited
--                  to their own sessions (tenancy 'user') reads the resources their own spans
--                  point at: one resource row is shared by the sessions of every user that ran in
--                  the same process, so it is visible to each of them, never listed on its own.
--                  (The lookup goes through spans, whose own policy limits it to the reader's
--                  sessions; a reader that may read nothing reads no resource.)
--   anon, PUBLIC   nothing.
--
-- A public view for PostgREST, as for every table (083 made public.mini_agent_spans again, so the
-- Data API sees spans.resource_id; it kept its grants).
--
-- Idempotent (DROP POLICY IF EXISTS + CREATE POLICY, CREATE OR REPLACE, REVOKE/GRANT).
-- Runs on PostgreSQL 15 and PGlite (18). Depends on 021, 033 and 083.

ALTER TABLE mini_agent_observability.resources ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON mini_agent_observability.resources FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON mini_agent_observability.resources TO authenticated;
GRANT SELECT, INSERT, UPDATE ON mini_agent_observability.resources TO service_role;

DROP POLICY IF EXISTS mini_agent_reader_read ON mini_agent_observability.resources;
CREATE POLICY mini_agent_reader_read ON mini_agent_observability.resources FOR SELECT TO authenticated
  USING ((SELECT mini_agent_observability.reader_scope()) = 'all'
         OR ((SELECT mini_agent_observability.reader_scope()) = 'own'
             AND id IN (SELECT s.resource_id FROM mini_agent_observability.spans s WHERE s.resource_id IS NOT NULL)));
DROP POLICY IF EXISTS mini_agent_service_role_write ON mini_agent_observability.resources;
CREATE POLICY mini_agent_service_role_write ON mini_agent_observability.resources
  FOR ALL TO service_role USING (true) WITH CHECK (true);

CREATE OR REPLACE VIEW public.mini_agent_resources WITH (security_invoker = true) AS
  SELECT * FROM mini_agent_observability.resources;
REVOKE ALL ON public.mini_agent_resources FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON public.mini_agent_resources TO authenticated;
GRANT SELECT, INSERT, UPDATE ON public.mini_agent_resources TO service_role;
