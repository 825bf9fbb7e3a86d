-- Each typed value once: besides its payloads (044), a span kept in spans.attributes the
-- attributes a column holds as well: every span its kind and, inside a session, the session's and
-- user's ids (in-process propagation puts them on every span of a session), which spans.kind,
-- .session_id and .user_id hold; a tool span its tool name and category; an LLM call its
-- provider, response model and token counts; a decision span its type, choice and reasoning. About
-- 125 bytes a span on the benchmark workload (docs/performance.md, "Storage"). The writer now
-- leaves those out, each only where its column gives it back exactly (the same string, the same
-- whole number), and says which:
--
--   spans.payload_keys   as before (044, 083), or the name of a usual set ("tool", "genai",
--                        "decision"; "" when no payload was left out), a slash and one letter for
--                        each typed value left out: "tool/knc", "genai/pmio", "decision/kthr",
--                        "/ksu". With a payload object (not a usual set), typed values stay. The
--                        letters, on any span:
--                          k  mini_agent.span.kind           spans.kind
--                          s  mini_agent.session.id          spans.session_id
--                          u  mini_agent.user.id             spans.user_id
--                        with "tool":
--                          n  mini_agent.tool.name           tool_executions.tool_name
--                          c  mini_agent.tool.category       tool_executions.category
--                        with "genai":
--                          p  gen_ai.provider.name           generations.provider
--                          m  gen_ai.response.model          generations.model
--                          i  gen_ai.usage.input_tokens      generations.input_tokens
--                          o  gen_ai.usage.output_tokens     generations.output_tokens
--                        with "decision":
--                          t  mini_agent.decision.type       decisions.decision_type
--                          h  mini_agent.decision.chosen     decisions.chosen
--                          r  mini_agent.decision.reasoning  decisions.reasoning
--   spans_full           as 083 made it (same columns, same order), with each of those put back.
--
-- Rows written before stay as they are and read the same (a name without a slash leaves nothing
-- else out). A writer of this version refuses a database without this file (it checks the
-- migrations on start); rows a writer stored without being allowed that check read whole here
-- once this file is applied.
--
-- Retention: a typed table pruned sooner than spans (retention groups, 050) takes its values
-- with it, as it already takes the payloads.
--
-- Idempotent: CREATE OR REPLACE VIEW. Runs on PostgreSQL 15 and PGlite (18).

