-- Keys as OTLP defines them: a span id is unique only within its trace.
--
-- Until this migration the span-derived tables were keyed on the span id alone (or an id derived
-- from it). Two traces whose spans reuse span ids (a deterministic id generator, a replay tool,
-- hand-written OTLP) then collided, and `ON CONFLICT DO NOTHING` dropped the second trace's
-- spans without a word. Every span-derived key now starts with the trace id:
--   spans                (trace_id, span_id)
--   tool_executions      (trace_id, id)     id = span id
--   generations          (trace_id, id)     id = span id
--   decisions            (trace_id, id)     id = span id, or span id ':' event index
--   performance_metrics  (trace_id, id)     id = span id ':' event index
--
-- Existing rows are carried over as they are: a key unique on its own is unique with the trace id
-- in front of it. The single-column trace id indexes of 001 become redundant (the new keys lead
-- with the trace id and serve the same lookups), so they are dropped: one index fewer to write
-- and to store per row.
--
-- Building a primary key index locks the table against writes while it runs (seconds per million
-- rows): on a big database, apply this while writers are stopped (docs/upgrading.md). A writer of
-- an earlier version cannot write after it ("no unique or exclusion constraint matching the ON
-- CONFLICT specification"): upgrade writers with the schema.
--
-- Idempotent: each key is replaced only while it is not yet the trace-scoped one.
-- Runs on PostgreSQL 15 and PGlite (18).

DO $$
DECLARE
  spec record;
  current_key record;
BEGIN
  FOR spec IN
    SELECT * FROM (VALUES
      ('spans', 'span_id'),
      ('tool_executions', 'id'),
      ('generations', 'id'),
      ('decisions', 'id'),
      ('performance_metrics', 'id')
    ) AS v(table_name, id_column)
  LOOP
    SELECT c.conname, pg_get_constraintdef(c.oid) AS definition
      INTO current_key
      FROM pg_catalog.pg_constraint c
     WHERE c.conrelid = format('mini_agent_observability.%I', spec.table_name)::regclass
       AND c.contype = 'p';
    IF current_key.definition IS DISTINCT FROM format('PRIMARY KEY (trace_id, %s)', spec.id_column) THEN
      IF current_key.conname IS NOT NULL THEN
        EXECUTE format('ALTER TABLE mini_agent_observability.%I DROP CONSTRAINT %I', spec.table_name, current_key.conname);
      END IF;
      EXECUTE format('ALTER TABLE mini_agent_observability.%I ADD CONSTRAINT %I PRIMARY KEY (trace_id, %I)',
                     spec.table_name, spec.table_name || '_pkey', spec.id_column);
    END IF;
    EXECUTE format('DROP INDEX IF EXISTS mini_agent_observability.%I', spec.table_name || '_trace_id_idx');
  END LOOP;
END
$$;

COMMENT ON CONSTRAINT spans_pkey ON mini_agent_observability.spans IS
  'OTLP: a span id is unique within its trace';
COMMENT ON CONSTRAINT tool_executions_pkey ON mini_agent_observability.tool_executions IS
  'OTLP: a span id is unique within its trace; id = span id';
COMMENT ON CONSTRAINT generations_pkey ON mini_agent_observability.generations IS
  'OTLP: a span id is unique within its trace; id = span id';
COMMENT ON CONSTRAINT decisions_pkey ON mini_agent_observability.decisions IS
  'id = span id, or span id '':'' event index; unique within its trace';
COMMENT ON CONSTRAINT performance_metrics_pkey ON mini_agent_observability.performance_metrics IS
  'id = span id '':'' event index; unique within its trace';
