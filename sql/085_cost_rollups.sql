-- Spend in the hourly rollups: model_rollup also sums what cost_by_model reports (priced token
-- kinds, unpriced calls, cost_usd), so cost_by_model over a window of more than a day reads the
-- rollups (whole hours) and the rows only for the partial hours at either end, as model_usage
-- does (053). Over 30 days on 1M sessions the scan of every generation was most of the overview's
-- time (docs/scaling.md, "Long windows").
--
-- Every figure stays exact: counts and sums (numeric for USD) add up, nothing is estimated.
-- Windows of a day or less keep 060's body, unchanged, behind `NOT use_rollups(...)`; so does a
-- Supabase reader limited to their own sessions (rollups_visible(), 054).
--
-- Redefined: rollup_staging, rollup_generation_rows, apply_generation_rollup, rebuild_rollups
-- (the staged generation rows now carry the cost columns: a new staging table,
-- mini_agent_rollup_llm, so that a session still holding 052's staging table is not confused by
-- a different shape), cost_by_model. Existing model_rollup rows get their new sums from the
-- generations once, here.
--
-- Idempotent; runs on PostgreSQL 15 and PGlite (18). Depends on 052, 053 and 060.

ALTER TABLE mini_agent_observability.model_rollup ADD COLUMN IF NOT EXISTS unpriced bigint NOT NULL DEFAULT 0;
ALTER TABLE mini_agent_observability.model_rollup ADD COLUMN IF NOT EXISTS uncached_input_tokens bigint NOT NULL DEFAULT 0;
ALTER TABLE mini_agent_observability.model_rollup ADD COLUMN IF NOT EXISTS cache_creation_tokens bigint NOT NULL DEFAULT 0;
ALTER TABLE mini_agent_observability.model_rollup ADD COLUMN IF NOT EXISTS non_reasoning_output_tokens bigint NOT NULL DEFAULT 0;
ALTER TABLE mini_agent_observability.model_rollup ADD COLUMN IF NOT EXISTS cost_usd numeric NOT NULL DEFAULT 0;

CREATE OR REPLACE FUNCTION mini_agent_observability.rollup_staging()
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  CREATE TEMPORARY TABLE IF NOT EXISTS mini_agent_rollup_tools (
    sign integer, tool_name text, category text, success boolean, error_message text,
    started_at timestamptz, duration_ms double precision) ON COMMIT DELETE ROWS;
  CREATE TEMPORARY TABLE IF NOT EXISTS mini_agent_rollup_llm (
    sign integer, model text, provider text, success boolean, input_tokens bigint, output_tokens bigint,
    total_tokens bigint, cached_tokens bigint, reasoning_tokens bigint, uncached_input_tokens bigint,
    cache_creation_tokens bigint, non_reasoning_output_tokens bigint, cost_usd numeric,
    started_at timestamptz, duration_ms double precision) ON COMMIT DELETE ROWS;
  CREATE TEMPORARY TABLE IF NOT EXISTS mini_agent_rollup_traces (
    sign integer, placed_at timestamptz, complete boolean, failed boolean, duration_ms double precision) ON COMMIT DELETE ROWS;
END
$$;

