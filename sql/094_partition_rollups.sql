-- Dropping a partition keeps every rollup equal to rebuild_rollups(): 092 with 085 and 086.
--
-- 092's rollup_forget() subtracted a partition's rows before its DROP through 052's staging. Since
-- 085 the generation rows are staged in mini_agent_rollup_llm (with the cost columns), which
-- apply_generation_rollup() reads: 052's table was no longer made, so a dropped generations
-- partition failed the prune on a new connection, or (where it still existed) was not subtracted.
-- And 086's recompute of an hour's maximum and first/last times reads the table, where the
-- partition's rows were still there: an emptied hour kept its extremes (which tool_stats reports).
--
-- Redefined: rollup_forget(tbl, part). It no longer reads the partition. A partition holds every
-- row of its range, and make_partition() gives it whole UTC days (or weeks), so the rollup rows of
-- those hours and days (tool_rollup, tool_error_rollup and the 'tool', 'tool_total' and
-- 'tool_bucket' histograms; model_rollup with its cost sums and the 'model' histograms) summarize
-- that partition's rows and nothing else: they are deleted, which is what a rebuild would leave
-- (no row at zero, no float residue in sum_ms), whatever the sums and extremes were. A range that
-- does not start and end at midnight UTC (a partition attached by hand) is widened to whole days:
-- the rollup rows of those days are deleted and the rows of the days outside the partition (other
-- partitions or DEFAULT) are added back from the table.
--
-- Called by prune_partition() with its table locked (ACCESS EXCLUSIVE): no writer adds to these
-- hours meanwhile, and the rollup rows deleted are ones no other table's writer touches.
--
-- Idempotent; runs on PostgreSQL 15 and PGlite (18). Depends on 052, 085, 086, 090 and 092.

CREATE OR REPLACE FUNCTION mini_agent_observability.rollup_forget(tbl text, part regclass)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = ''
AS $$
DECLARE
  origin CONSTANT timestamptz := timestamptz '2000-01-01 00:00:00+00';
  lo     timestamptz;
  hi     timestamptz;
  d0     timestamptz;
  d1     timestamptz;
BEGIN
  IF tbl NOT IN ('tool_executions', 'generations') THEN
    RETURN;  -- no rollup reads the other tables
  END IF;
  SELECT tp.range_start, tp.range_end INTO lo, hi
    FROM mini_agent_observability.table_partitions(format('mini_agent_observability.%I', tbl)::regclass) tp
   WHERE tp.partition = part;
  IF lo IS NULL OR hi IS NULL THEN
    RAISE EXCEPTION 'rollup_forget: % is not a range partition of %', part, tbl USING ERRCODE = '22023';
  END IF;
  -- The whole UTC days the range touches: the grain of the daily histograms (hours fit in them).
  d0 := date_bin('1 day', lo, origin);
  d1 := date_bin('1 day', hi, origin);
  IF d1 < hi THEN
    d1 := d1 + interval '1 day';
  END IF;
  PERFORM mini_agent_observability.rollup_staging();
  IF tbl = 'tool_executions' THEN
    DELETE FROM mini_agent_observability.tool_rollup r WHERE r.hour >= d0 AND r.hour < d1;
    DELETE FROM mini_agent_observability.tool_error_rollup r WHERE r.hour >= d0 AND r.hour < d1;
    DELETE FROM mini_agent_observability.latency_histogram h
     WHERE h.kind = ANY ('{tool,tool_total,tool_bucket}'::text[]) AND h.grain = ANY ('{hour,day}'::text[])
       AND h.bucket_start >= d0 AND h.bucket_start < d1;
    -- Empty for a partition of whole days (both ranges are empty).
    INSERT INTO pg_temp.mini_agent_rollup_tools
    SELECT 1, x.tool_name, x.category, x.success, x.error_message, x.started_at, x.duration_ms
      FROM mini_agent_observability.tool_executions x WHERE x.started_at >= d0 AND x.started_at < lo
    UNION ALL
    SELECT 1, x.tool_name, x.category, x.success, x.error_message, x.started_at, x.duration_ms
      FROM mini_agent_observability.tool_executions x WHERE x.started_at >= hi AND x.started_at < d1;
    PERFORM mini_agent_observability.apply_tool_rollup();
    DELETE FROM pg_temp.mini_agent_rollup_tools;
  ELSE
    DELETE FROM mini_agent_observability.model_rollup r WHERE r.hour >= d0 AND r.hour < d1;
    DELETE FROM mini_agent_observability.latency_histogram h
     WHERE h.kind = 'model' AND h.grain = ANY ('{hour,day}'::text[]) AND h.bucket_start >= d0 AND h.bucket_start < d1;
    INSERT INTO pg_temp.mini_agent_rollup_llm
    SELECT 1, g.model, g.provider, g.success, g.input_tokens, g.output_tokens, g.total_tokens, g.cached_tokens,
           g.reasoning_tokens, g.uncached_input_tokens, g.cache_creation_tokens, g.non_reasoning_output_tokens,
           g.cost_usd, g.started_at, g.duration_ms
      FROM mini_agent_observability.generations g WHERE g.started_at >= d0 AND g.started_at < lo
    UNION ALL
    SELECT 1, g.model, g.provider, g.success, g.input_tokens, g.output_tokens, g.total_tokens, g.cached_tokens,
           g.reasoning_tokens, g.uncached_input_tokens, g.cache_creation_tokens, g.non_reasoning_output_tokens,
           g.cost_usd, g.started_at, g.duration_ms
      FROM mini_agent_observability.generations g WHERE g.started_at >= hi AND g.started_at < d1;
    PERFORM mini_agent_observability.apply_generation_rollup();
    DELETE FROM pg_temp.mini_agent_rollup_llm;
  END IF;
END
$$;
