-- Supabase layer, part 4: mini_agent_writer, a least-privilege role for agents and the bridge.
--
-- The connection string Supabase hands out logs in as `postgres`, which can create and drop
-- anything in the project. An agent or `mini-agent-otel serve` only needs to write rows, so this
-- role gets exactly that: it is a member of service_role (SELECT, INSERT and UPDATE on the
-- tables, row-level security policies of service_role, SELECT on schema_migrations) and nothing
-- more: no CREATE on the database or any schema, no DELETE, no BYPASSRLS (role attributes are not
-- inherited from service_role). Migrations stay with the owner; the writer runs with
-- `--no-migrate` (or `MINI_AGENT_MIGRATE=false`).
--
-- It is created without LOGIN and without a password: nobody can log in as it until the
-- project's owner gives it a password of their choosing (docs/supabase.md):
--   ALTER ROLE mini_agent_writer WITH LOGIN PASSWORD '...';
--
-- Creating a role needs CREATEROLE (Supabase's `postgres` has it), and making it a member of
-- service_role needs the right to grant service_role. Where either is missing the migration
-- still succeeds and says, in a NOTICE, what an administrator has to run.
--
-- Idempotent; runs on PostgreSQL 15 and PGlite (18). Depends on 020.

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'mini_agent_writer') THEN
    BEGIN
      CREATE ROLE mini_agent_writer NOLOGIN INHERIT NOCREATEDB NOCREATEROLE NOBYPASSRLS;
    EXCEPTION
      WHEN duplicate_object OR unique_violation THEN
        NULL; -- created by a concurrent migration of another database
      WHEN insufficient_privilege THEN
        RAISE NOTICE USING MESSAGE =
          'mini-agent: mini_agent_writer was not created (this user lacks CREATEROLE). An administrator can run: '
          'CREATE ROLE mini_agent_writer NOLOGIN INHERIT; GRANT service_role TO mini_agent_writer;';
        RETURN;
    END;
  END IF;
  IF NOT pg_catalog.pg_has_role('mini_agent_writer', 'service_role', 'MEMBER') THEN
    BEGIN
      GRANT service_role TO mini_agent_writer;
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE NOTICE USING MESSAGE =
        'mini-agent: mini_agent_writer is not a member of service_role yet (this user may not grant it). '
        'An administrator can run: GRANT service_role TO mini_agent_writer;';
    END;
  END IF;
END
$$;
