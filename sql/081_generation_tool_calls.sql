-- Which tool executions a generation asked for: one row per tool call id in the generation's
-- output (generations.tool_call_ids, from 080), with the tool row that carries the same
-- call id (tool_executions.call_id, gen_ai.tool.call.id or its OpenInference/Vercel twin) in
-- the same trace, when it ran. A call the agent never ran has NULL tool columns.
--
--   SELECT * FROM mini_agent_observability.generation_tool_calls WHERE trace_id = '…';
--
-- session_id / user_id fall back to the trace row when the span did not carry them.
-- security_invoker: the caller's privileges and row-level security apply (PostgreSQL 15+).

CREATE OR REPLACE VIEW mini_agent_observability.generation_tool_calls WITH (security_invoker = true) AS
SELECT g.trace_id,
       g.id                                    AS generation_id,
       g.name                                  AS generation_name,
       g.model,
       call.call_id,
       call.ordinality::integer                AS call_index,
       t.id                                    AS tool_span_id,
       t.tool_name,
       t.success                               AS tool_success,
       t.started_at                            AS tool_started_at,
       t.duration_ms                           AS tool_duration_ms,
       COALESCE(g.session_id, tr.session_id)   AS session_id,
       COALESCE(g.user_id, tr.user_id)         AS user_id
  FROM mini_agent_observability.generations g
 CROSS JOIN LATERAL unnest(g.tool_call_ids) WITH ORDINALITY AS call(call_id, ordinality)
  LEFT JOIN mini_agent_observability.tool_executions t
         ON t.trace_id = g.trace_id AND t.call_id = call.call_id
  LEFT JOIN mini_agent_observability.traces tr ON tr.id = g.trace_id;
