-- Converting a plain table to the partitioned layout (what 090_partitions.sql describes): three
-- steps, each one transaction, and the procedure partition_tables() that runs them for every
-- table still plain, committing between them.
--
-- Runs on PostgreSQL 15 and PGlite (18). Depends on 090.

-- The trigger that keeps the twin current while rows are copied: what a statement inserts into
-- (or deletes from) the plain table, it inserts into (deletes from) the twin, `TG_ARGV[0]`. The
-- key join of the delete is `TG_ARGV[1]`. Owner's rights: a writer with least privilege writes
-- into the plain table and has no right on the twin.
CREATE OR REPLACE FUNCTION mini_agent_observability.partition_mirror()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    EXECUTE format('INSERT INTO %s SELECT * FROM new_rows ON CONFLICT DO NOTHING', TG_ARGV[0]);
  ELSE
    EXECUTE format('DELETE FROM %s x USING old_rows o WHERE %s', TG_ARGV[0], TG_ARGV[1]);
  END IF;
  RETURN NULL;
END
$$;

-- Step 1: the twin `<table>_partitioned`, its key, indexes and partitions (from the oldest row,
-- or `since` when earlier, through `ahead_days` ahead), and the mirror triggers. A twin left by an
-- interrupted run is dropped first. Returns the oldest and newest time of the rows to copy (NULL:
-- none), and whether an index leads with the time column (then rows are copied period by period;
-- without one, each period would be a full scan, so the whole table is read once).
CREATE OR REPLACE FUNCTION mini_agent_observability.partition_begin(
  tbl text, grain text, since timestamptz DEFAULT NULL,
  OUT oldest timestamptz, OUT newest timestamptz, OUT indexed boolean)
LANGUAGE plpgsql VOLATILE
SET search_path = ''
AS $$
DECLARE
  spec      mini_agent_observability.partitioning;
  source    regclass := format('mini_agent_observability.%I', tbl)::regclass;
  twin      text := tbl || '_partitioned';
  key_cols  text[];
  idx       record;
  period    timestamptz;
  last_end  timestamptz;
