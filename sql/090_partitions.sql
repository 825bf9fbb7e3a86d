-- Optional partitioned layout: the big span-derived tables as daily or weekly range partitions on
-- their time column (docs/scaling.md, "Time partitions").
--
-- Nothing changes until someone asks for it: this file only adds the settings table and the
-- functions. `mini-agent-otel migrate --partitioned day|week` (or `CALL
-- mini_agent_observability.partition_tables('day')` in psql, outside a transaction) converts a
-- plain database, filled or empty:
--   * for each table of `partitioning` still plain, a partitioned twin is made LIKE the table
--     (columns, defaults, checks and comments read from the catalog, so columns added or removed
--     by any migration are carried as they are), its primary key extended by the time column (a
--     partitioned table's keys must hold its partition key; a span's start time never changes, so
--     a span delivered twice still has one key and one row), its other indexes re-made;
--   * partitions from the oldest row through `ahead_days` ahead are made, and a DEFAULT partition
--     for rows outside them (a replayed year-old trace, a clock far in the future): no write ever
--     fails for want of a partition;
--   * rows are copied partition range by partition range, each range its own transaction, while
--     agents go on writing: a trigger on the plain table mirrors every insert and delete made
--     after the twin exists into it;
--   * then, in one short transaction that locks the plain table: the two row counts are compared
--     (the conversion stops, changing nothing, if they differ), the names are swapped, the views
--     over the table are re-pointed (same definition and options), its triggers, row-level
--     security policies, grants, owner and index names are given to the twin, and the plain
--     table is dropped.
-- A conversion interrupted half way leaves the plain table in use and whole: running it again
-- starts that table over.
--
-- Keeping partitions ahead: create_partitions() makes the missing ones from the current period
-- through `ahead_days` ahead (a row landed in the DEFAULT partition for a range that gets a
-- partition is moved into it). `prune` calls it on every run, so the usual daily prune job keeps
-- them made; on Supabase the same pg_cron job does (docs/supabase.md).
--
-- Runs on PostgreSQL 15 and PGlite (18); the conversion needs a server or PGlite outside a
-- transaction (it commits between ranges). Depends on 001 and 043.

CREATE TABLE IF NOT EXISTS mini_agent_observability.partitioning (
  table_name  text PRIMARY KEY,
  time_column text NOT NULL,
  grain       text,                              -- NULL: plain; 'day' or 'week' once partitioned
  ahead_days  integer NOT NULL DEFAULT 7,        -- partitions made this far ahead of now
  CONSTRAINT partitioning_grain_check CHECK (grain IS NULL OR grain IN ('day', 'week')),
  CONSTRAINT partitioning_ahead_days_check CHECK (ahead_days BETWEEN 1 AND 366)
);

INSERT INTO mini_agent_observability.partitioning (table_name, time_column) VALUES
  ('spans', 'started_at'),
  ('tool_executions', 'started_at'),
  ('generations', 'started_at'),
  ('decisions', 'decided_at'),
  ('performance_metrics', 'recorded_at')
ON CONFLICT (table_name) DO NOTHING;