CREATE OR REPLACE VIEW mini_agent_observability.spans_full WITH (security_invoker = true) AS
  SELECT s.span_id, s.trace_id, s.parent_span_id, s.name, s.kind, s.otel_kind, s.status, s.status_message,
         s.started_at, s.ended_at, s.duration_ms,
         CASE WHEN payload.restored IS NULL THEN s.attributes ELSE s.attributes || payload.restored END AS attributes,
         CASE WHEN s.events_moved IS NULL THEN s.events ELSE coalesce(moved.events, '[]'::jsonb) END AS events,
         s.links, coalesce(r.attributes, s.resource, '{}'::jsonb) AS resource, s.scope_name, s.scope_version, s.inserted_at
    FROM mini_agent_observability.spans s
    LEFT JOIN mini_agent_observability.resources r ON r.id = s.resource_id
    LEFT JOIN mini_agent_observability.tool_executions te
      ON s.payload_keys IS NOT NULL AND te.trace_id = s.trace_id AND te.id = s.span_id
    LEFT JOIN mini_agent_observability.generations g
      ON s.payload_keys IS NOT NULL AND g.trace_id = s.trace_id AND g.id = s.span_id
    LEFT JOIN mini_agent_observability.decisions d
      ON s.payload_keys IS NOT NULL AND d.trace_id = s.trace_id AND d.id = s.span_id
    LEFT JOIN LATERAL (
      SELECT jsonb_object_agg(p.attribute, p.value) AS restored
        FROM (SELECT CASE WHEN jsonb_typeof(s.payload_keys) <> 'string' THEN s.payload_keys
                          WHEN n.set_name = 'tool' THEN '{"input": "mini_agent.tool.input", "output": "mini_agent.tool.output"}'::jsonb
                          WHEN n.set_name = 'genai' THEN '{"input": "gen_ai.input.messages", "output": "gen_ai.output.messages"}'::jsonb
                          WHEN n.set_name = 'decision' THEN '{"options": "mini_agent.decision.options"}'::jsonb
                     END AS keys,
                     n.letters
                FROM (SELECT CASE WHEN jsonb_typeof(s.payload_keys) = 'string' THEN split_part(s.payload_keys #>> '{}', '/', 1) END AS set_name,
                             CASE WHEN jsonb_typeof(s.payload_keys) = 'string' THEN split_part(s.payload_keys #>> '{}', '/', 2) ELSE '' END AS letters) n) k,
             LATERAL (VALUES (k.keys ->> 'input', coalesce(te.input, g.input)),
                             (k.keys ->> 'output', coalesce(te.output, g.output)),
                             (k.keys ->> 'options', d.considered_options),
                             -- The typed values of a usual set, one letter each (see the header).
                             (CASE WHEN strpos(k.letters, 'k') > 0 THEN 'mini_agent.span.kind' END, to_jsonb(s.kind)),
                             (CASE WHEN strpos(k.letters, 's') > 0 THEN 'mini_agent.session.id' END, to_jsonb(s.session_id)),
                             (CASE WHEN strpos(k.letters, 'u') > 0 THEN 'mini_agent.user.id' END, to_jsonb(s.user_id)),
                             (CASE WHEN strpos(k.letters, 'n') > 0 THEN 'mini_agent.tool.name' END, to_jsonb(te.tool_name)),
                             (CASE WHEN strpos(k.letters, 'c') > 0 THEN 'mini_agent.tool.category' END, to_jsonb(te.category)),
                             (CASE WHEN strpos(k.letters, 'p') > 0 THEN 'gen_ai.provider.name' END, to_jsonb(g.provider)),
                             (CASE WHEN strpos(k.letters, 'm') > 0 THEN 'gen_ai.response.model' END, to_jsonb(g.model)),
                             (CASE WHEN strpos(k.letters, 'i') > 0 THEN 'gen_ai.usage.input_tokens' END, to_jsonb(g.input_tokens)),
                             (CASE WHEN strpos(k.letters, 'o') > 0 THEN 'gen_ai.usage.output_tokens' END, to_jsonb(g.output_tokens)),
                             (CASE WHEN strpos(k.letters, 't') > 0 THEN 'mini_agent.decision.type' END, to_jsonb(d.decision_type)),
                             (CASE WHEN strpos(k.letters, 'h') > 0 THEN 'mini_agent.decision.chosen' END, to_jsonb(d.chosen)),
                             (CASE WHEN strpos(k.letters, 'r') > 0 THEN 'mini_agent.decision.reasoning' END, to_jsonb(d.reasoning))) AS p (attribute, value)
       WHERE p.attribute IS NOT NULL AND p.value IS NOT NULL
    ) payload ON s.payload_keys IS NOT NULL
    LEFT JOIN LATERAL (
      SELECT jsonb_agg(e.event ORDER BY e.pos) AS events
        FROM (
          -- The events kept in the row, in order, at the places the left-out ones leave free.
          SELECT f.pos, s.events -> (f.n - 1)::int AS event
            FROM (SELECT p.pos, row_number() OVER (ORDER BY p.pos) AS n
                    FROM generate_series(0, jsonb_array_length(s.events) + bit_count(s.events_moved::bit(64))::int - 1) AS p (pos)
                   WHERE p.pos > 62 OR (s.events_moved >> p.pos) & 1 = 0) f
           WHERE f.n <= jsonb_array_length(s.events)
          UNION ALL
          -- Each left-out event, rebuilt from its row as the writer checked it would be.
          SELECT m.pos, coalesce(metric.event, decision.event)
            FROM generate_series(0, 62) AS m (pos)
            LEFT JOIN LATERAL (
              SELECT jsonb_build_object(
                       'name', 'mini_agent.metric',
                       'time', to_char(pm.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                       'attributes', jsonb_build_object('mini_agent.metric.type', pm.metric_type, 'mini_agent.metric.value', pm.metric_value)
                         || CASE WHEN pm.unit IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('mini_agent.metric.unit', pm.unit) END) AS event
                FROM mini_agent_observability.performance_metrics pm
               WHERE pm.trace_id = s.trace_id AND pm.id = s.span_id || ':' || m.pos
            ) metric ON true
            LEFT JOIN LATERAL (
              SELECT jsonb_build_object(
                       'name', 'mini_agent.decision',
                       'time', to_char(d2.decided_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                       'attributes', jsonb_build_object('mini_agent.decision.type', d2.decision_type)
                         || CASE WHEN d2.considered_options IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('mini_agent.decision.options', d2.considered_options) END
                         || CASE WHEN d2.chosen IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('mini_agent.decision.chosen', d2.chosen) END
                         || CASE WHEN d2.reasoning IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('mini_agent.decision.reasoning', d2.reasoning) END) AS event
                FROM mini_agent_observability.decisions d2
               WHERE d2.trace_id = s.trace_id AND d2.id = s.span_id || ':' || m.pos
            ) decision ON metric.event IS NULL
           WHERE (s.events_moved >> m.pos) & 1 = 1
        ) e
       WHERE e.event IS NOT NULL
    ) moved ON s.events_moved IS NOT NULL;

COMMENT ON VIEW mini_agent_observability.spans_full IS
  'every span as sent: spans with the payloads, typed values and events their typed rows hold put back, and its resource';

COMMENT ON COLUMN mini_agent_observability.spans.payload_keys IS
  'attributes left out of `attributes` because a typed row stores them: typed column -> attribute name, or "tool" | "genai" | "decision" for the conventions'' usual sets, with "/" and a letter per typed value also left out (098); spans_full puts them back';
