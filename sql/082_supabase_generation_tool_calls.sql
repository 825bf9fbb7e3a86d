-- Supabase layer for generation_tool_calls (sql/081_generation_tool_calls.sql): a public view
-- for the Data API and the same privileges as the other analytics views (sql/021_supabase_rls.sql).
-- Both views are security_invoker, so the tables' row-level security decides what a reader sees.
CREATE OR REPLACE VIEW public.mini_agent_generation_tool_calls WITH (security_invoker = true) AS
  SELECT * FROM mini_agent_observability.generation_tool_calls;

REVOKE ALL ON mini_agent_observability.generation_tool_calls FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON mini_agent_observability.generation_tool_calls TO authenticated, service_role;
REVOKE ALL ON public.mini_agent_generation_tool_calls FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON public.mini_agent_generation_tool_calls TO authenticated, service_role;
