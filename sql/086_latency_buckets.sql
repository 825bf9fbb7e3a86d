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
-- Redefined: apply_tool_rollup, rollup_trace_rows, rollup_truncate; and top_errors, tool_totals,
-- tool_stats with the same figures, for less work over long windows (top_errors groups in two
-- steps, tool_totals reads the histograms of all tools together, kind 'tool_total', and both
-- tool functions read the partial end hours' rows once; see their comments).
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

  -- The histograms in one upsert: the log bins of the percentiles per tool ('tool') and of all
  -- tools together ('tool_total', no subject: tool_totals reads 1/20 of the rows with 20 tools),
  -- and the chart's 1-2-5 buckets ('tool_bucket').
  INSERT INTO mini_agent_observability.latency_histogram AS r (kind, grain, bucket_start, subject, subject2, bin, n)
  SELECT k.kind, g.grain, date_bin(g.width, d.started_at, timestamptz '2000-01-01 00:00:00+00'),
         CASE WHEN k.kind <> 'tool_total' THEN d.tool_name END, CASE WHEN k.kind <> 'tool_total' THEN d.category END,
         CASE k.kind WHEN 'tool_bucket' THEN mini_agent_observability.latency_bucket(d.duration_ms)
                     ELSE mini_agent_observability.latency_bin(d.duration_ms) END,
         sum(d.sign)
    FROM pg_temp.mini_agent_rollup_tools d
   CROSS JOIN (VALUES ('hour', interval '1 hour'), ('day', interval '1 day')) g (grain, width)
   CROSS JOIN (VALUES ('tool'), ('tool_total'), ('tool_bucket')) k (kind)
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
      DELETE FROM mini_agent_observability.latency_histogram WHERE kind IN ('tool', 'tool_total', 'tool_bucket');
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

-- The 'tool_total' histograms of the rows written before: the per-tool histograms added up.
INSERT INTO mini_agent_observability.latency_histogram (kind, grain, bucket_start, subject, subject2, bin, n)
SELECT 'tool_total', lh.grain, lh.bucket_start, NULL, NULL, lh.bin, sum(lh.n)
  FROM mini_agent_observability.latency_histogram lh
 WHERE lh.kind = 'tool'
   AND NOT EXISTS (SELECT 1 FROM mini_agent_observability.latency_histogram WHERE kind = 'tool_total')
 GROUP BY 1, 2, 3, 6
ON CONFLICT ON CONSTRAINT latency_histogram_key DO NOTHING;

-- Executions per tool, category and 1-2-5 latency bucket (latency_bucket) of the window; exact.
-- Counts add up, so any window of an hour or more reads them from the hourly and daily counts
-- (and the rows of the partial end hours), not only windows of more than a day: the tools page's
-- 24-hour histograms then read ~500 rollup rows per tool, not every call. Shorter windows, and a
-- Supabase reader limited to their own sessions (rollups_visible()), count the rows.
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
     AND NOT (tool_latency_buckets.until >= tool_latency_buckets.since + interval '1 hour' AND mini_agent_observability.rollups_visible())
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
   WHERE tool_latency_buckets.until >= tool_latency_buckets.since + interval '1 hour' AND mini_agent_observability.rollups_visible()
   GROUP BY 1, 2, 3
  HAVING sum(y.n) > 0
$$;

-- The most frequent tool error messages (053's top_errors, the same figures). Over more than a
-- day the rollup rows (one per hour, message and tool: ~70,000 over 30 days of 20 tools) are
-- first added up per message and tool by hashing, so only those few groups are sorted for the
-- per-message tool lists; 053 sorted every rollup row by message (~300 ms at 1M sessions).
CREATE OR REPLACE FUNCTION mini_agent_observability.top_errors(
  since timestamptz,
  until timestamptz DEFAULT 'infinity',
  max_rows integer DEFAULT 20
)
RETURNS TABLE (
  error_message text,
  occurrences   bigint,
  tool_names    text[],
  first_seen    timestamptz,
  last_seen     timestamptz
)
LANGUAGE sql STABLE
AS $$
  (SELECT te.error_message,
         count(*),
         array_agg(DISTINCT te.tool_name ORDER BY te.tool_name),
         min(te.started_at),
         max(te.started_at)
    FROM mini_agent_observability.tool_executions te
   WHERE NOT te.success
     AND te.started_at >= top_errors.since
     AND te.started_at < top_errors.until
     AND NOT mini_agent_observability.use_rollups(top_errors.since, top_errors.until)
   GROUP BY te.error_message
   ORDER BY count(*) DESC, max(te.started_at) DESC
   LIMIT top_errors.max_rows)
  UNION ALL
  (SELECT min(m.error_message), sum(m.n)::bigint, array_agg(m.tool_name ORDER BY m.tool_name), min(m.first_seen), max(m.last_seen)
    FROM (SELECT x.message_key, x.tool_name, min(x.error_message) AS error_message, sum(x.n) AS n,
                 min(x.first_seen) AS first_seen, max(x.last_seen) AS last_seen
            FROM (SELECT r.message_key, r.error_message, r.tool_name, r.occurrences AS n, r.first_seen, r.last_seen
                    FROM mini_agent_observability.tool_error_rollup r, mini_agent_observability.rollup_bounds(top_errors.since, top_errors.until) b
                   WHERE r.hour >= b.h0 AND r.hour < b.h1 AND r.occurrences > 0
                  UNION ALL
                  SELECT coalesce(md5(te.error_message), ''), te.error_message, te.tool_name, 1, te.started_at, te.started_at
                    FROM mini_agent_observability.tool_executions te, mini_agent_observability.rollup_bounds(top_errors.since, top_errors.until) b
                   WHERE NOT te.success AND te.started_at >= top_errors.since AND te.started_at < b.h0
                  UNION ALL
                  SELECT coalesce(md5(te.error_message), ''), te.error_message, te.tool_name, 1, te.started_at, te.started_at
                    FROM mini_agent_observability.tool_executions te, mini_agent_observability.rollup_bounds(top_errors.since, top_errors.until) b
                   WHERE NOT te.success AND te.started_at >= b.h1 AND te.started_at < top_errors.until) x
           WHERE mini_agent_observability.use_rollups(top_errors.since, top_errors.until)
           GROUP BY x.message_key, x.tool_name) m
   GROUP BY m.message_key
   ORDER BY sum(m.n) DESC, max(m.last_seen) DESC
   LIMIT top_errors.max_rows)
$$;

-- Every tool execution of the window together (053's tool_totals, the same figures): the
-- percentiles read the 'tool_total' histograms, one row per bin and hour or day instead of one
-- per tool, category and bin; the rows of the partial end hours are read once (edge), as in
-- tool_stats below.
CREATE OR REPLACE FUNCTION mini_agent_observability.tool_totals(
  since timestamptz,
  until timestamptz DEFAULT 'infinity'
)
RETURNS TABLE (
  executions bigint,
  errors     bigint,
  error_pct  double precision,
  p50_ms     double precision,
  p95_ms     double precision
)
LANGUAGE sql STABLE
AS $$
  WITH edge AS MATERIALIZED (
    SELECT te.success, te.duration_ms
      FROM mini_agent_observability.tool_executions te, mini_agent_observability.rollup_bounds(tool_totals.since, tool_totals.until) b
     WHERE te.started_at >= tool_totals.since AND te.started_at < b.h0
    UNION ALL
    SELECT te.success, te.duration_ms
      FROM mini_agent_observability.tool_executions te, mini_agent_observability.rollup_bounds(tool_totals.since, tool_totals.until) b
     WHERE te.started_at >= b.h1 AND te.started_at < tool_totals.until
  )
  SELECT count(*),
         count(*) FILTER (WHERE NOT te.success),
         100.0::float8 * count(*) FILTER (WHERE NOT te.success) / nullif(count(*), 0),
         percentile_cont(0.5) WITHIN GROUP (ORDER BY te.duration_ms),
         percentile_cont(0.95) WITHIN GROUP (ORDER BY te.duration_ms)
    FROM mini_agent_observability.tool_executions te
   WHERE te.started_at >= tool_totals.since
     AND te.started_at < tool_totals.until
     AND NOT mini_agent_observability.use_rollups(tool_totals.since, tool_totals.until)
  HAVING NOT mini_agent_observability.use_rollups(tool_totals.since, tool_totals.until)
  UNION ALL
  SELECT t.executions, t.executions - t.successes, 100.0::float8 * (t.executions - t.successes) / nullif(t.executions, 0), p.p50, p.p95
    FROM (SELECT coalesce(sum(x.executions), 0)::bigint AS executions, coalesce(sum(x.successes), 0)::bigint AS successes
            FROM (SELECT r.executions, r.successes
                    FROM mini_agent_observability.tool_rollup r, mini_agent_observability.rollup_bounds(tool_totals.since, tool_totals.until) b
                   WHERE r.hour >= b.h0 AND r.hour < b.h1
                  UNION ALL
                  SELECT 1, CASE WHEN e.success THEN 1 ELSE 0 END FROM edge e) x) t,
         (SELECT mini_agent_observability.histogram_percentile(array_agg(h.bin ORDER BY h.bin), array_agg(h.n ORDER BY h.bin), 0.5) AS p50, mini_agent_observability.histogram_percentile(array_agg(h.bin ORDER BY h.bin), array_agg(h.n ORDER BY h.bin), 0.95) AS p95
            FROM (SELECT y.bin, sum(y.n)::bigint AS n
                    FROM (SELECT lh.subject, lh.bin, lh.n
                    FROM mini_agent_observability.latency_histogram lh, mini_agent_observability.rollup_bounds(tool_totals.since, tool_totals.until) b
                    WHERE lh.kind = 'tool_total' AND lh.grain = 'day' AND lh.bucket_start >= b.d0 AND lh.bucket_start < b.d1
                  UNION ALL
                  SELECT lh.subject, lh.bin, lh.n
                    FROM mini_agent_observability.latency_histogram lh, mini_agent_observability.rollup_bounds(tool_totals.since, tool_totals.until) b
                    WHERE lh.kind = 'tool_total' AND lh.grain = 'hour' AND lh.bucket_start >= b.h0 AND lh.bucket_start < b.d0
                  UNION ALL
                  SELECT lh.subject, lh.bin, lh.n
                    FROM mini_agent_observability.latency_histogram lh, mini_agent_observability.rollup_bounds(tool_totals.since, tool_totals.until) b
                    WHERE lh.kind = 'tool_total' AND lh.grain = 'hour' AND lh.bucket_start >= b.d1 AND lh.bucket_start < b.h1
                  UNION ALL
                  SELECT NULL, mini_agent_observability.latency_bin(e.duration_ms), 1 FROM edge e) y (subject, bin, n)
                   GROUP BY 1 HAVING sum(y.n) > 0) h) p
   WHERE mini_agent_observability.use_rollups(tool_totals.since, tool_totals.until)
$$;

-- Per tool (053's tool_stats, the same figures): the rows of the partial hours at the ends of a
-- long window are read once (edge) for both the counts and the histograms; 053 read them twice,
-- and a nearly full first hour is ~10,000 rows at 1M sessions a month.
CREATE OR REPLACE FUNCTION mini_agent_observability.tool_stats(
  since timestamptz,
  until timestamptz DEFAULT 'infinity'
)
RETURNS TABLE (
  tool_name   text,
  category    text,
  executions  bigint,
  successes   bigint,
  errors      bigint,
  success_pct double precision,
  error_pct   double precision,
  avg_ms      double precision,
  p50_ms      double precision,
  p95_ms      double precision,
  max_ms      double precision,
  first_at    timestamptz,
  last_at     timestamptz
)
LANGUAGE sql STABLE
AS $$
  WITH edge AS MATERIALIZED (
    SELECT te.tool_name, te.category, te.success, te.duration_ms, te.started_at
      FROM mini_agent_observability.tool_executions te, mini_agent_observability.rollup_bounds(tool_stats.since, tool_stats.until) b
     WHERE te.started_at >= tool_stats.since AND te.started_at < b.h0
    UNION ALL
    SELECT te.tool_name, te.category, te.success, te.duration_ms, te.started_at
      FROM mini_agent_observability.tool_executions te, mini_agent_observability.rollup_bounds(tool_stats.since, tool_stats.until) b
     WHERE te.started_at >= b.h1 AND te.started_at < tool_stats.until
  )
  SELECT te.tool_name,
         te.category,
         count(*),
         count(*) FILTER (WHERE te.success),
         count(*) FILTER (WHERE NOT te.success),
         100.0::float8 * count(*) FILTER (WHERE te.success) / count(*),
         100.0::float8 * count(*) FILTER (WHERE NOT te.success) / count(*),
         avg(te.duration_ms),
         percentile_cont(0.5) WITHIN GROUP (ORDER BY te.duration_ms),
         percentile_cont(0.95) WITHIN GROUP (ORDER BY te.duration_ms),
         max(te.duration_ms),
         min(te.started_at),
         max(te.started_at)
    FROM mini_agent_observability.tool_executions te
   WHERE te.started_at >= tool_stats.since
     AND te.started_at < tool_stats.until
     AND NOT mini_agent_observability.use_rollups(tool_stats.since, tool_stats.until)
   GROUP BY te.tool_name, te.category
  UNION ALL
  SELECT t.tool_name, t.category, t.executions, t.successes, t.executions - t.successes,
         100.0::float8 * t.successes / t.executions, 100.0::float8 * (t.executions - t.successes) / t.executions,
         t.sum_ms / t.executions, p.p50, p.p95, t.max_ms, t.first_at, t.last_at
    FROM (SELECT x.tool_name, x.category, sum(x.executions)::bigint AS executions, sum(x.successes)::bigint AS successes,
                 sum(x.sum_ms) AS sum_ms, max(x.max_ms) AS max_ms, min(x.first_at) AS first_at, max(x.last_at) AS last_at
            FROM (SELECT r.tool_name, r.category, r.executions, r.successes, r.sum_ms, r.max_ms, r.first_at, r.last_at
                    FROM mini_agent_observability.tool_rollup r, mini_agent_observability.rollup_bounds(tool_stats.since, tool_stats.until) b
                   WHERE r.hour >= b.h0 AND r.hour < b.h1
                  UNION ALL
                  SELECT e.tool_name, e.category, 1, CASE WHEN e.success THEN 1 ELSE 0 END, e.duration_ms, e.duration_ms, e.started_at, e.started_at
                    FROM edge e) x
           GROUP BY x.tool_name, x.category
          HAVING sum(x.executions) > 0) t
    LEFT JOIN (SELECT h.subject AS tool_name, h.subject2 AS category,
                      mini_agent_observability.histogram_percentile(array_agg(h.bin ORDER BY h.bin), array_agg(h.n ORDER BY h.bin), 0.5) AS p50,
                      mini_agent_observability.histogram_percentile(array_agg(h.bin ORDER BY h.bin), array_agg(h.n ORDER BY h.bin), 0.95) AS p95
                 FROM (SELECT y.subject, y.subject2, y.bin, sum(y.n)::bigint AS n
                         FROM (SELECT lh.subject, lh.subject2, lh.bin, lh.n
                                 FROM mini_agent_observability.latency_histogram lh, mini_agent_observability.rollup_bounds(tool_stats.since, tool_stats.until) b
                                WHERE lh.kind = 'tool' AND lh.grain = 'day' AND lh.bucket_start >= b.d0 AND lh.bucket_start < b.d1
                               UNION ALL
                               SELECT lh.subject, lh.subject2, lh.bin, lh.n
                                 FROM mini_agent_observability.latency_histogram lh, mini_agent_observability.rollup_bounds(tool_stats.since, tool_stats.until) b
                                WHERE lh.kind = 'tool' AND lh.grain = 'hour' AND lh.bucket_start >= b.h0 AND lh.bucket_start < b.d0
                               UNION ALL
                               SELECT lh.subject, lh.subject2, lh.bin, lh.n
                                 FROM mini_agent_observability.latency_histogram lh, mini_agent_observability.rollup_bounds(tool_stats.since, tool_stats.until) b
                                WHERE lh.kind = 'tool' AND lh.grain = 'hour' AND lh.bucket_start >= b.d1 AND lh.bucket_start < b.h1
                               UNION ALL
                               SELECT e.tool_name, e.category, mini_agent_observability.latency_bin(e.duration_ms), 1
                                 FROM edge e) y (subject, subject2, bin, n)
                        GROUP BY 1, 2, 3 HAVING sum(y.n) > 0) h
                GROUP BY 1, 2) p
      ON p.tool_name = t.tool_name AND p.category = t.category
   WHERE mini_agent_observability.use_rollups(tool_stats.since, tool_stats.until)
$$;
