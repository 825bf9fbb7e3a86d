-- Retention: how long rows are kept, in a table users edit, and the functions that delete what is
-- older (called by `mini-agent-otel prune` batch by batch, and by a pg_cron job through the
-- procedure prune()).
--
-- Table groups (mini_agent_observability.retention, one row each; keep_days NULL = keep forever,
-- which is what a fresh database does until someone sets a number):
--   traces               a whole trace: its `traces` row and every row of every table keyed by its
--                        trace id (spans, tool_executions, generations, decisions,
--                        performance_metrics, and any span-keyed table added later). A trace's rows
--                        go together, so no session is ever left half deleted.
--   performance_metrics  metric samples on their own, by their recorded_at: they may be kept
--                        shorter than their traces (never longer: a pruned trace takes its samples).
--
--   UPDATE mini_agent_observability.retention SET keep_days = 30, updated_at = now() WHERE table_group = 'traces';
--
-- How old a trace is: the time of the span that speaks for it, its end (traces.ended_at), else its
-- start, else when its row was first written (a trace whose session and root spans never arrived).
-- A trace that started before the cutoff but ended after it is kept whole; its child rows are
-- never judged one by one. Every row the writer stores comes with its trace's row, so no row is
-- left behind by this rule.
--
-- Safe while agents write: a batch locks only the old traces it deletes (FOR UPDATE SKIP LOCKED
-- passes over one a writer holds right now: a later batch or run takes it), new rows are never
-- old, and each batch is its own short transaction when called from the CLI or prune().
-- Idempotent: deleting what is already gone deletes nothing.
--
-- Runs on PostgreSQL 15 and PGlite (18). Depends on 001.

CREATE TABLE IF NOT EXISTS mini_agent_observability.retention (
  table_group text PRIMARY KEY,
  keep_days   integer,                           -- NULL: keep forever
  description text,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT retention_table_group_check CHECK (table_group IN ('traces', 'performance_metrics')),
  CONSTRAINT retention_keep_days_check CHECK (keep_days IS NULL OR keep_days >= 1)
);

INSERT INTO mini_agent_observability.retention (table_group, keep_days, description) VALUES
  ('traces', NULL, 'Whole traces: the traces row and every span, tool, LLM call, decision and metric of the trace, by the trace''s end time'),
  ('performance_metrics', NULL, 'Metric samples alone, by recorded_at; may be shorter than traces, never longer')
ON CONFLICT (table_group) DO NOTHING;

-- The old traces are found by the same expression prune_batch() sorts and filters on.
CREATE INDEX IF NOT EXISTS traces_retention_idx
  ON mini_agent_observability.traces ((coalesce(ended_at, started_at, inserted_at)));
CREATE INDEX IF NOT EXISTS performance_metrics_recorded_at_idx
  ON mini_agent_observability.performance_metrics (recorded_at);

-- The cutoff of each group: `as_of - older_than` for every group when older_than is given, else
-- `as_of - keep_days` for the groups that have a retention set. A group without a row keeps all.
CREATE OR REPLACE FUNCTION mini_agent_observability.prune_cutoffs(
  older_than interval DEFAULT NULL,
  as_of      timestamptz DEFAULT now()
)
RETURNS TABLE (table_group text, cutoff timestamptz)
LANGUAGE sql STABLE
SET search_path = ''
AS $$
  SELECT r.table_group,
         prune_cutoffs.as_of - coalesce(prune_cutoffs.older_than, make_interval(days => r.keep_days))
    FROM mini_agent_observability.retention r
   WHERE prune_cutoffs.older_than IS NOT NULL OR r.keep_days IS NOT NULL
$$;

-- The tables whose rows belong to a trace: every table of the schema with a trace_id column
-- (found in the catalog, so a span-keyed table added by a later migration is pruned too).
CREATE OR REPLACE FUNCTION mini_agent_observability.trace_tables()
RETURNS SETOF text
LANGUAGE sql STABLE
SET search_path = ''
AS $$
  SELECT c.relname::text
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attname = 'trace_id' AND NOT a.attisdropped
   WHERE n.nspname = 'mini_agent_observability'
     AND c.relkind IN ('r', 'p')
     AND NOT c.relispartition
   -- The writer's order (see prune_batch): spans, tools, LLM calls, decisions, metrics, then the rest.
   ORDER BY CASE c.relname WHEN 'spans' THEN 1 WHEN 'tool_executions' THEN 2 WHEN 'generations' THEN 3
                           WHEN 'decisions' THEN 4 WHEN 'performance_metrics' THEN 5 ELSE 6 END, 1
$$;

-- What a prune would delete now, without deleting: rows per table (`traces` included).
CREATE OR REPLACE FUNCTION mini_agent_observability.prune_preview(
  older_than interval DEFAULT NULL,
  as_of      timestamptz DEFAULT now()
)
RETURNS TABLE (table_name text, rows_to_delete bigint)
LANGUAGE plpgsql STABLE
SET search_path = ''
AS $$
#variable_conflict use_column
DECLARE
  trace_cutoff  timestamptz;
  metric_cutoff timestamptz;
  tbl           text;
  n             bigint;