BEGIN
  IF grain IS NULL OR grain NOT IN ('day', 'week') THEN
    RAISE EXCEPTION 'grain must be day or week, got %', grain USING ERRCODE = '22023';
  END IF;
  SELECT * INTO STRICT spec FROM mini_agent_observability.partitioning p WHERE p.table_name = tbl;
  -- What an interrupted run left (checked first: DROP … IF EXISTS would tell psql users it skipped).
  FOR idx IN SELECT t.tgname FROM pg_catalog.pg_trigger t WHERE t.tgrelid = source AND t.tgname LIKE 'mini_agent_partition_mirror_%' LOOP
    EXECUTE format('DROP TRIGGER %I ON %s', idx.tgname, source);
  END LOOP;
  IF to_regclass(format('mini_agent_observability.%I', twin)) IS NOT NULL THEN
    EXECUTE format('DROP TABLE mini_agent_observability.%I', twin);
  END IF;

  SELECT array_agg(a.attname::text ORDER BY k.ord) INTO key_cols
    FROM pg_catalog.pg_index i
    CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k (attnum, ord)
    JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
   WHERE i.indrelid = source AND i.indisprimary;
  IF key_cols IS NULL THEN
    RAISE EXCEPTION 'mini_agent_observability.% has no primary key', tbl;
  END IF;
  IF NOT spec.time_column = ANY (key_cols) THEN
    key_cols := key_cols || spec.time_column;
  END IF;

  EXECUTE format('CREATE TABLE mini_agent_observability.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS'
                 ' INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMMENTS) PARTITION BY RANGE (%I)',
                 twin, source, spec.time_column);
  EXECUTE format('ALTER TABLE mini_agent_observability.%I ADD CONSTRAINT %I PRIMARY KEY (%s)',
                 twin, twin || '_pkey', (SELECT string_agg(format('%I', c), ', ') FROM unnest(key_cols) c));
  EXECUTE format('COMMENT ON TABLE mini_agent_observability.%I IS %L', twin, obj_description(source, 'pg_class'));
  -- The other indexes, as they are defined (under a provisional name until the swap).
  FOR idx IN
    SELECT ic.relname AS name, i.indisunique AS is_unique, pg_catalog.pg_get_indexdef(i.indexrelid) AS definition
      FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
     WHERE i.indrelid = source AND NOT i.indisprimary
  LOOP
    IF idx.is_unique THEN
      RAISE EXCEPTION 'unique index % of % does not hold the time column: it cannot be kept on a partitioned table', idx.name, tbl;
    END IF;
    EXECUTE format('CREATE INDEX %I ON mini_agent_observability.%I %s', left(idx.name, 61) || '_p', twin,
                   substring(idx.definition FROM ' USING .*$'));
  END LOOP;

  EXECUTE format('SELECT min(%1$I), max(%1$I) FROM %2$s', spec.time_column, source) INTO oldest, newest;
  SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_index i JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                  WHERE i.indrelid = source AND a.attname = spec.time_column) INTO indexed;
  period := mini_agent_observability.partition_start(grain, least(oldest, since, now()));
  last_end := now() + make_interval(days => spec.ahead_days);
  WHILE period < last_end LOOP
    PERFORM mini_agent_observability.make_partition(format('mini_agent_observability.%I', twin)::regclass, tbl, spec.time_column, grain, period);
    period := period + mini_agent_observability.partition_width(grain);
  END LOOP;
  EXECUTE format('CREATE TABLE mini_agent_observability.%I PARTITION OF mini_agent_observability.%I DEFAULT', tbl || '_default', twin);

  EXECUTE format('CREATE TRIGGER mini_agent_partition_mirror_insert AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows'
                 ' FOR EACH STATEMENT EXECUTE FUNCTION mini_agent_observability.partition_mirror(%L)',
                 source, format('mini_agent_observability.%I', twin));
  EXECUTE format('CREATE TRIGGER mini_agent_partition_mirror_delete AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows'
                 ' FOR EACH STATEMENT EXECUTE FUNCTION mini_agent_observability.partition_mirror(%L, %L)',
                 source, format('mini_agent_observability.%I', twin),
                 (SELECT string_agg(format('x.%1$I = o.%1$I', c), ' AND ') FROM unnest(key_cols) c));
END
$$;

-- Step 2: copies the rows of [range_start, range_end) into the twin (a NULL bound: unbounded).
-- Rows already there (mirrored meanwhile) are skipped. Returns the rows copied.
CREATE OR REPLACE FUNCTION mini_agent_observability.partition_copy(tbl text, range_start timestamptz, range_end timestamptz)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = ''
AS $$
DECLARE
  time_column text := (SELECT p.time_column FROM mini_agent_observability.partitioning p WHERE p.table_name = tbl);
  copied      bigint;
BEGIN
  EXECUTE format('INSERT INTO mini_agent_observability.%I SELECT * FROM mini_agent_observability.%I'
                 ' WHERE ($1 IS NULL OR %I >= $1) AND ($2 IS NULL OR %I < $2) ON CONFLICT DO NOTHING',
                 tbl || '_partitioned', tbl, time_column, time_column) USING range_start, range_end;
  GET DIAGNOSTICS copied = ROW_COUNT;
  RETURN copied;
END
$$;

-- Step 3: the swap, in one transaction holding the plain table locked: counts compared, views,
-- triggers, policies, grants, owner and names moved to the twin, the plain table dropped.
CREATE OR REPLACE FUNCTION mini_agent_observability.partition_finish(tbl text, grain text)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = ''
AS $$
DECLARE
  source      regclass := format('mini_agent_observability.%I', tbl)::regclass;
  twin        regclass := format('mini_agent_observability.%I', tbl || '_partitioned')::regclass;
  plain_rows  bigint;
  twin_rows   bigint;
  views       text[];
  triggers    text[];
  policies    text[];
  grants      text[];
  indexes     text[];
  statement   text;
  owner_name  text;
  secure      boolean;
  forced      boolean;
  key_comment text;
