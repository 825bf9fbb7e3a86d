-- The partition swap keeps the policies of other tables that read the table being converted.
--
-- 091's partition_finish() moved the table's own policies, views, triggers and grants to the
-- partitioned twin, then dropped the plain table. A policy of another table whose condition reads
-- the converted table depends on it too: 084's reader policy on `resources` looks its ids up in
-- `spans`. With the Supabase layer installed, the drop failed ("cannot drop table spans_plain
-- because other objects depend on it") and the conversion of spans was undone: no database with
-- the Supabase layer could be partitioned.
--
-- Redefined: partition_finish(tbl, grain) also reads those policies before the swap (from
-- pg_depend: the catalog knows every expression that names the table), drops them, and makes them
-- again after the rename, where the table's name resolves to the twin. The rest is 091's swap.
-- CREATE OR REPLACE keeps the function's grants (093: the owner's only).
--
-- Idempotent; runs on PostgreSQL 15 and PGlite (18). Depends on 091.

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
  readers     text[];
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
  -- Policies and grants name the table by the name the twin is about to take. The policies are
  -- the table's own and those of other tables that read it (resources' reader policy reads
  -- spans, 084): those are dropped before the swap and made again after it, naming the twin.
  SELECT array_agg(format('CREATE POLICY %I ON %s AS %s FOR %s TO %s%s%s', p.polname, p.polrelid::regclass::text,
                          CASE WHEN p.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,
                          CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
                          (SELECT string_agg(CASE WHEN r.oid = 0 THEN 'PUBLIC' ELSE format('%I', pg_catalog.pg_get_userbyid(r.oid)) END, ', ')
                             FROM unnest(p.polroles) AS r (oid)),
                          ' USING (' || pg_catalog.pg_get_expr(p.polqual, p.polrelid) || ')',
                          ' WITH CHECK (' || pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) || ')')),
         array_agg(format('DROP POLICY %I ON %s', p.polname, p.polrelid::regclass::text)) FILTER (WHERE p.polrelid <> source)
    INTO policies, readers FROM pg_catalog.pg_policy p
   WHERE p.polrelid = source
      OR EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid = 'pg_catalog.pg_policy'::regclass AND d.objid = p.oid
                    AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid = source);
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

  FOREACH statement IN ARRAY coalesce(readers, '{}') LOOP
    EXECUTE statement;
  END LOOP;
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