-- The start of the period (UTC day, or ISO week from Monday) holding `at`.
CREATE OR REPLACE FUNCTION mini_agent_observability.partition_start(grain text, at timestamptz)
RETURNS timestamptz
LANGUAGE sql IMMUTABLE
SET search_path = ''
AS $$
  SELECT date_trunc(grain, at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
$$;

-- The width of one period.
CREATE OR REPLACE FUNCTION mini_agent_observability.partition_width(grain text)
RETURNS interval
LANGUAGE sql IMMUTABLE
SET search_path = ''
AS $$
  SELECT CASE grain WHEN 'day' THEN interval '1 day' WHEN 'week' THEN interval '7 days' END
$$;

-- The partitions of a partitioned table with their bounds (NULL bounds: the DEFAULT partition).
CREATE OR REPLACE FUNCTION mini_agent_observability.table_partitions(parent regclass)
RETURNS TABLE (partition regclass, range_start timestamptz, range_end timestamptz)
LANGUAGE sql STABLE
SET search_path = ''
AS $$
  SELECT c.oid::regclass,
         (regexp_match(pg_catalog.pg_get_expr(c.relpartbound, c.oid), 'FROM \(''([^'']+)''\)'))[1]::timestamptz,
         (regexp_match(pg_catalog.pg_get_expr(c.relpartbound, c.oid), 'TO \(''([^'']+)''\)'))[1]::timestamptz
    FROM pg_catalog.pg_inherits i
    JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
   WHERE i.inhparent = parent
   ORDER BY 2 NULLS FIRST
$$;

-- Makes the partition of `parent` for the period starting at `start`, named after `base`
-- (`spans_p20261202`), unless it exists. Rows of that period in the DEFAULT partition are moved
-- into it (PostgreSQL refuses a new partition while the DEFAULT one holds rows of its range).
-- Row-level security is enabled on it as on its table: it is only ever read through its table
-- (whose policies apply), and enabled, with no policy, it shows nothing to anyone reading it directly.
CREATE OR REPLACE FUNCTION mini_agent_observability.make_partition(parent regclass, base text, time_column text, grain text, start timestamptz)
RETURNS boolean
LANGUAGE plpgsql VOLATILE
SET search_path = ''
AS $$
DECLARE
  name       text := base || '_p' || to_char(start AT TIME ZONE 'UTC', 'YYYYMMDD');
  range_end  timestamptz := start + mini_agent_observability.partition_width(grain);
  fallback   regclass := to_regclass(format('mini_agent_observability.%I', base || '_default'));
  crowded    boolean := false;
  secure     boolean;
BEGIN
  IF to_regclass(format('mini_agent_observability.%I', name)) IS NOT NULL THEN
    RETURN false;
  END IF;
  SELECT c.relrowsecurity INTO secure FROM pg_catalog.pg_class c WHERE c.oid = parent;
  IF fallback IS NOT NULL THEN
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE %I >= $1 AND %I < $2)', fallback, time_column, time_column)
      INTO crowded USING start, range_end;
  END IF;
  IF crowded THEN
    -- Moved, not deleted: the statement targets the partition, so the table's rollup triggers
    -- (statement triggers of the partitioned table) do not fire and the rollups stay as they are.
    EXECUTE format('CREATE TABLE mini_agent_observability.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE)', name, parent);
    EXECUTE format('WITH moved AS (DELETE FROM %s WHERE %I >= $1 AND %I < $2 RETURNING *) INSERT INTO mini_agent_observability.%I SELECT * FROM moved',
                   fallback, time_column, time_column, name) USING start, range_end;
    EXECUTE format('ALTER TABLE %s ATTACH PARTITION mini_agent_observability.%I FOR VALUES FROM (%L) TO (%L)', parent, name, start, range_end);
  ELSE
    EXECUTE format('CREATE TABLE mini_agent_observability.%I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)', name, parent, start, range_end);
  END IF;
  IF secure THEN
    EXECUTE format('ALTER TABLE mini_agent_observability.%I ENABLE ROW LEVEL SECURITY', name);
  END IF;
  RETURN true;
END
$$;

-- Makes the missing partitions of every partitioned table, from the current period through
-- `ahead_days` (or `ahead`) ahead of `as_of`. Returns how many it made; 0 on a plain database.
CREATE OR REPLACE FUNCTION mini_agent_observability.create_partitions(ahead interval DEFAULT NULL, as_of timestamptz DEFAULT now())
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = ''
AS $$
DECLARE
  spec    record;
  period  timestamptz;
  made    integer := 0;
BEGIN
  FOR spec IN
    SELECT p.*, c.oid::regclass AS parent
      FROM mini_agent_observability.partitioning p
      JOIN pg_catalog.pg_class c ON c.relname = p.table_name AND c.relkind = 'p'
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'mini_agent_observability'
     WHERE p.grain IS NOT NULL
     ORDER BY p.table_name
  LOOP
    period := mini_agent_observability.partition_start(spec.grain, as_of);
    WHILE period < as_of + coalesce(ahead, make_interval(days => spec.ahead_days)) LOOP
      IF mini_agent_observability.make_partition(spec.parent, spec.table_name, spec.time_column, spec.grain, period) THEN
        made := made + 1;
      END IF;
      period := period + mini_agent_observability.partition_width(spec.grain);
    END LOOP;
  END LOOP;
  RETURN made;
END
$$;
