-- Latency histograms as charts draw them, for long windows, and exact extremes after deletes.
--
-- tool_latency_buckets(since, until): tool executions per tool, category and latency bucket of
-- the fixed 1-2-5 scale latency_bucket() defines (width_bucket over 1, 2, 5, 10 … 60,000 ms;
-- bucket 0 is under 1 ms, 15 is 60 s and over). The dashboard's tools page draws these buckets;
-- over 30 days on 1M sessions counting them from the rows took ~5 s (8 M rows). Over more than a
-- day the function reads them from latency_histogram (kind 'tool_bucket', hourly and daily
-- counts written by the same triggers as 052's), and the rows only for the partial hours at the
-- ends: counts are exact, whatever the window (a bucket count adds up, unlike a percentile).
--
-- Maxima and first/last times after deletes (052 left them growing only): when a statement
-- removes rows (a prune, a DELETE, an UPDATE) whose value could have been an hour's maximum,
-- first or last, that hour's value is recomputed from the rows left, through the index that
-- already serves the window (tool_executions (tool_name, category, started_at) INCLUDE
-- (duration_ms), the failures index, traces' placement index). Rows removed from inside an
-- hour's extremes change nothing and cost nothing.
--
-- Redefined: apply_tool_rollup, rollup_tool_rows, rollup_trace_rows, rollup_truncate.
-- New: latency_bucket, tool_latency_buckets. The 'tool_bucket' counts of rows written before this
-- migration are added here, from the tool executions (one pass).
--
-- Idempotent; runs on PostgreSQL 15 and PGlite (18). Depends on 052, 053 and 085.

-- The bucket of a latency on the 1-2-5 scale (0: under 1 ms … 15: 60 s and over; NULL for NULL).
CREATE OR REPLACE FUNCTION mini_agent_observability.latency_bucket(ms double precision)
RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT width_bucket(ms, '{1,2,5,10,20,50,100,200,500,1000,2000,5000,10000,20000,60000}'::float8[])
$$;

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

  -- Both histograms in one upsert: the log bins of the percentiles ('tool') and the chart's 1-2-5
  -- buckets ('tool_bucket').
  INSERT INTO mini_agent_observability.latency_histogram AS r (kind, grain, bucket_start, subject, subject2, bin, n)
  SELECT k.kind, g.grain, date_bin(g.width, d.started_at, timestamptz '2000-01-01 00:00:00+00'), d.tool_name, d.category,
         CASE k.kind WHEN 'tool' THEN mini_agent_observability.latency_bin(d.duration_ms)
                     ELSE mini_agent_observability.latency_bucket(d.duration_ms) END,
         sum(d.sign)
    FROM pg_temp.mini_agent_rollup_tools d
   CROSS JOIN (VALUES ('hour', interval '1 hour'), ('day', interval '1 day')) g (grain, width)
   CROSS JOIN (VALUES ('tool'), ('tool_bucket')) k (kind)
   WHERE d.duration_ms IS NOT NULL
   GROUP BY 1, 2, 3, 4, 5, 6
   ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT ON CONSTRAINT latency_histogram_key DO UPDATE SET n = r.n + EXCLUDED.n;

  -- Removed rows that may have held an hour's extreme: recompute it from the rows left. The rows
  -- were locked by the upserts above (every staged key is in them), in key order.
  UPDATE mini_agent_observability.tool_rollup r
     SET max_ms = f.max_ms, first_at = f.first_at, last_at = f.last_at
    FROM (SELECT DISTINCT date_bin('1 hour', d.started_at, timestamptz '2000-01-01 00:00:00+00') AS hour, d.tool_name, d.category
            FROM pg_temp.mini_agent_rollup_tools d
           WHERE d.sign < 0) k
   CROSS JOIN LATERAL (SELECT max(te.duration_ms) AS max_ms, min(te.started_at) AS first_at, max(te.started_at) AS last_at
                         FROM mini_agent_observability.tool_executions te
                        WHERE te.tool_name = k.tool_name AND te.category = k.category
                          AND te.started_at >= k.hour AND te.started_at < k.hour + interval '1 hour') f
   WHERE r.hour = k.hour AND r.tool_name = k.tool_name AND r.category = k.category
     AND EXISTS (SELECT 1 FROM pg_temp.mini_agent_rollup_tools o
                  WHERE o.sign < 0 AND o.tool_name = k.tool_name AND o.category = k.category
                    AND date_bin('1 hour', o.started_at, timestamptz '2000-01-01 00:00:00+00') = k.hour
                    AND (o.duration_ms >= r.max_ms OR o.started_at <= r.first_at OR o.started_at >= r.last_at))
     AND (r.max_ms, r.first_at, r.last_at) IS DISTINCT FROM (f.max_ms, f.first_at, f.last_at);

  UPDATE mini_agent_observability.tool_error_rollup r
     SET first_seen = f.first_seen, last_seen = f.last_seen
    FROM (SELECT DISTINCT date_bin('1 hour', d.started_at, timestamptz '2000-01-01 00:00:00+00') AS hour,
                 coalesce(md5(d.error_message), '') AS message_key, d.tool_name
            FROM pg_temp.mini_agent_rollup_tools d
           WHERE d.sign < 0 AND NOT d.success) k
   CROSS JOIN LATERAL (SELECT min(te.started_at) AS first_seen, max(te.started_at) AS last_seen
                         FROM mini_agent_observability.tool_executions te
                        WHERE NOT te.success AND te.started_at >= k.hour AND te.started_at < k.hour + interval '1 hour'
                          AND te.tool_name = k.tool_name AND coalesce(md5(te.error_message), '') = k.message_key) f
   WHERE r.hour = k.hour AND r.message_key = k.message_key AND r.tool_name = k.tool_name
     AND EXISTS (SELECT 1 FROM pg_temp.mini_agent_rollup_tools o
                  WHERE o.sign < 0 AND NOT o.success AND o.tool_name = k.tool_name
                    AND coalesce(md5(o.error_message), '') = k.message_key
                    AND date_bin('1 hour', o.started_at, timestamptz '2000-01-01 00:00:00+00') = k.hour
                    AND (o.started_at <= r.first_seen OR o.started_at >= r.last_seen))
     AND (r.first_seen, r.last_seen) IS DISTINCT FROM (f.first_seen, f.last_seen);
END
$$;

-- Sessions: the hour's longest duration, after removed rows that may have held it.
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
  UPDATE mini_agent_observability.session_rollup r
     SET max_duration_ms = f.max_ms
    FROM (SELECT date_bin('1 hour', d.placed_at, timestamptz '2000-01-01 00:00:00+00') AS hour, max(d.duration_ms) AS removed_max
            FROM pg_temp.mini_agent_rollup_traces d
           WHERE d.sign < 0 AND d.duration_ms IS NOT NULL AND d.placed_at IS NOT NULL
           GROUP BY 1) k
   CROSS JOIN LATERAL (SELECT max(extract(epoch FROM t.ended_at - t.started_at)::float8 * 1000) FILTER (WHERE t.complete) AS max_ms
                         FROM mini_agent_observability.traces t
                        WHERE coalesce(t.started_at, t.inserted_at) >= k.hour
                          AND coalesce(t.started_at, t.inserted_at) < k.hour + interval '1 hour') f
   WHERE r.hour = k.hour AND k.removed_max >= r.max_duration_ms AND r.max_duration_ms IS DISTINCT FROM f.max_ms;
  DELETE FROM pg_temp.mini_agent_rollup_traces;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION mini_agent_observability.rollup_truncate()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  CASE TG_TABLE_NAME
    WHEN 'tool_executions' THEN
      TRUNCATE mini_agent_observability.tool_rollup, mini_agent_observability.tool_error_rollup;
      DELETE FROM mini_agent_observability.latency_histogram WHERE kind IN ('tool', 'tool_bucket');
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

-- The 'tool_bucket' counts of the rows written before this migration (none when they are there).
INSERT INTO mini_agent_observability.latency_histogram (kind, grain, bucket_start, subject, subject2, bin, n)
SELECT 'tool_bucket', g.grain, date_bin(g.width, te.started_at, timestamptz '2000-01-01 00:00:00+00'), te.tool_name, te.category,
       mini_agent_observability.latency_bucket(te.duration_ms), count(*)
  FROM mini_agent_observability.tool_executions te
 CROSS JOIN (VALUES ('hour', interval '1 hour'), ('day', interval '1 day')) g (grain, width)
 WHERE te.duration_ms IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM mini_agent_observability.latency_histogram WHERE kind = 'tool_bucket')
 GROUP BY 1, 2, 3, 4, 5, 6
ON CONFLICT ON CONSTRAINT latency_histogram_key DO NOTHING;

-- Executions per tool, category and 1-2-5 latency bucket (latency_bucket) of the window; exact.
-- Over more than a day from the hourly and daily counts, and the rows of the partial end hours.
CREATE OR REPLACE FUNCTION mini_agent_observability.tool_latency_buckets(
  since timestamptz,
  until timestamptz DEFAULT 'infinity'
)
RETURNS TABLE (tool_name text, category text, bucket integer, n bigint)
LANGUAGE sql STABLE
AS $$
  SELECT te.tool_name, te.category, mini_agent_observability.latency_bucket(te.duration_ms), count(*)
    FROM mini_agent_observability.tool_executions te
   WHERE te.started_at >= tool_latency_buckets.since
     AND te.started_at < tool_latency_buckets.until
     AND te.duration_ms IS NOT NULL
     AND NOT mini_agent_observability.use_rollups(tool_latency_buckets.since, tool_latency_buckets.until)
   GROUP BY 1, 2, 3
  UNION ALL
  SELECT y.subject, y.subject2, y.bin, sum(y.n)::bigint
    FROM (SELECT lh.subject, lh.subject2, lh.bin, lh.n
            FROM mini_agent_observability.latency_histogram lh, mini_agent_observability.rollup_bounds(tool_latency_buckets.since, tool_latency_buckets.until) b
           WHERE lh.kind = 'tool_bucket' AND lh.grain = 'day' AND lh.bucket_start >= b.d0 AND lh.bucket_start < b.d1
          UNION ALL
          SELECT lh.subject, lh.subject2, lh.bin, lh.n
            FROM mini_agent_observability.latency_histogram lh, mini_agent_observability.rollup_bounds(tool_latency_buckets.since, tool_latency_buckets.until) b
           WHERE lh.kind = 'tool_bucket' AND lh.grain = 'hour' AND lh.bucket_start >= b.h0 AND lh.bucket_start < b.d0
          UNION ALL
          SELECT lh.subject, lh.subject2, lh.bin, lh.n
            FROM mini_agent_observability.latency_histogram lh, mini_agent_observability.rollup_bounds(tool_latency_buckets.since, tool_latency_buckets.until) b
           WHERE lh.kind = 'tool_bucket' AND lh.grain = 'hour' AND lh.bucket_start >= b.d1 AND lh.bucket_start < b.h1
          UNION ALL
          SELECT te.tool_name, te.category, mini_agent_observability.latency_bucket(te.duration_ms), 1
            FROM mini_agent_observability.tool_executions te, mini_agent_observability.rollup_bounds(tool_latency_buckets.since, tool_latency_buckets.until) b
           WHERE te.duration_ms IS NOT NULL AND te.started_at >= tool_latency_buckets.since AND te.started_at < b.h0
          UNION ALL
          SELECT te.tool_name, te.category, mini_agent_observability.latency_bucket(te.duration_ms), 1
            FROM mini_agent_observability.tool_executions te, mini_agent_observability.rollup_bounds(tool_latency_buckets.since, tool_latency_buckets.until) b
           WHERE te.duration_ms IS NOT NULL AND te.started_at >= b.h1 AND te.started_at < tool_latency_buckets.until) y
   WHERE mini_agent_observability.use_rollups(tool_latency_buckets.since, tool_latency_buckets.until)
   GROUP BY 1, 2, 3
  HAVING sum(y.n) > 0
$$;
