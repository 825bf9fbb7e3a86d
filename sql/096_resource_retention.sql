-- Retention for `resources` (083): a resource row no span points at any more is deleted by prune.
--
-- Every agent process has a resource of its own (its pid, host, start arguments), so a database
-- written by short-lived agents gains a resource row per run. Pruning traces left those rows
-- behind, for ever.
--
--   resources.seen_at   when a writer last stored a span with this resource, to the hour: the
--                       writer's upsert moves it forward when it is more than an hour old (so at
--                       most one update an hour per running process; DO NOTHING otherwise).
--                       Rows carried over get the time of this migration.
--   prune_resources(older_than, as_of, dry_run)
--                       deletes (counts, with dry_run) the resources last seen before the traces'
--                       cutoff that no span points at. Nothing when the traces group has no
--                       cutoff. Returns one row ('resources', n) when n > 0, like prune_batch().
--   prune()             the pg_cron procedure, as 092 defined it, then prune_resources().
--
-- Why seen_at and not "no span points at it" alone: a writer stores a batch's resources and its
-- spans in one transaction, and an INSERT ... ON CONFLICT DO NOTHING that finds the row takes no
-- lock on it. A prune whose snapshot does not yet see that batch's spans would delete the row
-- they point at. Here, a row a writer uses now was seen within the hour (or is being updated,
-- which locks it: the prune's DELETE waits, then reads the new seen_at and keeps it), and no row
-- seen in the last two hours is deleted, whatever the cutoff. A writer of an earlier version never
-- moves seen_at: its resource rows may be deleted while it runs, once no stored span points at
-- them and they are older than the cutoff; its next batch stores the row again.
--
-- The anti-join reads spans.resource_id of every span (no index: one would cost every span
-- insert): once a run, in the background, not holding any lock a writer waits for.
--
-- Idempotent; runs on PostgreSQL 15 and PGlite (18). Depends on 050, 083 and 092.

ALTER TABLE mini_agent_observability.resources ADD COLUMN IF NOT EXISTS seen_at timestamptz NOT NULL DEFAULT now();
COMMENT ON COLUMN mini_agent_observability.resources.seen_at IS
  'when a writer last stored a span with this resource (moved forward at most once an hour); prune deletes unreferenced rows last seen before the traces cutoff';

CREATE OR REPLACE FUNCTION mini_agent_observability.prune_resources(
  older_than interval DEFAULT NULL,
  as_of      timestamptz DEFAULT now(),
  dry_run    boolean DEFAULT false
)
RETURNS TABLE (table_name text, deleted bigint)
LANGUAGE plpgsql VOLATILE
SET search_path = ''
AS $$
#variable_conflict use_column
DECLARE
  trace_cutoff timestamptz;
  seen_cutoff  timestamptz;
  n            bigint;
BEGIN
  SELECT c.cutoff INTO trace_cutoff FROM mini_agent_observability.prune_cutoffs(older_than, as_of) c WHERE c.table_group = 'traces';
  IF trace_cutoff IS NULL THEN
    RETURN;
  END IF;
  -- Never a row seen in the last two hours, whatever older_than says (seen_at lags by up to one).
  seen_cutoff := least(trace_cutoff, as_of - interval '2 hours');
  IF dry_run THEN
    SELECT count(*) INTO n FROM mini_agent_observability.resources r
     WHERE r.seen_at < seen_cutoff
       AND NOT EXISTS (SELECT 1 FROM mini_agent_observability.spans s WHERE s.resource_id = r.id);
  ELSE
    WITH gone AS (
      DELETE FROM mini_agent_observability.resources r
       WHERE r.seen_at < seen_cutoff
         AND NOT EXISTS (SELECT 1 FROM mini_agent_observability.spans s WHERE s.resource_id = r.id)
      RETURNING 1)
    SELECT count(*) INTO n FROM gone;
  END IF;
  IF n > 0 THEN
    table_name := 'resources'; deleted := n; RETURN NEXT;
  END IF;
END
$$;

-- 092's procedure, then the resources no pruned span left in use.
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
  PERFORM mini_agent_observability.prune_resources(older_than, started);
  COMMIT;
END
$$;
