-- Which span speaks for a trace row: 'session' (its session span), 'root' (its root span, while
-- no session span has arrived: an OpenInference CHAIN, a plain root span), or NULL (neither yet;
-- rows written before this column existed count as 'session' when complete).
--
-- A trace without a session span used to keep a NULL name and `complete = false` forever, so the
-- dashboard listed it as a nameless running session. Its root span now names, times and judges
-- it (`complete` is true once the session span or the root span has landed); a session span
-- arriving later, in any order, still wins. The writer's upsert ranks session > root > other.
ALTER TABLE mini_agent_observability.traces ADD COLUMN IF NOT EXISTS defined_by text;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'traces_defined_by_check'
                    AND conrelid = 'mini_agent_observability.traces'::regclass) THEN
    ALTER TABLE mini_agent_observability.traces
      ADD CONSTRAINT traces_defined_by_check CHECK (defined_by IN ('session', 'root')) NOT VALID;
  END IF;
END $$;

COMMENT ON COLUMN mini_agent_observability.traces.defined_by IS
  'session: named by its session span; root: by its root span (no session span seen); NULL: neither yet';
COMMENT ON COLUMN mini_agent_observability.traces.complete IS
  'true once the span that speaks for the trace (session span, else root span) has landed';