CREATE OR REPLACE FUNCTION mini_agent_observability.rollup_generation_rows()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  PERFORM mini_agent_observability.rollup_staging();
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO pg_temp.mini_agent_rollup_llm
    SELECT 1, n.model, n.provider, n.success, n.input_tokens, n.output_tokens, n.total_tokens, n.cached_tokens,
           n.reasoning_tokens, n.uncached_input_tokens, n.cache_creation_tokens, n.non_reasoning_output_tokens,
           n.cost_usd, n.started_at, n.duration_ms FROM new_rows n;
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    INSERT INTO pg_temp.mini_agent_rollup_llm
    SELECT -1, o.model, o.provider, o.success, o.input_tokens, o.output_tokens, o.total_tokens, o.cached_tokens,
           o.reasoning_tokens, o.uncached_input_tokens, o.cache_creation_tokens, o.non_reasoning_output_tokens,
           o.cost_usd, o.started_at, o.duration_ms FROM old_rows o;
  END IF;
  PERFORM mini_agent_observability.apply_generation_rollup();
  DELETE FROM pg_temp.mini_agent_rollup_llm;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION mini_agent_observability.apply_generation_rollup()
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  -- total_tokens as model_usage counts it: the reported total, or input + output.
  INSERT INTO mini_agent_observability.model_rollup AS r
         (hour, model, provider, generations, errors, input_tokens, output_tokens, total_tokens, cached_tokens, reasoning_tokens,
          unpriced, uncached_input_tokens, cache_creation_tokens, non_reasoning_output_tokens, cost_usd)
  SELECT date_bin('1 hour', d.started_at, timestamptz '2000-01-01 00:00:00+00'), d.model, d.provider,
         sum(d.sign), coalesce(sum(d.sign) FILTER (WHERE NOT d.success), 0),
         coalesce(sum(d.sign * d.input_tokens), 0), coalesce(sum(d.sign * d.output_tokens), 0),
         coalesce(sum(d.sign * coalesce(d.total_tokens, coalesce(d.input_tokens, 0) + coalesce(d.output_tokens, 0))), 0),
         coalesce(sum(d.sign * d.cached_tokens), 0), coalesce(sum(d.sign * d.reasoning_tokens), 0),
         coalesce(sum(d.sign) FILTER (WHERE d.cost_usd IS NULL), 0),
         coalesce(sum(d.sign * d.uncached_input_tokens), 0), coalesce(sum(d.sign * d.cache_creation_tokens), 0),
         coalesce(sum(d.sign * d.non_reasoning_output_tokens), 0), coalesce(sum(d.sign * d.cost_usd), 0)
    FROM pg_temp.mini_agent_rollup_llm d
   GROUP BY 1, 2, 3
   ORDER BY 1, 2, 3
  ON CONFLICT ON CONSTRAINT model_rollup_key DO UPDATE SET
    generations = r.generations + EXCLUDED.generations,
    errors = r.errors + EXCLUDED.errors,
    input_tokens = r.input_tokens + EXCLUDED.input_tokens,
    output_tokens = r.output_tokens + EXCLUDED.output_tokens,
    total_tokens = r.total_tokens + EXCLUDED.total_tokens,
    cached_tokens = r.cached_tokens + EXCLUDED.cached_tokens,
    reasoning_tokens = r.reasoning_tokens + EXCLUDED.reasoning_tokens,
    unpriced = r.unpriced + EXCLUDED.unpriced,
    uncached_input_tokens = r.uncached_input_tokens + EXCLUDED.uncached_input_tokens,
    cache_creation_tokens = r.cache_creation_tokens + EXCLUDED.cache_creation_tokens,
    non_reasoning_output_tokens = r.non_reasoning_output_tokens + EXCLUDED.non_reasoning_output_tokens,
    cost_usd = r.cost_usd + EXCLUDED.cost_usd;

  INSERT INTO mini_agent_observability.latency_histogram AS r (kind, grain, bucket_start, subject, subject2, bin, n)
  SELECT 'model', g.grain, date_bin(g.width, d.started_at, timestamptz '2000-01-01 00:00:00+00'), d.model, d.provider,
         mini_agent_observability.latency_bin(d.duration_ms), sum(d.sign)
    FROM pg_temp.mini_agent_rollup_llm d
   CROSS JOIN (VALUES ('hour', interval '1 hour'), ('day', interval '1 day')) g (grain, width)
   WHERE d.duration_ms IS NOT NULL
   GROUP BY 2, 3, 4, 5, 6
   ORDER BY 2, 3, 4, 5, 6
  ON CONFLICT ON CONSTRAINT latency_histogram_key DO UPDATE SET n = r.n + EXCLUDED.n;
END
$$;

CREATE OR REPLACE FUNCTION mini_agent_observability.rebuild_rollups()
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  TRUNCATE mini_agent_observability.tool_rollup, mini_agent_observability.tool_error_rollup,
           mini_agent_observability.model_rollup, mini_agent_observability.session_rollup,
           mini_agent_observability.latency_histogram;
  PERFORM mini_agent_observability.rollup_staging();
  INSERT INTO pg_temp.mini_agent_rollup_tools
  SELECT 1, t.tool_name, t.category, t.success, t.error_message, t.started_at, t.duration_ms FROM mini_agent_observability.tool_executions t;
  PERFORM mini_agent_observability.apply_tool_rollup();
  TRUNCATE pg_temp.mini_agent_rollup_tools;

  INSERT INTO pg_temp.mini_agent_rollup_llm
  SELECT 1, g.model, g.provider, g.success, g.input_tokens, g.output_tokens, g.total_tokens, g.cached_tokens,
         g.reasoning_tokens, g.uncached_input_tokens, g.cache_creation_tokens, g.non_reasoning_output_tokens,
         g.cost_usd, g.started_at, g.duration_ms FROM mini_agent_observability.generations g;
  PERFORM mini_agent_observability.apply_generation_rollup();
  TRUNCATE pg_temp.mini_agent_rollup_llm;

  INSERT INTO pg_temp.mini_agent_rollup_traces
  SELECT 1, coalesce(t.started_at, t.inserted_at), t.complete, t.complete AND t.status = 'error',
         CASE WHEN t.complete THEN extract(epoch FROM t.ended_at - t.started_at)::float8 * 1000 END
    FROM mini_agent_observability.traces t;
  PERFORM mini_agent_observability.apply_trace_rollup();
  TRUNCATE pg_temp.mini_agent_rollup_traces;
END
$$;

