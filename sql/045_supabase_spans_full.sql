-- Supabase layer for 044: spans_full readable like the tables under it, by the same roles; its
-- rows are filtered by the policies of those tables (security_invoker), so a reader scoped to their
-- own sessions sees only those spans. A public view for PostgREST, read-only (a join is not
-- updatable). public.mini_agent_spans is made again: a view made with SELECT * keeps the columns
-- its table had then, and the Data API should see spans.payload_keys (CREATE OR REPLACE keeps the
-- view's grants; its options are given again because it replaces them).
--
-- Idempotent (CREATE OR REPLACE, REVOKE/GRANT). Runs on PostgreSQL 15 and PGlite (18).

REVOKE ALL ON mini_agent_observability.spans_full FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON mini_agent_observability.spans_full TO authenticated, service_role;

CREATE OR REPLACE VIEW public.mini_agent_spans WITH (security_invoker = true) AS
  SELECT * FROM mini_agent_observability.spans;

CREATE OR REPLACE VIEW public.mini_agent_spans_full WITH (security_invoker = true) AS
  SELECT * FROM mini_agent_observability.spans_full;
REVOKE ALL ON public.mini_agent_spans_full FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON public.mini_agent_spans_full TO authenticated, service_role;
