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

COMMENT ON COLUMN mini_agent_observability.spans.resource_id IS
  'the span''s resource (resources.id); NULL: the resource had no attributes';
COMMENT ON COLUMN mini_agent_observability.spans.resource IS
  'NULL: the resource is a row of resources (resource_id); filled only by writers of before 083. Read spans_full.resource';

-- spans_full as 044 made it, with the resource joined back in: same columns, same order.
CREATE OR REPLACE VIEW mini_agent_observability.spans_full WITH (security_invoker = true) AS
  SELECT s.span_id, s.trace_id, s.parent_span_id, s.name, s.kind, s.otel_kind, s.status, s.status_message,
         s.started_at, s.ended_at, s.duration_ms,
         CASE WHEN payload.restored IS NULL THEN s.attributes ELSE s.attributes || payload.restored END AS attributes,
         s.events, s.links, coalesce(r.attributes, s.resource, '{}'::jsonb) AS resource, s.scope_name, s.scope_version, s.inserted_at
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
        FROM (VALUES (s.payload_keys ->> 'input', coalesce(te.input, g.input)),
                     (s.payload_keys ->> 'output', coalesce(te.output, g.output)),
                     (s.payload_keys ->> 'options', d.considered_options)) AS p (attribute, value)
       WHERE p.attribute IS NOT NULL AND p.value IS NOT NULL
    ) payload ON s.payload_keys IS NOT NULL;

COMMENT ON VIEW mini_agent_observability.spans_full IS
  'every span as sent: spans with the payloads their typed rows hold put back into attributes, and its resource';

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