-- The rows written before this migration: their hours' new sums, from the generations (one pass).
UPDATE mini_agent_observability.model_rollup r
   SET unpriced = s.unpriced, uncached_input_tokens = s.uncached_input_tokens, cache_creation_tokens = s.cache_creation_tokens,
       non_reasoning_output_tokens = s.non_reasoning_output_tokens, cost_usd = s.cost_usd
  FROM (SELECT date_bin('1 hour', g.started_at, timestamptz '2000-01-01 00:00:00+00') AS hour, g.model, g.provider,
               count(*) FILTER (WHERE g.cost_usd IS NULL) AS unpriced,
               coalesce(sum(g.uncached_input_tokens), 0) AS uncached_input_tokens,
               coalesce(sum(g.cache_creation_tokens), 0) AS cache_creation_tokens,
               coalesce(sum(g.non_reasoning_output_tokens), 0) AS non_reasoning_output_tokens,
               coalesce(sum(g.cost_usd), 0) AS cost_usd
          FROM mini_agent_observability.generations g
         GROUP BY 1, 2, 3) s
 WHERE r.hour = s.hour AND r.model IS NOT DISTINCT FROM s.model AND r.provider IS NOT DISTINCT FROM s.provider
   AND (r.unpriced, r.uncached_input_tokens, r.cache_creation_tokens, r.non_reasoning_output_tokens, r.cost_usd)
       IS DISTINCT FROM (s.unpriced, s.uncached_input_tokens, s.cache_creation_tokens, s.non_reasoning_output_tokens, s.cost_usd);

-- Spend per model. Exact, as 060; over more than a day from the rollups for the whole hours.
CREATE OR REPLACE FUNCTION mini_agent_observability.cost_by_model(
  since timestamptz,
  until timestamptz DEFAULT 'infinity'
)
RETURNS TABLE (
  model                 text,
  provider              text,
  generations           bigint,
  unpriced              bigint,
  uncached_input_tokens bigint,
  cache_read_tokens     bigint,
  cache_creation_tokens bigint,
  output_tokens         bigint,
  reasoning_tokens      bigint,
  cost_usd              numeric
)
LANGUAGE sql STABLE
AS $$
  SELECT g.model, g.provider, count(*), count(*) FILTER (WHERE g.cost_usd IS NULL),
         coalesce(sum(g.uncached_input_tokens), 0)::bigint,
         coalesce(sum(g.cached_tokens), 0)::bigint,
         coalesce(sum(g.cache_creation_tokens), 0)::bigint,
         coalesce(sum(g.non_reasoning_output_tokens), 0)::bigint,
         coalesce(sum(g.reasoning_tokens), 0)::bigint,
         coalesce(sum(g.cost_usd), 0)
    FROM mini_agent_observability.generations g
   WHERE g.started_at >= cost_by_model.since
     AND g.started_at < cost_by_model.until
     AND NOT mini_agent_observability.use_rollups(cost_by_model.since, cost_by_model.until)
   GROUP BY g.model, g.provider
  UNION ALL
  SELECT x.model, x.provider, sum(x.generations)::bigint, sum(x.unpriced)::bigint, sum(x.uncached_input_tokens)::bigint,
         sum(x.cached_tokens)::bigint, sum(x.cache_creation_tokens)::bigint, sum(x.non_reasoning_output_tokens)::bigint,
         sum(x.reasoning_tokens)::bigint, sum(x.cost_usd)
    FROM (SELECT r.model, r.provider, r.generations, r.unpriced, r.uncached_input_tokens, r.cached_tokens,
                 r.cache_creation_tokens, r.non_reasoning_output_tokens, r.reasoning_tokens, r.cost_usd
            FROM mini_agent_observability.model_rollup r, mini_agent_observability.rollup_bounds(cost_by_model.since, cost_by_model.until) b
           WHERE r.hour >= b.h0 AND r.hour < b.h1
          UNION ALL
          SELECT g.model, g.provider, 1, CASE WHEN g.cost_usd IS NULL THEN 1 ELSE 0 END, coalesce(g.uncached_input_tokens, 0),
                 coalesce(g.cached_tokens, 0), coalesce(g.cache_creation_tokens, 0), coalesce(g.non_reasoning_output_tokens, 0),
                 coalesce(g.reasoning_tokens, 0), coalesce(g.cost_usd, 0)
            FROM mini_agent_observability.generations g, mini_agent_observability.rollup_bounds(cost_by_model.since, cost_by_model.until) b
           WHERE g.started_at >= cost_by_model.since AND g.started_at < b.h0
          UNION ALL
          SELECT g.model, g.provider, 1, CASE WHEN g.cost_usd IS NULL THEN 1 ELSE 0 END, coalesce(g.uncached_input_tokens, 0),
                 coalesce(g.cached_tokens, 0), coalesce(g.cache_creation_tokens, 0), coalesce(g.non_reasoning_output_tokens, 0),
                 coalesce(g.reasoning_tokens, 0), coalesce(g.cost_usd, 0)
            FROM mini_agent_observability.generations g, mini_agent_observability.rollup_bounds(cost_by_model.since, cost_by_model.until) b
           WHERE g.started_at >= b.h1 AND g.started_at < cost_by_model.until) x
   WHERE mini_agent_observability.use_rollups(cost_by_model.since, cost_by_model.until)
   GROUP BY x.model, x.provider
  HAVING sum(x.generations) > 0
$$;