BEGIN
  EXECUTE format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE', source);
  EXECUTE format('SELECT count(*) FROM %s', source) INTO plain_rows;
  EXECUTE format('SELECT count(*) FROM %s', twin) INTO twin_rows;
  IF plain_rows <> twin_rows THEN
    RAISE EXCEPTION 'mini_agent_observability.%: % rows, its partitioned copy %: nothing was swapped', tbl, plain_rows, twin_rows;
  END IF;

  -- What hangs on the plain table, read before any name changes (definitions name the table).
  -- Views re-read their definition after the swap: the table's name then resolves to the twin.
  -- CREATE OR REPLACE VIEW keeps the view's grants and owner but resets its options: given again.
  SELECT array_agg(format('CREATE OR REPLACE VIEW %s%s AS %s', x.name,
                          CASE WHEN x.options IS NULL THEN '' ELSE ' WITH (' || x.options || ')' END, x.definition) ORDER BY x.name)
    INTO views FROM (
    SELECT DISTINCT vc.oid::regclass::text AS name, pg_catalog.pg_get_viewdef(vc.oid) AS definition,
           array_to_string(vc.reloptions, ', ') AS options
      FROM pg_catalog.pg_depend d
      JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid AND d.classid = 'pg_catalog.pg_rewrite'::regclass
      JOIN pg_catalog.pg_class vc ON vc.oid = r.ev_class
     WHERE d.refobjid = source AND d.refclassid = 'pg_catalog.pg_class'::regclass AND vc.oid <> source) x;
  SELECT array_agg(pg_catalog.pg_get_triggerdef(t.oid) ORDER BY t.tgname) INTO triggers
    FROM pg_catalog.pg_trigger t
   WHERE t.tgrelid = source AND NOT t.tgisinternal AND t.tgname NOT LIKE 'mini_agent_partition_mirror_%';
  -- Policies and grants name the table by the name the twin is about to take.
  SELECT array_agg(format('CREATE POLICY %I ON %s AS %s FOR %s TO %s%s%s', p.polname, source::text,
                          CASE WHEN p.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,
                          CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
                          (SELECT string_agg(CASE WHEN r.oid = 0 THEN 'PUBLIC' ELSE format('%I', pg_catalog.pg_get_userbyid(r.oid)) END, ', ')
                             FROM unnest(p.polroles) AS r (oid)),
                          ' USING (' || pg_catalog.pg_get_expr(p.polqual, p.polrelid) || ')',
                          ' WITH CHECK (' || pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) || ')'))
    INTO policies FROM pg_catalog.pg_policy p WHERE p.polrelid = source;
  SELECT array_agg(format('GRANT %s ON %s TO %s%s', a.privilege_type, source::text,
                          CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE format('%I', pg_catalog.pg_get_userbyid(a.grantee)) END,
                          CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END))
    INTO grants FROM pg_catalog.pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a
   WHERE c.oid = source AND a.grantee <> c.relowner;
  SELECT array_agg(ic.relname::text) INTO indexes
    FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
   WHERE i.indrelid = source AND NOT i.indisprimary;
  SELECT pg_catalog.pg_get_userbyid(c.relowner), c.relrowsecurity, c.relforcerowsecurity INTO owner_name, secure, forced
    FROM pg_catalog.pg_class c WHERE c.oid = source;
  SELECT obj_description(con.oid, 'pg_constraint') INTO key_comment
    FROM pg_catalog.pg_constraint con WHERE con.conrelid = source AND con.contype = 'p';

  EXECUTE format('DROP TRIGGER mini_agent_partition_mirror_insert ON %s', source);
  EXECUTE format('DROP TRIGGER mini_agent_partition_mirror_delete ON %s', source);
  EXECUTE format('ALTER TABLE %s RENAME TO %I', source, tbl || '_plain');
  EXECUTE format('ALTER TABLE %s RENAME TO %I', twin, tbl);

  FOREACH statement IN ARRAY coalesce(views, '{}') || coalesce(triggers, '{}') || coalesce(policies, '{}') || coalesce(grants, '{}') LOOP
    EXECUTE statement;
  END LOOP;
  IF secure THEN EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', twin); END IF;
  IF forced THEN EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', twin); END IF;
  IF owner_name <> current_user THEN
    EXECUTE format('ALTER TABLE %s OWNER TO %I', twin, owner_name);
  END IF;

  -- Fails, undoing all of the above, if anything still depends on the plain table.
  EXECUTE format('DROP TABLE mini_agent_observability.%I', tbl || '_plain');
  EXECUTE format('ALTER TABLE %s RENAME CONSTRAINT %I TO %I', twin, tbl || '_partitioned_pkey', tbl || '_pkey');
  EXECUTE format('COMMENT ON CONSTRAINT %I ON %s IS %L', tbl || '_pkey', twin,
                 concat_ws('; ', key_comment, 'the time column joins the key: the table is partitioned on it'));
  FOREACH statement IN ARRAY coalesce(indexes, '{}') LOOP
    EXECUTE format('ALTER INDEX mini_agent_observability.%I RENAME TO %I', left(statement, 61) || '_p', statement);
  END LOOP;
  UPDATE mini_agent_observability.partitioning p SET grain = partition_finish.grain WHERE p.table_name = tbl;
  RETURN twin_rows;
