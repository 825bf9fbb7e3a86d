-- Supabase layer for the partitioned layout (sql/090–092).
--
--   partitioning      what layout each big table has: read by service_role (and so by
--                     mini_agent_writer), as schema_migrations is; changed by the owner only.
--   the functions and the procedure partition_tables()
--                     the tables' owner only: converting, making and dropping partitions is the
--                     owner's job (the `postgres` user, as pg_cron jobs run on Supabase), never an
--                     API role's. partition_mirror() runs as the owner inside a writer's insert
--                     while a table is being converted: a trigger needs no EXECUTE right.
--   partitions        made by the owner with no grant, and row-level security enabled as on their
--                     table: an API role reads a partitioned table through the table and its
--                     policies, and nothing through a partition.
--
-- Idempotent; runs on PostgreSQL 15 and PGlite (18). Depends on 021, 033 and 090–092.

ALTER TABLE mini_agent_observability.partitioning ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON mini_agent_observability.partitioning FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON mini_agent_observability.partitioning TO service_role;
DROP POLICY IF EXISTS mini_agent_service_role_read ON mini_agent_observability.partitioning;
CREATE POLICY mini_agent_service_role_read ON mini_agent_observability.partitioning
  FOR SELECT TO service_role USING (true);

REVOKE ALL ON FUNCTION
  mini_agent_observability.partition_start(text, timestamptz),
  mini_agent_observability.partition_width(text),
  mini_agent_observability.table_partitions(regclass),
  mini_agent_observability.make_partition(regclass, text, text, text, timestamptz),
  mini_agent_observability.create_partitions(interval, timestamptz),
  mini_agent_observability.partition_mirror(),
  mini_agent_observability.partition_begin(text, text, timestamptz),
  mini_agent_observability.partition_copy(text, timestamptz, timestamptz),
  mini_agent_observability.partition_finish(text, text),
  mini_agent_observability.rollup_forget(text, regclass),
  mini_agent_observability.partition_holds_kept_rows(regclass, timestamptz),
  mini_agent_observability.prune_partition(interval, timestamptz)
FROM PUBLIC, anon, authenticated, service_role;
REVOKE ALL ON PROCEDURE mini_agent_observability.partition_tables(text, timestamptz) FROM PUBLIC, anon, authenticated, service_role;
