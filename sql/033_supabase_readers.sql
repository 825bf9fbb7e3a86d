-- Supabase layer, part 3: readers are granted, not assumed.
--
-- On Supabase, `authenticated` is anyone with a session: open e-mail sign-up and anonymous
-- sign-ins included. Agent telemetry holds prompts, tool inputs and file contents, so from here on
-- a signed-in request reads only when its user is a reader:
--   * a row in mini_agent_observability.readers (user id -> 'reader' | 'admin'), managed by the
--     owner or service_role:
--       INSERT INTO mini_agent_observability.readers (user_id) SELECT id FROM auth.users WHERE email = 'you@example.com';
--   * or the claim app_metadata.mini_agent_role = 'reader' | 'admin' in the user's JWT (only the
--     server side can set app_metadata; user_metadata, which users edit themselves, is ignored).
-- An anonymous sign-in (claim is_anonymous = true) never reads, whatever else it carries.
--
-- Tenancy (mini_agent_observability.access_settings.tenancy, set by `migrate --tenancy`):
--   'project' (default)  a reader reads every row;
--   'user'               a reader reads only the sessions whose traces.user_id is their own user
--                        id; every other table is filtered through its trace id. An admin reads
--                        everything in both modes.
--
-- The decision is made once per statement: each policy calls reader_scope() inside a scalar
-- subquery, which PostgreSQL evaluates once (an InitPlan) instead of once per row.
--
-- On a plain PostgreSQL server or PGlite without Supabase's `auth` schema, auth.uid() and
-- auth.jwt() are created here, reading `request.jwt.claims` the way Supabase's do (PostgREST sets
-- it on every request), so the policies mean the same everywhere. An existing `auth` schema (on
-- Supabase) is left exactly as it is.
--
-- Idempotent; runs on PostgreSQL 15 and PGlite (18). Depends on 001, 011, 020 and 021.

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = 'auth') THEN
    CREATE SCHEMA auth;
    GRANT USAGE ON SCHEMA auth TO anon, authenticated, service_role;
  END IF;
  IF to_regprocedure('auth.jwt()') IS NULL THEN
    CREATE FUNCTION auth.jwt() RETURNS jsonb LANGUAGE sql STABLE
      SET search_path = ''
      AS $body$
        SELECT coalesce(nullif(current_setting('request.jwt.claim', true), ''),
                        nullif(current_setting('request.jwt.claims', true), ''))::jsonb
      $body$;
  END IF;
  IF to_regprocedure('auth.uid()') IS NULL THEN
    CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE
      SET search_path = ''
      AS $body$
        SELECT coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''),
                        nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')::uuid
      $body$;
  END IF;
END
$$;

-- Who reads. Managed by the owner (SQL editor) or service_role; no API role but service_role may
-- see it (it says who can read the telemetry).
CREATE TABLE IF NOT EXISTS mini_agent_observability.readers (
  user_id  uuid PRIMARY KEY,                    -- auth.users.id
  role     text NOT NULL DEFAULT 'reader',      -- reader | admin
  note     text,
  added_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT readers_role_check CHECK (role IN ('reader', 'admin'))
);

-- One row: how far a reader reads.
CREATE TABLE IF NOT EXISTS mini_agent_observability.access_settings (
  singleton  boolean PRIMARY KEY DEFAULT true,
  tenancy    text NOT NULL DEFAULT 'project',   -- project | user
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT access_settings_singleton_check CHECK (singleton),
  CONSTRAINT access_settings_tenancy_check CHECK (tenancy IN ('project', 'user'))
);
INSERT INTO mini_agent_observability.access_settings (singleton) VALUES (true) ON CONFLICT DO NOTHING;

-- A user deleted from Supabase Auth stops being a reader.
DO $$
BEGIN
  IF to_regclass('auth.users') IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conname = 'readers_user_id_fkey'
                       AND conrelid = 'mini_agent_observability.readers'::regclass) THEN
    ALTER TABLE mini_agent_observability.readers
      ADD CONSTRAINT readers_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users (id) ON DELETE CASCADE;
  END IF;
END
$$;

-- What the current request may read: 'all', 'own' (its own sessions), or NULL (nothing).
-- SECURITY DEFINER so it can read `readers` and `access_settings`, which API roles cannot;
-- search_path is empty and every name is qualified, so a caller cannot redirect it.
CREATE OR REPLACE FUNCTION mini_agent_observability.reader_scope()
RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  claims  jsonb := auth.jwt();
  uid     uuid := auth.uid();
  granted text;
