-- Each payload once: a tool call's input and output, an LLM call's messages and a decision's
-- options are stored in their typed table (tool_executions, generations, decisions) and no longer
-- again inside spans.attributes, where they doubled the space a span takes.
--
--   spans.payload_keys   which attributes the writer left out of `attributes`, by the typed column
--                        holding their value: {"input": "mini_agent.tool.input", "output": ...},
--                        or {"options": ...} for a decision span. NULL: nothing left out (a
--                        plain span, or a row written before this migration, which keeps its
--                        attributes whole).
--   spans_full           every span as it was sent: `attributes` with those payloads put back from
--                        the typed rows. The values come back as the typed columns hold them (JSON
--                        text parsed into JSON), so `attributes ->> 'mini_agent.tool.input'` reads
--                        the same text either way.
--
-- Session input and output stay on the span: a trace row keeps one session span's, and a trace may
-- hold several session spans (agents calling agents).
--
-- Idempotent: ADD COLUMN IF NOT EXISTS, CREATE OR REPLACE VIEW. Runs on PostgreSQL 15 and PGlite (18).

ALTER TABLE mini_agent_observability.spans ADD COLUMN IF NOT EXISTS payload_keys jsonb;

COMMENT ON COLUMN mini_agent_observability.spans.payload_keys IS
  'attributes left out of `attributes` because a typed row stores them: typed column -> attribute name; spans_full puts them back';

-- Each typed row is found by its key (trace id, span id); only spans that left something out look.
CREATE OR REPLACE VIEW mini_agent_observability.spans_full WITH (security_invoker = true) AS
  SELECT s.span_id, s.trace_id, s.parent_span_id, s.name, s.kind, s.otel_kind, s.status, s.status_message,
         s.started_at, s.ended_at, s.duration_ms,
         CASE WHEN payload.restored IS NULL THEN s.attributes ELSE s.attributes || payload.restored END AS attributes,
         s.events, s.links, s.resource, s.scope_name, s.scope_version, s.inserted_at
    FROM mini_agent_observability.spans s
    LEFT JOIN mini_agent_observability.tool_executions te
      ON s.payload_keys IS NOT NULL AND te.trace_id = s.trace_id AND te.id = s.span_id
    LEFT JOIN mini_agent_observability.generations g
      ON s.payload_keys IS NOT NULL AND g.trace_id = s.trace_id AND g.id = s.span_id
    LEFT JOIN mini_agent_observability.decisions d
      ON s.payload_keys IS NOT NULL AND d.trace_id = s.trace_id AND d.id = s.span_id
    LEFT JOIN LATERAL (
      SELECT jsonb_object_agg(p.attribute, p.value) AS restored
        FROM (VALUES (s.payload_keys ->> 'input', coalesce(te.input, g.input)),
                     (s.payload_keys ->> 'output', coalesce(te.output, g.output)),
                     (s.payload_keys ->> 'options', d.considered_options)) AS p (attribute, value)
       WHERE p.attribute IS NOT NULL AND p.value IS NOT NULL
    ) payload ON s.payload_keys IS NOT NULL;

COMMENT ON VIEW mini_agent_observability.spans_full IS
  'every span as sent: spans with the payloads their typed rows hold put back into attributes';