BEGIN
  SELECT c.cutoff INTO trace_cutoff FROM mini_agent_observability.prune_cutoffs(older_than, as_of) c WHERE c.table_group = 'traces';
  SELECT c.cutoff INTO metric_cutoff FROM mini_agent_observability.prune_cutoffs(older_than, as_of) c WHERE c.table_group = 'performance_metrics';
  SELECT count(*) INTO n FROM mini_agent_observability.traces t
   WHERE coalesce(t.ended_at, t.started_at, t.inserted_at) < trace_cutoff;
  table_name := 'traces'; rows_to_delete := n; RETURN NEXT;
  FOR tbl IN SELECT * FROM mini_agent_observability.trace_tables() LOOP
    EXECUTE format(
      'SELECT count(*) FROM mini_agent_observability.%I x
        WHERE x.trace_id IN (SELECT t.id FROM mini_agent_observability.traces t
                              WHERE coalesce(t.ended_at, t.started_at, t.inserted_at) < $1)'
      || CASE WHEN tbl = 'performance_metrics' THEN ' OR x.recorded_at < $2' ELSE '' END, tbl)
      INTO n USING trace_cutoff, metric_cutoff;
    table_name := tbl; rows_to_delete := n; RETURN NEXT;
  END LOOP;
END
$$;

-- One bounded batch: up to batch_size old traces with all their rows, and up to batch_size metric
-- samples older than their own group's cutoff. Returns the rows deleted per table (a table may
-- appear twice: performance_metrics by trace and by age); nothing left to do when all are 0.
-- Pass the same as_of to every batch of a run so that its cutoff does not move.
CREATE OR REPLACE FUNCTION mini_agent_observability.prune_batch(
  older_than interval DEFAULT NULL,
  batch_size integer DEFAULT 1000,
  as_of      timestamptz DEFAULT now()
)
RETURNS TABLE (table_name text, deleted bigint)
LANGUAGE plpgsql VOLATILE
SET search_path = ''
AS $$
#variable_conflict use_column
DECLARE
  trace_cutoff  timestamptz;
  metric_cutoff timestamptz;
  ids           text[];
  tbl           text;
  n             bigint;
BEGIN
  IF batch_size IS NULL OR batch_size < 1 THEN
    RAISE EXCEPTION 'batch_size must be at least 1, got %', batch_size USING ERRCODE = '22023';
  END IF;
  IF older_than IS NOT NULL AND older_than <= interval '0' THEN
    RAISE EXCEPTION 'older_than must be a positive interval, got %', older_than USING ERRCODE = '22023';
  END IF;
  SELECT c.cutoff INTO trace_cutoff FROM mini_agent_observability.prune_cutoffs(older_than, as_of) c WHERE c.table_group = 'traces';
  SELECT c.cutoff INTO metric_cutoff FROM mini_agent_observability.prune_cutoffs(older_than, as_of) c WHERE c.table_group = 'performance_metrics';

  IF trace_cutoff IS NOT NULL THEN
    -- Oldest first; the traces rows are locked before any child row, as writers lock them (trace
    -- row first), so a writer and a prune wait for each other instead of deadlocking.
    SELECT array_agg(s.id) INTO ids FROM (
      SELECT t.id FROM mini_agent_observability.traces t
       WHERE coalesce(t.ended_at, t.started_at, t.inserted_at) < trace_cutoff
       ORDER BY coalesce(t.ended_at, t.started_at, t.inserted_at)
       LIMIT batch_size
         FOR UPDATE SKIP LOCKED
    ) s;
    ids := coalesce(ids, '{}');
    -- Then the tables in the order a writer's batch writes them (traces first), so that the rows a
    -- delete touches on the way (the rollups their triggers keep) are locked in the writer's order too.
    DELETE FROM mini_agent_observability.traces t WHERE t.id = ANY (ids);
    GET DIAGNOSTICS n = ROW_COUNT;
    table_name := 'traces'; deleted := n; RETURN NEXT;
    FOR tbl IN SELECT * FROM mini_agent_observability.trace_tables() LOOP
      EXECUTE format('DELETE FROM mini_agent_observability.%I WHERE trace_id = ANY ($1)', tbl) USING ids;
      GET DIAGNOSTICS n = ROW_COUNT;
      table_name := tbl; deleted := n; RETURN NEXT;
    END LOOP;
  END IF;

  IF metric_cutoff IS NOT NULL THEN
    -- By (trace_id, id): the key of a sample whether the table is keyed on id alone or on both.
    DELETE FROM mini_agent_observability.performance_metrics pm
     WHERE (pm.trace_id, pm.id) IN (
       SELECT m.trace_id, m.id FROM mini_agent_observability.performance_metrics m
        WHERE m.recorded_at < metric_cutoff
        LIMIT batch_size
          FOR UPDATE SKIP LOCKED);
    GET DIAGNOSTICS n = ROW_COUNT;
    table_name := 'performance_metrics'; deleted := n; RETURN NEXT;
  END IF;
END
$$;

-- Everything older than the retention (or older_than), batch after batch, each batch committed on
-- its own: what a pg_cron job calls (docs/retention.md):
--   SELECT cron.schedule('mini-agent-prune', '17 3 * * *', 'CALL mini_agent_observability.prune()');
-- A procedure, not a function, so it can COMMIT between batches; for the same reason it has no
-- SET search_path clause (PostgreSQL forbids COMMIT in a procedure that has one): every name in it
-- is schema-qualified, and the work happens in prune_batch(), which has one.
CREATE OR REPLACE PROCEDURE mini_agent_observability.prune(
  older_than interval DEFAULT NULL,
  batch_size integer DEFAULT 1000
)
LANGUAGE plpgsql
AS $$
DECLARE
  started timestamptz := now();
  total   bigint;
BEGIN
  LOOP
    SELECT coalesce(sum(b.deleted), 0) INTO total
      FROM mini_agent_observability.prune_batch(older_than, batch_size, started) b;
    EXIT WHEN total = 0;
    COMMIT;
  END LOOP;
END
$$;
