-- Retention on the partitioned layout: whole partitions dropped instead of their rows deleted one
-- by one, with exactly the outcome of prune_batch() (050_retention.sql):
--   * a partition of performance_metrics whose range ends at or before the metric samples' cutoff
--     holds only samples prune_batch() would delete: dropped;
--   * a partition of any partitioned table whose range ends at or before the traces' cutoff, and
--     every row of which belongs to a trace older than that cutoff: dropped. One row of a trace
--     that is kept (a trace started before the cutoff and ended after it), or of a trace that has
--     no `traces` row, keeps the partition; batches of prune_batch() then delete what is old in it.
--   The DEFAULT partition is never dropped (its rows go by batches).
-- The rollups lose what a dropped partition held, as they lose deleted rows.
--
-- Dropping a partition locks its table for the moment it takes (PostgreSQL needs an ACCESS
-- EXCLUSIVE lock on the partitioned table): one partition per call, so each is its own short
-- transaction; the lock is waited for at most 5 s (a long dashboard query), else the partition is
-- left for the next run and its rows to the batches.
--
-- Idempotent; runs on PostgreSQL 15 and PGlite (18). Depends on 050, 052, 090.

-- Subtracts the rows of a partition about to be dropped from the rollups its table feeds
-- (052_rollups.sql; the statement triggers do not fire for a DROP).
CREATE OR REPLACE FUNCTION mini_agent_observability.rollup_forget(tbl text, part regclass)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = ''
AS $$
BEGIN
  PERFORM mini_agent_observability.rollup_staging();
  IF tbl = 'tool_executions' THEN
    EXECUTE format('INSERT INTO pg_temp.mini_agent_rollup_tools'
                   ' SELECT -1, x.tool_name, x.category, x.success, x.error_message, x.started_at, x.duration_ms FROM %s x', part);
    PERFORM mini_agent_observability.apply_tool_rollup();
    DELETE FROM pg_temp.mini_agent_rollup_tools;
  ELSIF tbl = 'generations' THEN
    EXECUTE format('INSERT INTO pg_temp.mini_agent_rollup_generations'
                   ' SELECT -1, x.model, x.provider, x.success, x.input_tokens, x.output_tokens, x.total_tokens, x.cached_tokens,'
                   ' x.reasoning_tokens, x.started_at, x.duration_ms FROM %s x', part);
    PERFORM mini_agent_observability.apply_generation_rollup();
    DELETE FROM pg_temp.mini_agent_rollup_generations;
  END IF;
END
$$;

-- Whether a partition holds a row of a trace that a prune with this cutoff keeps (or of a trace
-- without a `traces` row, which row-by-row pruning never deletes either).
CREATE OR REPLACE FUNCTION mini_agent_observability.partition_holds_kept_rows(part regclass, trace_cutoff timestamptz)
RETURNS boolean
LANGUAGE plpgsql STABLE
SET search_path = ''
AS $$
DECLARE
  kept boolean;
BEGIN
  EXECUTE format(
    'SELECT EXISTS (SELECT 1 FROM %s x WHERE NOT EXISTS (
       SELECT 1 FROM mini_agent_observability.traces t
        WHERE t.id = x.trace_id AND coalesce(t.ended_at, t.started_at, t.inserted_at) < $1))', part)
    INTO kept USING trace_cutoff;
  RETURN kept;
END
$$;

-- Drops at most one partition older than the retention (or older_than); returns the table and
-- the rows it held, or no row when there is none to drop. Also makes the partitions ahead
-- (create_partitions()), so that the prune job keeps them. A plain database returns no row.
CREATE OR REPLACE FUNCTION mini_agent_observability.prune_partition(
  older_than interval DEFAULT NULL,
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
  candidate     record;
  blocked       boolean;
  n             bigint;
BEGIN
  IF older_than IS NOT NULL AND older_than <= interval '0' THEN
    RAISE EXCEPTION 'older_than must be a positive interval, got %', older_than USING ERRCODE = '22023';
  END IF;
  PERFORM mini_agent_observability.create_partitions(NULL, as_of);
  IF to_regclass('pg_temp.mini_agent_prune_kept') IS NULL THEN
    CREATE TEMPORARY TABLE mini_agent_prune_kept (part oid, as_of timestamptz);
  END IF;
  SELECT c.cutoff INTO trace_cutoff FROM mini_agent_observability.prune_cutoffs(older_than, as_of) c WHERE c.table_group = 'traces';
  SELECT c.cutoff INTO metric_cutoff FROM mini_agent_observability.prune_cutoffs(older_than, as_of) c WHERE c.table_group = 'performance_metrics';
  FOR candidate IN
    SELECT p.table_name AS tbl, c.oid::regclass AS parent, tp.partition, tp.range_end,
           coalesce(p.table_name = 'performance_metrics' AND tp.range_end <= metric_cutoff, false) AS all_old
      FROM mini_agent_observability.partitioning p
      JOIN pg_catalog.pg_namespace ns ON ns.nspname = 'mini_agent_observability'
      JOIN pg_catalog.pg_class c ON c.relname = p.table_name AND c.relnamespace = ns.oid AND c.relkind = 'p'
     CROSS JOIN LATERAL mini_agent_observability.table_partitions(c.oid::regclass) tp
     WHERE tp.range_end IS NOT NULL
       AND (tp.range_end <= trace_cutoff OR (p.table_name = 'performance_metrics' AND tp.range_end <= metric_cutoff))
     ORDER BY tp.range_end, p.table_name
  LOOP
    -- A partition found holding a kept trace's row is not checked again in this run (same as_of):
    -- each call drops one partition, and a run makes as many calls as it drops.
    CONTINUE WHEN EXISTS (SELECT 1 FROM pg_temp.mini_agent_prune_kept k WHERE k.part = candidate.partition::oid AND k.as_of = prune_partition.as_of);
    IF NOT candidate.all_old THEN
      -- First without the lock (the scan must not hold up the table), then again under it for a
      -- row written meanwhile.
      blocked := mini_agent_observability.partition_holds_kept_rows(candidate.partition, trace_cutoff);
      IF blocked THEN
        INSERT INTO pg_temp.mini_agent_prune_kept VALUES (candidate.partition::oid, prune_partition.as_of);
        CONTINUE;
      END IF;
    END IF;
    BEGIN
      PERFORM set_config('lock_timeout', '5s', true);
      EXECUTE format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE', candidate.parent);
    EXCEPTION WHEN lock_not_available THEN
      CONTINUE;
    END;
    CONTINUE WHEN NOT candidate.all_old AND mini_agent_observability.partition_holds_kept_rows(candidate.partition, trace_cutoff);
    EXECUTE format('SELECT count(*) FROM %s', candidate.partition) INTO n;
    PERFORM mini_agent_observability.rollup_forget(candidate.tbl, candidate.partition);
    EXECUTE format('DROP TABLE %s', candidate.partition);
    table_name := candidate.tbl; deleted := n; RETURN NEXT;
    RETURN;
  END LOOP;
END
$$;

-- The pg_cron procedure drops old partitions first, then deletes the remaining old rows batch by
-- batch (as 050 defined it), each step committed on its own.
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
    SELECT count(*) INTO total FROM mini_agent_observability.prune_partition(older_than, started) p;
    EXIT WHEN total = 0;
    COMMIT;
  END LOOP;
  COMMIT;
  LOOP
    SELECT coalesce(sum(b.deleted), 0) INTO total
      FROM mini_agent_observability.prune_batch(older_than, batch_size, started) b;
    EXIT WHEN total = 0;
    COMMIT;
  END LOOP;
END
$$;
