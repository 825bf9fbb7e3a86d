-- Columns for what the OpenTelemetry GenAI conventions now say about a model call and a tool call:
--   generations.cache_creation_tokens  gen_ai.usage.cache_creation.input_tokens (input tokens written
--                                      to the provider's prompt cache; part of input_tokens, like
--                                      cached_tokens, which are the tokens read from it)
--   tool_executions.call_id            gen_ai.tool.call.id (the model's id for the call: joins the
--                                      tool's row to the tool call in the generation's output)
--   tool_executions.tool_type          gen_ai.tool.type (function | extension | datastore)
-- Rows written before this migration keep NULL: the counts and ids were not read then.
--
-- Idempotent: ADD COLUMN IF NOT EXISTS. Runs on PostgreSQL 15 and PGlite (18).

ALTER TABLE mini_agent_observability.generations ADD COLUMN IF NOT EXISTS cache_creation_tokens bigint;
ALTER TABLE mini_agent_observability.tool_executions ADD COLUMN IF NOT EXISTS call_id text;
ALTER TABLE mini_agent_observability.tool_executions ADD COLUMN IF NOT EXISTS tool_type text;

-- A view made with SELECT * keeps the columns its table had then. Where the Supabase layer's
-- public views already exist, they are made again so the Data API sees the new columns;
-- CREATE OR REPLACE keeps their grants, and the options are given again because it replaces them.
DO $$
BEGIN
  IF to_regclass('public.mini_agent_tool_executions') IS NOT NULL THEN
    CREATE OR REPLACE VIEW public.mini_agent_tool_executions WITH (security_invoker = true) AS
      SELECT * FROM mini_agent_observability.tool_executions;
  END IF;
  IF to_regclass('public.mini_agent_generations') IS NOT NULL THEN
    CREATE OR REPLACE VIEW public.mini_agent_generations WITH (security_invoker = true) AS
      SELECT * FROM mini_agent_observability.generations;
  END IF;
END
$$;
