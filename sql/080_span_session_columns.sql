-- Session and user on every span-derived row, not only on the trace row:
--   spans / tool_executions / generations .session_id, .user_id
--       filled when the span itself said them: a span started inside withSession() or
--       propagateAttributes() carries them (PropagatedAttributesProcessor), as does a span whose
--       process received them in W3C baggage. NULL otherwise: read the trace row's
--       (COALESCE(x.session_id, t.session_id) joined on trace_id), as every analytics function does.
--   spans.category       what a filter sees the span as: agent | ai | http | db | other
--   spans.duplicate_of   the span id of the span that already reported the same model call
--                        (another instrumentation of the same client): this span has no
--                        generations row of its own
--   generations.tool_call_ids  ids of the tool calls the model's output asked for; joined to
--                        tool_executions.call_id by the view generation_tool_calls (081)
-- Rows written before this migration keep NULL (an empty list for tool_call_ids).
--
-- Idempotent: ADD COLUMN / CREATE INDEX IF NOT EXISTS. Runs on PostgreSQL 15 and PGlite (18).

ALTER TABLE mini_agent_observability.spans ADD COLUMN IF NOT EXISTS session_id text;
ALTER TABLE mini_agent_observability.spans ADD COLUMN IF NOT EXISTS user_id text;
ALTER TABLE mini_agent_observability.spans ADD COLUMN IF NOT EXISTS category text;
ALTER TABLE mini_agent_observability.spans ADD COLUMN IF NOT EXISTS duplicate_of text;
ALTER TABLE mini_agent_observability.tool_executions ADD COLUMN IF NOT EXISTS session_id text;
ALTER TABLE mini_agent_observability.tool_executions ADD COLUMN IF NOT EXISTS user_id text;
ALTER TABLE mini_agent_observability.generations ADD COLUMN IF NOT EXISTS session_id text;
ALTER TABLE mini_agent_observability.generations ADD COLUMN IF NOT EXISTS user_id text;
ALTER TABLE mini_agent_observability.generations ADD COLUMN IF NOT EXISTS tool_call_ids text[] NOT NULL DEFAULT '{}';

-- "Everything of this session / this user", without a join through traces.
CREATE INDEX IF NOT EXISTS spans_session_id_idx ON mini_agent_observability.spans (session_id) WHERE session_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS generations_session_id_idx ON mini_agent_observability.generations (session_id) WHERE session_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS tool_executions_session_id_idx ON mini_agent_observability.tool_executions (session_id) WHERE session_id IS NOT NULL;
-- The tool-call join: tool rows by (trace, call id).
CREATE INDEX IF NOT EXISTS tool_executions_call_id_idx ON mini_agent_observability.tool_executions (trace_id, call_id) WHERE call_id IS NOT NULL;

-- A view made with SELECT * keeps the columns its table had then: where the Supabase layer's
-- public views exist, they are made again so the Data API sees the new columns (grants stay).
DO $$
BEGIN
  IF to_regclass('public.mini_agent_spans') IS NOT NULL THEN
    CREATE OR REPLACE VIEW public.mini_agent_spans WITH (security_invoker = true) AS
      SELECT * FROM mini_agent_observability.spans;
  END IF;
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