BEGIN
  IF uid IS NULL OR coalesce((claims ->> 'is_anonymous')::boolean, false) THEN
    RETURN NULL;
  END IF;
  SELECT r.role INTO granted FROM mini_agent_observability.readers r WHERE r.user_id = uid;
  IF granted IS NULL AND claims -> 'app_metadata' ->> 'mini_agent_role' IN ('reader', 'admin') THEN
    granted := claims -> 'app_metadata' ->> 'mini_agent_role';
  END IF;
  IF granted IS NULL THEN
    RETURN NULL;
  END IF;
  IF granted = 'admin'
     OR (SELECT s.tenancy FROM mini_agent_observability.access_settings s WHERE s.singleton) IS DISTINCT FROM 'user' THEN
    RETURN 'all';
  END IF;
  RETURN 'own';
END
$$;
-- Every function of the schema, including any added after 021 listed them: callable by the two
-- API roles that have a use for them, not by PUBLIC or anon. They run with the caller's rights
-- (reader_scope() excepted), so a non-reader gets empty results from them.
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA mini_agent_observability FROM PUBLIC, anon;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA mini_agent_observability TO authenticated, service_role;

-- The new read policies replace 021's `USING (true)`.
DO $$
DECLARE
  table_name text;
  own_rows   text;
BEGIN
  FOREACH table_name IN ARRAY ARRAY['traces', 'tool_executions', 'performance_metrics',
                                    'decisions', 'spans', 'generations', 'alert_thresholds'] LOOP
    own_rows := CASE table_name
      WHEN 'traces' THEN 'user_id = (SELECT auth.uid())::text'
      -- Rules are configuration, not anyone's session: every reader reads them.
      WHEN 'alert_thresholds' THEN 'true'
      -- Span tables have no user of their own: a row belongs to the user of its trace.
      ELSE 'trace_id IN (SELECT t.id FROM mini_agent_observability.traces t'
           ' WHERE t.user_id = (SELECT auth.uid())::text)'
    END;
    EXECUTE format('DROP POLICY IF EXISTS mini_agent_authenticated_read ON mini_agent_observability.%I', table_name);
    EXECUTE format('DROP POLICY IF EXISTS mini_agent_reader_read ON mini_agent_observability.%I', table_name);
    EXECUTE format('CREATE POLICY mini_agent_reader_read ON mini_agent_observability.%I FOR SELECT TO authenticated'
                   ' USING ((SELECT mini_agent_observability.reader_scope()) = ''all'''
                   ' OR ((SELECT mini_agent_observability.reader_scope()) = ''own'' AND %s))', table_name, own_rows);
  END LOOP;
END
$$;

-- The tenancy filter looks traces up by user.
CREATE INDEX IF NOT EXISTS traces_user_id_idx ON mini_agent_observability.traces (user_id);

-- readers and access_settings: RLS on, service_role manages them, nobody else sees them.
DO $$
DECLARE
  table_name text;
BEGIN
  FOREACH table_name IN ARRAY ARRAY['readers', 'access_settings'] LOOP
    EXECUTE format('ALTER TABLE mini_agent_observability.%I ENABLE ROW LEVEL SECURITY', table_name);
    EXECUTE format('REVOKE ALL ON mini_agent_observability.%I FROM PUBLIC, anon, authenticated, service_role', table_name);
    EXECUTE format('DROP POLICY IF EXISTS mini_agent_service_role_manage ON mini_agent_observability.%I', table_name);
    EXECUTE format('CREATE POLICY mini_agent_service_role_manage ON mini_agent_observability.%I'
                   ' FOR ALL TO service_role USING (true) WITH CHECK (true)', table_name);
  END LOOP;
END
$$;
GRANT SELECT, INSERT, UPDATE, DELETE ON mini_agent_observability.readers TO service_role;
GRANT SELECT, UPDATE ON mini_agent_observability.access_settings TO service_role;

-- For the Data API with the secret key (the schema itself is not exposed by default).
CREATE OR REPLACE VIEW public.mini_agent_readers WITH (security_invoker = true) AS
  SELECT * FROM mini_agent_observability.readers;
REVOKE ALL ON public.mini_agent_readers FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.mini_agent_readers TO service_role;

-- A writer that is a member of service_role checks the applied migrations before writing
-- (`mini-agent-otel serve --no-migrate` needs nothing more).
-- (The table is migrate()'s bookkeeping: absent when these files are pasted into an SQL editor.)
DO $$
BEGIN
  IF to_regclass('mini_agent_observability.schema_migrations') IS NOT NULL THEN
    GRANT SELECT ON mini_agent_observability.schema_migrations TO service_role;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM mini_agent_observability.readers) THEN
    RAISE NOTICE USING MESSAGE =
      'mini-agent: signed-in users no longer read telemetry unless they are readers. Add each reader once: '
      'INSERT INTO mini_agent_observability.readers (user_id) SELECT id FROM auth.users WHERE email = ''you@example.com''; '
      '(or set app_metadata.mini_agent_role = ''reader'' on the user). See docs/supabase.md.';
  END IF;
END
$$;
