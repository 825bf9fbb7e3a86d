-- Trigram indexes for the dashboard's search (sessions page, `?q=`): a case-insensitive substring
-- of a tool call's or LLM call's name, input, output or error, or of the trace's name or error.
-- Not a migration: the indexes are opt-in, because every row written then costs trigram
-- extraction (on 100,000 tool calls written at once, ~15-25x the time of the insert without
-- them, measured on a busy 2-core machine), which a write-heavy agent fleet may not want. Apply with
--
--   npx mini-agent-otel search-indexes            (DATABASE_URL, or --database-url URL)
--   psql "$DATABASE_URL" -f search-indexes.sql    (or Supabase's SQL editor)
--
-- Idempotent. Each index covers one text per row: the searchable columns joined by a newline
-- (JSON values as their text). The dashboard searches with exactly these expressions
-- (packages/dashboard/src/queries/search.ts), so `expression ILIKE '%word%'` is answered from the
-- index for any word of three characters or more, whatever the time window.
--
-- Only where pg_trgm can be used: a PostgreSQL server that ships it (postgresql-contrib, as every
-- Debian, Docker and managed server does) and Supabase (created in its `extensions` schema).
-- Without it, and always on PGlite, the search scans the window's calls instead. PGlite loads
-- contrib extensions per process, only when the opener asks for them: an index built with one
-- would break every other process (the exporter, the CLI, the dashboard's copy) writing or
-- reading that table without it, so none is built there.
--
-- CREATE INDEX holds writes to the table while it builds (56 s for 800,000 tool calls on a busy
-- 2-core machine); to build without blocking writers, run the three statements below by hand
-- with CREATE INDEX CONCURRENTLY.
DO $$
DECLARE
  trgm_schema text;
BEGIN
  IF version() LIKE '%PGlite%' THEN
    RETURN;
  END IF;
  SELECT n.nspname INTO trgm_schema
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
  IF trgm_schema IS NULL THEN
    IF NOT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
      RAISE NOTICE 'mini-agent: pg_trgm is not installed on this server, so the dashboard search scans rows instead of using an index. See "Search" in docs/dashboard.md.';
      RETURN;
    END IF;
    BEGIN
      -- Supabase keeps extensions in their own schema (its advisor flags extensions in public).
      IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'extensions') THEN
        CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA extensions;
      ELSE
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
      END IF;
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE NOTICE 'mini-agent: this user may not create the pg_trgm extension, so the dashboard search scans rows instead of using an index. See "Search" in docs/dashboard.md.';
      RETURN;
    END;
    SELECT n.nspname INTO trgm_schema
      FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
  END IF;

  EXECUTE format(
    $sql$CREATE INDEX IF NOT EXISTS tool_executions_search_idx ON mini_agent_observability.tool_executions
      USING gin ((coalesce(tool_name, '') || E'\n' || coalesce(name, '') || E'\n' || coalesce(input::text, '') || E'\n'
                  || coalesce(output::text, '') || E'\n' || coalesce(error_message, '')) %I.gin_trgm_ops)$sql$,
    trgm_schema);
  EXECUTE format(
    $sql$CREATE INDEX IF NOT EXISTS generations_search_idx ON mini_agent_observability.generations
      USING gin ((coalesce(name, '') || E'\n' || coalesce(input::text, '') || E'\n' || coalesce(output::text, '') || E'\n'
                  || coalesce(error_message, '')) %I.gin_trgm_ops)$sql$,
    trgm_schema);
  EXECUTE format(
    $sql$CREATE INDEX IF NOT EXISTS traces_search_idx ON mini_agent_observability.traces
      USING gin ((coalesce(name, '') || E'\n' || coalesce(status_message, '')) %I.gin_trgm_ops)$sql$,
    trgm_schema);
END $$;
