-- Hourly rollups for long windows: per tool, per tool error, per model, per session outcome, and
-- latency histograms, so a 30-day window reads a few thousand rollup rows instead of millions of
-- calls (the analytics functions switch to them for windows over a day: 054_rollup_analytics.sql).
--
-- Kept current by the writer's own statements: statement-level AFTER triggers read the rows a
-- statement actually inserted, updated or deleted (transition tables) and add their counts into
-- the rollups in one grouped upsert per statement.
--   * Why triggers and not a scheduled refresh: the rollups are then exactly the sum of the rows,
--     at every commit, with nothing to schedule and no stale last hour; a span delivered twice is
--     skipped by the writer's ON CONFLICT DO NOTHING, so it never reaches a transition table and
--     is counted once; `prune` deletes subtract what they delete, so the rollups follow retention.
--   * What it costs: one grouped upsert per table per written batch (not per row). Two writers
--     adding to the same hour and tool wait for each other's commit; both lock rollup rows in key
--     order (ORDER BY), so they queue, never deadlock.
--   * The trigger functions are SECURITY DEFINER (owner's rights, empty search_path): a writer with
--     least privilege (mini_agent_writer) needs no right on the rollup tables.
--
-- Counts and sums are exact. Maxima and first/last times only grow: after rows are deleted from an
-- hour (a prune that took part of an hour) they may still show the deleted rows' values.
-- Percentiles cannot be added up, so each hour (and each UTC day, so that a month reads 30 rows a
-- tool, not 720) keeps a histogram of latencies in fixed log-scale bins, 8 per doubling
-- (bin = floor(8 · log2(ms))): a percentile read from it is within 4.5 % of the exact
-- percentile_cont (docs/analytics.md, "Long windows").
--
-- rebuild_rollups() recomputes everything from the tables (run here once, for the rows written
-- before this migration; also after loading rows with triggers disabled).
--
-- Idempotent; runs on PostgreSQL 15 and PGlite (18). Depends on 001, 030 and 040.

CREATE TABLE IF NOT EXISTS mini_agent_observability.tool_rollup (
  hour        timestamptz NOT NULL,
  tool_name   text NOT NULL,
  category    text NOT NULL,
  executions  bigint NOT NULL,
  successes   bigint NOT NULL,
  sum_ms      double precision NOT NULL,
  max_ms      double precision,
  first_at    timestamptz,
  last_at     timestamptz,
  PRIMARY KEY (hour, tool_name, category)
);

-- Failed tool executions per message; the key is the message's md5 ('' for no message), since a
-- long message cannot be a btree key.
CREATE TABLE IF NOT EXISTS mini_agent_observability.tool_error_rollup (
  hour          timestamptz NOT NULL,
  message_key   text NOT NULL,
  tool_name     text NOT NULL,
  error_message text,
  occurrences   bigint NOT NULL,
  first_seen    timestamptz,
  last_seen     timestamptz,
  PRIMARY KEY (hour, message_key, tool_name)
);

CREATE TABLE IF NOT EXISTS mini_agent_observability.model_rollup (
  hour             timestamptz NOT NULL,
  model            text,
  provider         text,
  generations      bigint NOT NULL,
  errors           bigint NOT NULL,
  input_tokens     bigint NOT NULL,
  output_tokens    bigint NOT NULL,
  total_tokens     bigint NOT NULL,
  cached_tokens    bigint NOT NULL,
  reasoning_tokens bigint NOT NULL,
  CONSTRAINT model_rollup_key UNIQUE NULLS NOT DISTINCT (hour, model, provider)
);

-- Sessions by the hour they are placed in (start time, else insertion time, as session_stats).
CREATE TABLE IF NOT EXISTS mini_agent_observability.session_rollup (
  hour              timestamptz NOT NULL PRIMARY KEY,
  sessions          bigint NOT NULL,
  complete_sessions bigint NOT NULL,
  failed_sessions   bigint NOT NULL,
  max_duration_ms   double precision
);

-- Latency histograms: kind 'tool' (subject tool_name, subject2 category), 'model' (model,
-- provider; LLM call durations), 'session' (complete sessions' durations); grain 'hour' or 'day'.
CREATE TABLE IF NOT EXISTS mini_agent_observability.latency_histogram (
  kind         text NOT NULL,
  grain        text NOT NULL,
  bucket_start timestamptz NOT NULL,
  subject      text,
  subject2     text,
  bin          integer NOT NULL,
  n            bigint NOT NULL,
  CONSTRAINT latency_histogram_key UNIQUE NULLS NOT DISTINCT (kind, grain, bucket_start, subject, subject2, bin)
);

-- The histogram bin of a latency: 8 bins per doubling; 0 ms and below share bin -100000.
CREATE OR REPLACE FUNCTION mini_agent_observability.latency_bin(ms double precision)
RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT CASE WHEN ms IS NULL OR ms = 'NaN'::float8 THEN NULL
              WHEN ms <= 0 THEN -100000
              ELSE floor(8 * ln(least(greatest(ms, 1e-9), 1e15)) / ln(2))::integer END
$$;

-- The value a bin stands for: its geometric middle (within 2^(1/16) - 1 = 4.4 % of any value in it).
CREATE OR REPLACE FUNCTION mini_agent_observability.latency_bin_value(bin integer)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT CASE WHEN bin = -100000 THEN 0::float8 ELSE power(2::float8, (bin + 0.5) / 8.0) END
$$;

-- The q-quantile of a histogram (bins ascending, their counts), interpolated as percentile_cont
-- interpolates between the two nearest values, with each value replaced by its bin's middle.
CREATE OR REPLACE FUNCTION mini_agent_observability.histogram_percentile(bins integer[], counts bigint[], q double precision)
RETURNS double precision
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = ''
AS $$
DECLARE
  total bigint := 0;
  seen  bigint := 0;
  r     double precision;
  lo    bigint;
  hi    bigint;
  lo_v  double precision;
  hi_v  double precision;
BEGIN
  IF bins IS NULL OR cardinality(bins) = 0 THEN RETURN NULL; END IF;
  FOR i IN 1 .. cardinality(counts) LOOP total := total + counts[i]; END LOOP;
  IF total <= 0 THEN RETURN NULL; END IF;
  r := q * (total - 1);
  lo := floor(r);
  hi := ceil(r);
  FOR i IN 1 .. cardinality(bins) LOOP
    seen := seen + counts[i];
    IF lo_v IS NULL AND lo < seen THEN lo_v := mini_agent_observability.latency_bin_value(bins[i]); END IF;
    IF hi < seen THEN hi_v := mini_agent_observability.latency_bin_value(bins[i]); EXIT; END IF;
  END LOOP;
  RETURN lo_v + (r - lo) * (hi_v - lo_v);
END
$$;

-- The staging tables of this session (temporary, emptied at commit): the rows of a statement as
-- rollup deltas. `sign` is +1 for rows added, -1 for rows removed.
CREATE OR REPLACE FUNCTION mini_agent_observability.rollup_staging()
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  CREATE TEMPORARY TABLE IF NOT EXISTS mini_agent_rollup_tools (
    sign integer, tool_name text, category text, success boolean, error_message text,
    started_at timestamptz, duration_ms double precision) ON COMMIT DELETE ROWS;
  CREATE TEMPORARY TABLE IF NOT EXISTS mini_agent_rollup_generations (
    sign integer, model text, provider text, success boolean, input_tokens bigint, output_tokens bigint,
    total_tokens bigint, cached_tokens bigint, reasoning_tokens bigint, started_at timestamptz,
    duration_ms double precision) ON COMMIT DELETE ROWS;
  CREATE TEMPORARY TABLE IF NOT EXISTS mini_agent_rollup_traces (
    sign integer, placed_at timestamptz, complete boolean, failed boolean, duration_ms double precision) ON COMMIT DELETE ROWS;
END
$$;

-- Rows of a statement → rollup deltas.
CREATE OR REPLACE FUNCTION mini_agent_observability.rollup_tool_rows()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  PERFORM mini_agent_observability.rollup_staging();
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO pg_temp.mini_agent_rollup_tools SELECT 1, n.tool_name, n.category, n.success, n.error_message, n.started_at, n.duration_ms FROM new_rows n;
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    INSERT INTO pg_temp.mini_agent_rollup_tools SELECT -1, o.tool_name, o.category, o.success, o.error_message, o.started_at, o.duration_ms FROM old_rows o;
  END IF;
  PERFORM mini_agent_observability.apply_tool_rollup();
  DELETE FROM pg_temp.mini_agent_rollup_tools;
  RETURN NULL;
END
$$;

-- Adds the staged tool rows (pg_temp.mini_agent_rollup_tools) into the tool rollups.
CREATE OR REPLACE FUNCTION mini_agent_observability.apply_tool_rollup()
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  INSERT INTO mini_agent_observability.tool_rollup AS r
         (hour, tool_name, category, executions, successes, sum_ms, max_ms, first_at, last_at)
  SELECT date_bin('1 hour', d.started_at, timestamptz '2000-01-01 00:00:00+00'), d.tool_name, d.category,
         sum(d.sign), coalesce(sum(d.sign) FILTER (WHERE d.success), 0), coalesce(sum(d.sign * d.duration_ms), 0),
         max(d.duration_ms) FILTER (WHERE d.sign > 0), min(d.started_at) FILTER (WHERE d.sign > 0), max(d.started_at) FILTER (WHERE d.sign > 0)
    FROM pg_temp.mini_agent_rollup_tools d
   GROUP BY 1, 2, 3
   ORDER BY 1, 2, 3
  ON CONFLICT (hour, tool_name, category) DO UPDATE SET
    executions = r.executions + EXCLUDED.executions,
    successes = r.successes + EXCLUDED.successes,
    sum_ms = r.sum_ms + EXCLUDED.sum_ms,
    max_ms = greatest(r.max_ms, EXCLUDED.max_ms),
    first_at = least(r.first_at, EXCLUDED.first_at),
    last_at = greatest(r.last_at, EXCLUDED.last_at);

  INSERT INTO mini_agent_observability.tool_error_rollup AS r
         (hour, message_key, tool_name, error_message, occurrences, first_seen, last_seen)
  SELECT date_bin('1 hour', d.started_at, timestamptz '2000-01-01 00:00:00+00'), coalesce(md5(d.error_message), ''), d.tool_name,
         min(d.error_message), sum(d.sign), min(d.started_at) FILTER (WHERE d.sign > 0), max(d.started_at) FILTER (WHERE d.sign > 0)
    FROM pg_temp.mini_agent_rollup_tools d
   WHERE NOT d.success
   GROUP BY 1, 2, 3
   ORDER BY 1, 2, 3
  ON CONFLICT (hour, message_key, tool_name) DO UPDATE SET
    occurrences = r.occurrences + EXCLUDED.occurrences,
    first_seen = least(r.first_seen, EXCLUDED.first_seen),
    last_seen = greatest(r.last_seen, EXCLUDED.last_seen);

  INSERT INTO mini_agent_observability.latency_histogram AS r (kind, grain, bucket_start, subject, subject2, bin, n)
  SELECT 'tool', g.grain, date_bin(g.width, d.started_at, timestamptz '2000-01-01 00:00:00+00'), d.tool_name, d.category,
         mini_agent_observability.latency_bin(d.duration_ms), sum(d.sign)
    FROM pg_temp.mini_agent_rollup_tools d
   CROSS JOIN (VALUES ('hour', interval '1 hour'), ('day', interval '1 day')) g (grain, width)
   WHERE d.duration_ms IS NOT NULL
   GROUP BY 2, 3, 4, 5, 6
   ORDER BY 2, 3, 4, 5, 6
  ON CONFLICT ON CONSTRAINT latency_histogram_key DO UPDATE SET n = r.n + EXCLUDED.n;
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
    INSERT INTO pg_temp.mini_agent_rollup_generations
    SELECT 1, n.model, n.provider, n.success, n.input_tokens, n.output_tokens, n.total_tokens, n.cached_tokens,
           n.reasoning_tokens, n.started_at, n.duration_ms FROM new_rows n;
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    INSERT INTO pg_temp.mini_agent_rollup_generations
    SELECT -1, o.model, o.provider, o.success, o.input_tokens, o.output_tokens, o.total_tokens, o.cached_tokens,
           o.reasoning_tokens, o.started_at, o.duration_ms FROM old_rows o;
  END IF;
  PERFORM mini_agent_observability.apply_generation_rollup();
  DELETE FROM pg_temp.mini_agent_rollup_generations;
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
         (hour, model, provider, generations, errors, input_tokens, output_tokens, total_tokens, cached_tokens, reasoning_tokens)
  SELECT date_bin('1 hour', d.started_at, timestamptz '2000-01-01 00:00:00+00'), d.model, d.provider,
         sum(d.sign), coalesce(sum(d.sign) FILTER (WHERE NOT d.success), 0),
         coalesce(sum(d.sign * d.input_tokens), 0), coalesce(sum(d.sign * d.output_tokens), 0),
         coalesce(sum(d.sign * coalesce(d.total_tokens, coalesce(d.input_tokens, 0) + coalesce(d.output_tokens, 0))), 0),
         coalesce(sum(d.sign * d.cached_tokens), 0), coalesce(sum(d.sign * d.reasoning_tokens), 0)
    FROM pg_temp.mini_agent_rollup_generations d
   GROUP BY 1, 2, 3
   ORDER BY 1, 2, 3
  ON CONFLICT ON CONSTRAINT model_rollup_key DO UPDATE SET
    generations = r.generations + EXCLUDED.generations,
    errors = r.errors + EXCLUDED.errors,
    input_tokens = r.input_tokens + EXCLUDED.input_tokens,
    output_tokens = r.output_tokens + EXCLUDED.output_tokens,
    total_tokens = r.total_tokens + EXCLUDED.total_tokens,
    cached_tokens = r.cached_tokens + EXCLUDED.cached_tokens,
    reasoning_tokens = r.reasoning_tokens + EXCLUDED.reasoning_tokens;

  INSERT INTO mini_agent_observability.latency_histogram AS r (kind, grain, bucket_start, subject, subject2, bin, n)
  SELECT 'model', g.grain, date_bin(g.width, d.started_at, timestamptz '2000-01-01 00:00:00+00'), d.model, d.provider,
         mini_agent_observability.latency_bin(d.duration_ms), sum(d.sign)
    FROM pg_temp.mini_agent_rollup_generations d
   CROSS JOIN (VALUES ('hour', interval '1 hour'), ('day', interval '1 day')) g (grain, width)
   WHERE d.duration_ms IS NOT NULL
   GROUP BY 2, 3, 4, 5, 6
   ORDER BY 2, 3, 4, 5, 6
  ON CONFLICT ON CONSTRAINT latency_histogram_key DO UPDATE SET n = r.n + EXCLUDED.n;
END
$$;

-- Traces change (a trace made by a child span is completed by its session span): an update
-- removes the old row's contribution and adds the new one's; rows whose placement, outcome and
-- duration did not change cancel out and write nothing.
CREATE OR REPLACE FUNCTION mini_agent_observability.rollup_trace_rows()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  PERFORM mini_agent_observability.rollup_staging();
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO pg_temp.mini_agent_rollup_traces
    SELECT 1, coalesce(n.started_at, n.inserted_at), n.complete, n.complete AND n.status = 'error',
           CASE WHEN n.complete THEN extract(epoch FROM n.ended_at - n.started_at)::float8 * 1000 END
      FROM new_rows n;
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    INSERT INTO pg_temp.mini_agent_rollup_traces
    SELECT -1, coalesce(o.started_at, o.inserted_at), o.complete, o.complete AND o.status = 'error',
           CASE WHEN o.complete THEN extract(epoch FROM o.ended_at - o.started_at)::float8 * 1000 END
      FROM old_rows o;
  END IF;
  PERFORM mini_agent_observability.apply_trace_rollup();
  DELETE FROM pg_temp.mini_agent_rollup_traces;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION mini_agent_observability.apply_trace_rollup()
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  INSERT INTO mini_agent_observability.session_rollup AS r (hour, sessions, complete_sessions, failed_sessions, max_duration_ms)
  SELECT s.hour, s.sessions, s.complete_sessions, s.failed_sessions, s.max_duration_ms
    FROM (SELECT date_bin('1 hour', d.placed_at, timestamptz '2000-01-01 00:00:00+00') AS hour,
                 sum(d.sign) AS sessions,
                 coalesce(sum(d.sign) FILTER (WHERE d.complete), 0) AS complete_sessions,
                 coalesce(sum(d.sign) FILTER (WHERE d.failed), 0) AS failed_sessions,
                 max(d.duration_ms) FILTER (WHERE d.sign > 0) AS max_duration_ms,
                 bool_or(d.sign > 0) AS added
            FROM pg_temp.mini_agent_rollup_traces d
           WHERE d.placed_at IS NOT NULL
           GROUP BY 1) s
   -- Nothing to write for an update that changed nothing the rollup counts: writers then do not
   -- queue on the hour's row for nothing.
   WHERE s.sessions <> 0 OR s.complete_sessions <> 0 OR s.failed_sessions <> 0
      OR (s.added AND s.max_duration_ms IS NOT NULL AND NOT EXISTS (SELECT 1 FROM mini_agent_observability.session_rollup e
                                   WHERE e.hour = s.hour AND e.max_duration_ms >= s.max_duration_ms))
   ORDER BY 1
  ON CONFLICT (hour) DO UPDATE SET
    sessions = r.sessions + EXCLUDED.sessions,
    complete_sessions = r.complete_sessions + EXCLUDED.complete_sessions,
    failed_sessions = r.failed_sessions + EXCLUDED.failed_sessions,
    max_duration_ms = greatest(r.max_duration_ms, EXCLUDED.max_duration_ms);

  INSERT INTO mini_agent_observability.latency_histogram AS r (kind, grain, bucket_start, subject, subject2, bin, n)
  SELECT h.kind, h.grain, h.bucket_start, NULL, NULL, h.bin, h.n
    FROM (SELECT 'session' AS kind, g.grain, date_bin(g.width, d.placed_at, timestamptz '2000-01-01 00:00:00+00') AS bucket_start,
                 mini_agent_observability.latency_bin(d.duration_ms) AS bin, sum(d.sign) AS n
            FROM pg_temp.mini_agent_rollup_traces d
           CROSS JOIN (VALUES ('hour', interval '1 hour'), ('day', interval '1 day')) g (grain, width)
           WHERE d.complete AND d.duration_ms IS NOT NULL AND d.placed_at IS NOT NULL
           GROUP BY 2, 3, 4) h
   WHERE h.n <> 0
   ORDER BY 2, 3, 6
  ON CONFLICT ON CONSTRAINT latency_histogram_key DO UPDATE SET n = r.n + EXCLUDED.n;
END
$$;

-- TRUNCATE deletes without a transition table: it empties what the truncated table rolled up.
CREATE OR REPLACE FUNCTION mini_agent_observability.rollup_truncate()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  CASE TG_TABLE_NAME
    WHEN 'tool_executions' THEN
      TRUNCATE mini_agent_observability.tool_rollup, mini_agent_observability.tool_error_rollup;
      DELETE FROM mini_agent_observability.latency_histogram WHERE kind = 'tool';
    WHEN 'generations' THEN
      TRUNCATE mini_agent_observability.model_rollup;
      DELETE FROM mini_agent_observability.latency_histogram WHERE kind = 'model';
    ELSE
      TRUNCATE mini_agent_observability.session_rollup;
      DELETE FROM mini_agent_observability.latency_histogram WHERE kind = 'session';
  END CASE;
  RETURN NULL;
END
$$;

-- The triggers: one per statement kind (a trigger with transition tables takes one event).
DO $$
DECLARE
  spec record;
BEGIN
  FOR spec IN SELECT * FROM (VALUES ('tool_executions', 'rollup_tool_rows'), ('generations', 'rollup_generation_rows'),
                                    ('traces', 'rollup_trace_rows')) s (tbl, fn) LOOP
    EXECUTE format('DROP TRIGGER IF EXISTS mini_agent_rollup_insert ON mini_agent_observability.%I', spec.tbl);
    EXECUTE format('CREATE TRIGGER mini_agent_rollup_insert AFTER INSERT ON mini_agent_observability.%I'
                   ' REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mini_agent_observability.%I()', spec.tbl, spec.fn);
    EXECUTE format('DROP TRIGGER IF EXISTS mini_agent_rollup_update ON mini_agent_observability.%I', spec.tbl);
    EXECUTE format('CREATE TRIGGER mini_agent_rollup_update AFTER UPDATE ON mini_agent_observability.%I'
                   ' REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mini_agent_observability.%I()', spec.tbl, spec.fn);
    EXECUTE format('DROP TRIGGER IF EXISTS mini_agent_rollup_delete ON mini_agent_observability.%I', spec.tbl);
    EXECUTE format('CREATE TRIGGER mini_agent_rollup_delete AFTER DELETE ON mini_agent_observability.%I'
                   ' REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION mini_agent_observability.%I()', spec.tbl, spec.fn);
    EXECUTE format('DROP TRIGGER IF EXISTS mini_agent_rollup_truncate ON mini_agent_observability.%I', spec.tbl);
    EXECUTE format('CREATE TRIGGER mini_agent_rollup_truncate AFTER TRUNCATE ON mini_agent_observability.%I'
                   ' FOR EACH STATEMENT EXECUTE FUNCTION mini_agent_observability.rollup_truncate()', spec.tbl);
  END LOOP;
END
$$;

-- Recomputes every rollup from the tables: for rows written before the rollups existed, or loaded
-- with the triggers off (bulk loads). Locks the rollups for its duration.
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

  INSERT INTO pg_temp.mini_agent_rollup_generations
  SELECT 1, g.model, g.provider, g.success, g.input_tokens, g.output_tokens, g.total_tokens, g.cached_tokens,
         g.reasoning_tokens, g.started_at, g.duration_ms FROM mini_agent_observability.generations g;
  PERFORM mini_agent_observability.apply_generation_rollup();
  TRUNCATE pg_temp.mini_agent_rollup_generations;

  INSERT INTO pg_temp.mini_agent_rollup_traces
  SELECT 1, coalesce(t.started_at, t.inserted_at), t.complete, t.complete AND t.status = 'error',
         CASE WHEN t.complete THEN extract(epoch FROM t.ended_at - t.started_at)::float8 * 1000 END
    FROM mini_agent_observability.traces t;
  PERFORM mini_agent_observability.apply_trace_rollup();
  TRUNCATE pg_temp.mini_agent_rollup_traces;
END
$$;

SELECT mini_agent_observability.rebuild_rollups();
