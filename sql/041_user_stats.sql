-- Per user: the figures of the dashboard's users pages, in SQL so any client sees the same numbers.
--
-- user_stats(since, until): one row per `user_id` of the traces in [since, until) (placed as
-- session_stats places them: start time, or insertion time while the session span is missing).
--   sessions, complete_sessions, failed_sessions, failed_pct   as session_totals, for the user
--   tool_calls, failed_tools   tool executions of those traces
--   tools_used                 their distinct tool names, sorted
--   total_tokens               LLM tokens of those traces (generations.total_tokens)
--   first_seen, last_seen      earliest start and latest end (or start) of those traces
CREATE OR REPLACE FUNCTION mini_agent_observability.user_stats(
  since timestamptz,
  until timestamptz DEFAULT 'infinity'
)
RETURNS TABLE (
  user_id           text,
  sessions          bigint,
  complete_sessions bigint,
  failed_sessions   bigint,
  failed_pct        double precision,
  tool_calls        bigint,
  failed_tools      bigint,
  tools_used        text[],
  total_tokens      bigint,
  first_seen        timestamptz,
  last_seen         timestamptz
)
LANGUAGE sql STABLE
AS $$
  WITH tr AS (
    SELECT t.id, t.user_id, t.complete, t.status,
           coalesce(t.started_at, t.inserted_at) AS placed_at,
           coalesce(t.ended_at, t.started_at, t.inserted_at) AS seen_at
      FROM mini_agent_observability.traces t
     WHERE t.user_id IS NOT NULL
       AND coalesce(t.started_at, t.inserted_at) >= user_stats.since
       AND coalesce(t.started_at, t.inserted_at) < user_stats.until
  ),
  per_user AS (
    SELECT tr.user_id,
           count(*) AS sessions,
           count(*) FILTER (WHERE tr.complete) AS complete_sessions,
           count(*) FILTER (WHERE tr.complete AND tr.status = 'error') AS failed_sessions,
           min(tr.placed_at) AS first_seen,
           max(tr.seen_at) AS last_seen
      FROM tr GROUP BY tr.user_id
  ),
  tools AS (
    SELECT tr.user_id, count(*) AS tool_calls, count(*) FILTER (WHERE NOT te.success) AS failed_tools,
           array_agg(DISTINCT te.tool_name ORDER BY te.tool_name) AS tools_used
      FROM tr JOIN mini_agent_observability.tool_executions te ON te.trace_id = tr.id
     GROUP BY tr.user_id
  ),
  tokens AS (
    SELECT tr.user_id, sum(g.total_tokens)::bigint AS total_tokens
      FROM tr JOIN mini_agent_observability.generations g ON g.trace_id = tr.id
     GROUP BY tr.user_id
  )
  SELECT p.user_id, p.sessions, p.complete_sessions, p.failed_sessions,
         100.0::float8 * p.failed_sessions / nullif(p.complete_sessions, 0),
         coalesce(tools.tool_calls, 0), coalesce(tools.failed_tools, 0), coalesce(tools.tools_used, '{}'),
         coalesce(tokens.total_tokens, 0), p.first_seen, p.last_seen
    FROM per_user p
    LEFT JOIN tools ON tools.user_id = p.user_id
    LEFT JOIN tokens ON tokens.user_id = p.user_id
$$;

