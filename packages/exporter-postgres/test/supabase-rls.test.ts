import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertTools, newTraceId } from './agent-rows.js';
import { layoutKinds, type Query, runMigrationFilesAgain, type SqlDatabase } from './sql-databases.js';

const tables = ['traces', 'tool_executions', 'performance_metrics', 'decisions', 'spans', 'generations'];
const publicViews = tables.map((table) => `public.mini_agent_${table}`);
const traceId = newTraceId();

/** A signed-in user the server side made a reader (`app_metadata` is not editable by users). */
const READER_CLAIMS = { sub: '7d7d7d7d-0000-4000-8000-000000000001', role: 'authenticated', app_metadata: { mini_agent_role: 'reader' } };

/**
 * Runs `work` as `role` inside a transaction that is rolled back afterwards; `authenticated`
 * requests carry a reader's claims, as the Data API sets them.
 */
const as = <T>(db: SqlDatabase, role: string, work: (query: Query) => Promise<T>) =>
  db.rolledBack(async (query) => {
    await query(`SET LOCAL ROLE ${role}`);
    if (role === 'authenticated') await query("SELECT set_config('request.jwt.claims', $1, true)", [JSON.stringify(READER_CLAIMS)]);
    return work(query);
  });

const insertTrace = (query: Query, target: string, id: string) =>
  query(`INSERT INTO ${target} (id, status, complete) VALUES ($1, 'ok', true)`, [id]);