END
$$;

-- Every table of `partitioning` still plain, converted (090_partitions.sql). Commits between
-- steps, so call it outside a transaction: `CALL mini_agent_observability.partition_tables('day')`.
-- `since`: make partitions from this time on even where no row is yet (for a bulk load of old rows).
-- A table already partitioned is left as it is (its partitions ahead are made). Idempotent.
-- A procedure with COMMIT may not have a SET search_path clause: every name here is qualified,
-- and the work is done by the functions above, which have one.
CREATE OR REPLACE PROCEDURE mini_agent_observability.partition_tables(grain text DEFAULT 'day', since timestamptz DEFAULT NULL)
LANGUAGE plpgsql
AS $$
DECLARE
  tbl    text;
  bounds record;
  period timestamptz;
BEGIN
  IF grain IS NULL OR grain NOT IN ('day', 'week') THEN
    RAISE EXCEPTION 'grain must be day or week, got %', grain USING ERRCODE = '22023';
  END IF;
  FOR tbl IN
    SELECT p.table_name FROM mini_agent_observability.partitioning p
      JOIN pg_catalog.pg_class c ON c.relname = p.table_name AND c.relkind = 'r'
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'mini_agent_observability'
     ORDER BY p.table_name
  LOOP
    SELECT * INTO bounds FROM mini_agent_observability.partition_begin(tbl, grain, since);
    COMMIT;
    IF bounds.oldest IS NOT NULL AND bounds.indexed THEN
      period := mini_agent_observability.partition_start(grain, bounds.oldest);
      WHILE period <= bounds.newest LOOP
        PERFORM mini_agent_observability.partition_copy(tbl, period, period + mini_agent_observability.partition_width(grain));
        COMMIT;
        period := period + mini_agent_observability.partition_width(grain);
      END LOOP;
    ELSIF bounds.oldest IS NOT NULL THEN
      PERFORM mini_agent_observability.partition_copy(tbl, NULL, NULL);
      COMMIT;
    END IF;
    PERFORM mini_agent_observability.partition_finish(tbl, grain);
    COMMIT;
  END LOOP;
  PERFORM mini_agent_observability.create_partitions();
  COMMIT;
END
$$;
