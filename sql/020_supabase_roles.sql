-- Supabase layer, part 1: the three API roles.
--
-- Supabase projects already have anon (requests with the anon key), authenticated (requests
-- with a user's JWT) and service_role (requests with the service_role key). On a plain
-- PostgreSQL server or PGlite they are created here, without LOGIN, so the policies of
-- 021_supabase_rls.sql mean the same thing everywhere. Existing roles are left exactly as
-- they are (on Supabase, service_role also has BYPASSRLS; the policies do not rely on it).
--
-- Roles belong to the whole server, not one database: two databases migrating at the same time
-- may both try to create a role, so the loser's "already exists" is ignored.
--
-- Idempotent; runs on PostgreSQL 15 and PGlite (18).

DO $$
DECLARE
  role_name text;
BEGIN
  FOREACH role_name IN ARRAY ARRAY['anon', 'authenticated', 'service_role'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = role_name) THEN
      BEGIN
        EXECUTE format('CREATE ROLE %I NOLOGIN NOINHERIT', role_name);
      EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL; -- created by a concurrent migration of another database
      END;
    END IF;
  END LOOP;
END
$$;
