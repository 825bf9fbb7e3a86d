-- Each resource once: the resource a span was sent with (service, SDK, process, host: about 350
-- bytes of JSON) was repeated in every span row, while OTLP sends it once a request. It now lives
-- in one row of `resources`, and a span row holds its key.
--
--   resources              id (uuid): the key, a hash of the resource's attributes; attributes
--                          (jsonb): the resource as the span was sent with it. Rows are shared:
--                          every span of every session that ran in the same process points at
--                          one row. A resource with no attributes gets no row.
--   spans.resource_id      the span's resource, or NULL when it had no attributes.
--   spans.resource         NULL from now on (no longer NOT NULL, no default): kept so that a
--                          writer of an earlier version, which still fills it, goes on working
--                          while writers are upgraded, and so that every earlier migration file
--                          still runs over this schema.
--   spans_full.resource    the span's resource as before, whichever column holds it (`{}` when none).
--
-- Each event once, in the same way: a metric or decision event whose row of performance_metrics
-- or decisions (id = span id ':' event index) holds it exactly is left out of spans.events.
--   spans.events_moved     bit i set: event i was left out; NULL: the events are whole (every
--                          row written before this migration, and most spans).
--   spans_full.events      the events as sent, each left-out one rebuilt from its row at its
--                          place. A metric sample pruned on its own (retention group
--                          performance_metrics, kept shorter than traces) leaves its event
--                          with it, as retention asks.
-- The writer leaves an event out only when this view gives it back exactly (a value sent as
-- text, an attribute with no column, options sent as JSON text: the event stays whole). Numbers
-- come back as PostgreSQL prints a double (the shortest exact form, unless a session lowers
-- extra_float_digits).
--
-- spans.payload_keys (044) may now also be the name of the conventions' usual set, as a jsonb
-- string: "tool" = {"input": "mini_agent.tool.input", "output": "mini_agent.tool.output"},
-- "genai" = {"input": "gen_ai.input.messages", "output": "gen_ai.output.messages"}, "decision" =
-- {"options": "mini_agent.decision.options"} (13 bytes instead of 78); any other set stays an
-- object. spans_full reads both.
--
-- The key is opaque: the writer hashes the resource's JSON with its keys sorted; the rows carried
-- over here are hashed from their jsonb text. So one resource may have two rows (one carried over,
-- one written later), each complete; a key never names two different resources.
--
-- No foreign key from spans to resources: it would cost every span insert a lookup, and the writer
-- stores a batch's resources in the same transaction as its spans.
--
-- Existing rows are carried over: every distinct resource becomes a row, every span row gets its
-- key and an empty `resource`. The UPDATE writes every span row once (on a big database, run it
-- while writers are stopped: docs/upgrading.md; new rows reuse the space it frees, VACUUM FULL
-- gives it back). Run again, it carries over what a writer of an earlier version stored since.
--
-- Idempotent: CREATE ... IF NOT EXISTS, CREATE OR REPLACE VIEW, and the carry-over only touches
-- rows whose `resource` is still filled. Runs on PostgreSQL 15 and PGlite (18).

CREATE TABLE IF NOT EXISTS mini_agent_observability.resources (
  id          uuid PRIMARY KEY,
  attributes  jsonb NOT NULL,
  inserted_at timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE mini_agent_observability.resources IS
  'each OTel resource once (service, SDK, process, host); spans.resource_id points here, spans_full joins it back';

ALTER TABLE mini_agent_observability.spans ADD COLUMN IF NOT EXISTS resource_id uuid;
ALTER TABLE mini_agent_observability.spans ALTER COLUMN resource DROP NOT NULL;
ALTER TABLE mini_agent_observability.spans ALTER COLUMN resource DROP DEFAULT;
ALTER TABLE mini_agent_observability.spans ADD COLUMN IF NOT EXISTS events_moved bigint;

COMMENT ON COLUMN mini_agent_observability.spans.resource_id IS
  'the span''s resource (resources.id); NULL: the resource had no attributes';
COMMENT ON COLUMN mini_agent_observability.spans.events_moved IS
  'bit i set: event i is a row of performance_metrics or decisions (id span_id:i), left out of events; spans_full puts it back';
COMMENT ON COLUMN mini_agent_observability.spans.payload_keys IS
  'attributes left out of `attributes` because a typed row stores them: typed column -> attribute name, or "tool" | "genai" | "decision" for the conventions'' usual sets; spans_full puts them back';
COMMENT ON COLUMN mini_agent_observability.spans.resource IS
  'NULL: the resource is a row of resources (resource_id); filled only by writers of before 083. Read spans_full.resource';

-- spans_full as 044 made it, with the resource joined back in and the left-out events put back:
-- same columns, same order.
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
                          WHEN s.payload_keys = '"tool"' THEN '{"input": "mini_agent.tool.input", "output": "mini_agent.tool.output"}'::jsonb
                          WHEN s.payload_keys = '"genai"' THEN '{"input": "gen_ai.input.messages", "output": "gen_ai.output.messages"}'::jsonb
                          WHEN s.payload_keys = '"decision"' THEN '{"options": "mini_agent.decision.options"}'::jsonb
                     END AS keys) k,
             LATERAL (VALUES (k.keys ->> 'input', coalesce(te.input, g.input)),
                             (k.keys ->> 'output', coalesce(te.output, g.output)),
                             (k.keys ->> 'options', d.considered_options)) AS p (attribute, value)
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
  'every span as sent: spans with the payloads and events their typed rows hold put back, and its resource';

-- Carry over: each distinct resource once, each span row its key.
INSERT INTO mini_agent_observability.resources (id, attributes)
  SELECT DISTINCT md5(s.resource::text)::uuid, s.resource
    FROM mini_agent_observability.spans s
   WHERE s.resource IS NOT NULL AND s.resource <> '{}'::jsonb
  ON CONFLICT (id) DO NOTHING;
UPDATE mini_agent_observability.spans
   SET resource_id = CASE WHEN resource <> '{}'::jsonb THEN md5(resource::text)::uuid END,
       resource = NULL
 WHERE resource IS NOT NULL;

-- A view made with SELECT * keeps the columns its table had then: where the Supabase layer's
-- public view of spans exists, it is made again so the Data API sees resource_id (grants stay).
DO $$
BEGIN
  IF to_regclass('public.mini_agent_spans') IS NOT NULL THEN
    CREATE OR REPLACE VIEW public.mini_agent_spans WITH (security_invoker = true) AS
      SELECT * FROM mini_agent_observability.spans;
  END IF;
END
$$;