describe.each(layoutKinds)('the Supabase layer on $name', ({ available, open }) => {
  let db: SqlDatabase;

  beforeAll(async () => {
    if (!available) return;
    db = await open({ supabase: true });
    // Once more, file by file as written: every migration must be a no-op the second time.
    await runMigrationFilesAgain(db, { supabase: true });
    // Rows written by the exporter, which connects as the tables' owner.
    await insertTrace(db.query, 'mini_agent_observability.traces', traceId);
    await insertTools(db.query, [{ traceId, toolName: 'read_file', durationMs: 12, startedAt: new Date() }]);
  });
  afterAll(async () => {
    await db?.close();
  });

  it.skipIf(!available)('anon can read nothing: not the public views, the tables, the analytics nor the alerts', async () => {
    const targets = [
      ...publicViews,
      'mini_agent_observability.traces',
      'public.mini_agent_tool_stats_24h',
      'public.mini_agent_active_alerts',
      'mini_agent_observability.tool_stats(now() - interval \'1 hour\')',
    ];
    for (const target of targets) {
      await expect(as(db, 'anon', (query) => query(`SELECT * FROM ${target}`)), target).rejects.toThrow(/permission denied/);
    }
  });

  it.skipIf(!available)("resources' reader policy still reads the spans table after any conversion", async () => {
    // 084's policy looks resource ids up in spans; converting spans to partitions (095) must make
    // it again against the partitioned table, not leave it on (or fail over) the dropped plain one.
    const rows = await db.query(`
      SELECT p.polname, d.refobjid = 'mini_agent_observability.spans'::regclass AS reads_spans
        FROM pg_catalog.pg_policy p
        JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_policy'::regclass AND d.objid = p.oid
                                   AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid <> p.polrelid
       WHERE p.polrelid = 'mini_agent_observability.resources'::regclass`);
    expect(rows).toEqual([{ polname: 'mini_agent_reader_read', reads_spans: true }]);
  });

  it.skipIf(!available)('anon cannot write', async () => {
    await expect(as(db, 'anon', (query) => insertTrace(query, 'public.mini_agent_traces', newTraceId()))).rejects.toThrow(/permission denied/);
  });

  it.skipIf(!available)('a reader reads the rows through the public views and the tables', async () => {
    const rows = await as(db, 'authenticated', async (query) => ({
      traces: await query('SELECT id FROM public.mini_agent_traces'),
      tools: await query('SELECT tool_name, duration_ms FROM public.mini_agent_tool_executions'),
      table: await query('SELECT id FROM mini_agent_observability.traces'),
      counts: await (async () => {
        const counts: unknown[] = [];
        for (const view of publicViews) counts.push(...(await query(`SELECT count(*) AS n FROM ${view}`)));
        return counts;
      })(),
    }));

    expect(rows.traces).toEqual([{ id: traceId }]);
    expect(rows.tools).toEqual([{ tool_name: 'read_file', duration_ms: 12 }]);
    expect(rows.table).toEqual([{ id: traceId }]);
    // One trace and one tool were written; the other tables are readable and empty.
    expect(rows.counts).toEqual([{ n: 1 }, { n: 1 }, { n: 0 }, { n: 0 }, { n: 0 }, { n: 0 }]);
  });

  it.skipIf(!available)('a reader reads the analytics, the alert rules and the active alerts', async () => {
    const seen = await as(db, 'authenticated', async (query) => ({
      stats: await query('SELECT tool_name, executions FROM public.mini_agent_tool_stats_24h'),
      windowed: await query("SELECT executions FROM mini_agent_observability.tool_stats(now() - interval '1 hour')"),
      rules: await query('SELECT count(*) AS n FROM public.mini_agent_alert_thresholds'),
      alerts: await query('SELECT * FROM public.mini_agent_active_alerts'),
      status: await query('SELECT count(*) AS n FROM mini_agent_observability.alert_status()'),
    }));

    expect(seen.stats).toEqual([{ tool_name: 'read_file', executions: 1 }]);
    expect(seen.windowed).toEqual([{ executions: 1 }]);
    // Six rules: the requirement's four, the score rule and the spend rule, both off until configured.
    expect(seen.rules).toEqual([{ n: 6 }]);
    expect(seen.alerts).toEqual([]);
    expect(seen.status).toEqual([{ n: 4 }]);
  });

  it.skipIf(!available)('a reader cannot insert, update or change the alert rules', async () => {
    const attempts = [
      (query: Query) => insertTrace(query, 'public.mini_agent_traces', newTraceId()),
      (query: Query) => insertTrace(query, 'mini_agent_observability.traces', newTraceId()),
      (query: Query) => query("UPDATE public.mini_agent_traces SET status = 'error'"),
      (query: Query) => query('UPDATE mini_agent_observability.alert_thresholds SET threshold = 0'),
    ];
    for (const attempt of attempts) {
      await expect(as(db, 'authenticated', attempt)).rejects.toThrow(/permission denied/);
    }
  });

  it.skipIf(!available)('service_role inserts and upserts through the public views, but cannot delete', async () => {
    const written = newTraceId();
    const after = await as(db, 'service_role', async (query) => {
      await insertTrace(query, 'public.mini_agent_traces', written);
      await query(
        `INSERT INTO public.mini_agent_traces (id, status, complete) VALUES ($1, 'error', true)
         ON CONFLICT (id) DO UPDATE SET status = excluded.status`,
        [written],
      );
      await query(`INSERT INTO mini_agent_observability.tool_executions
                     (id, trace_id, name, tool_name, category, success, started_at, ended_at, duration_ms)
                   VALUES ('00000000000000aa', $1, 'grep', 'grep', 'core', true, now(), now(), 3)`, [written]);
      return query('SELECT id, status FROM public.mini_agent_traces WHERE id = $1', [written]);
    });
    expect(after).toEqual([{ id: written, status: 'error' }]);

    await expect(as(db, 'service_role', (query) => query('DELETE FROM public.mini_agent_traces'))).rejects.toThrow(/permission denied/);
  });

  it.skipIf(!available)('the public views apply the caller\'s row-level security (security_invoker)', async () => {
    // Without the read policy RLS hides every row from a reader, even through a view.
    const visible = await db.rolledBack(async (query) => {
      await query('DROP POLICY mini_agent_reader_read ON mini_agent_observability.traces');
      await query('SET LOCAL ROLE authenticated');
      await query("SELECT set_config('request.jwt.claims', $1, true)", [JSON.stringify(READER_CLAIMS)]);
      return query('SELECT id FROM public.mini_agent_traces');
    });

    expect(visible).toEqual([]);
  });

  it.skipIf(!available)('every table has row-level security and exactly its two policies', async () => {
    const rows = await db.query<{ table: string; rls: boolean; policies: number }>(
      `SELECT c.relname AS table, c.relrowsecurity AS rls,
              (SELECT count(*)::int FROM pg_policies p WHERE p.schemaname = n.nspname AND p.tablename = c.relname) AS policies
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'mini_agent_observability' AND c.relname = ANY($1)
        ORDER BY c.relname`,
      [[...tables, 'alert_thresholds']],
    );

    expect(rows).toHaveLength(tables.length + 1);
    expect(rows.every((row) => row.rls && row.policies === 2)).toBe(true);
  });

  it.skipIf(!available)('every public view is security_invoker', async () => {
    const rows = await db.query<{ view: string; options: string[] | null }>(
      `SELECT c.relname AS view, c.reloptions AS options
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'v' AND c.relname LIKE 'mini\\_agent\\_%'`,
    );

    expect(rows.map((row) => row.view)).toEqual(expect.arrayContaining(publicViews.map((view) => view.slice('public.'.length))));
    expect(rows.filter((row) => !(row.options ?? []).includes('security_invoker=true'))).toEqual([]);
  });
});
