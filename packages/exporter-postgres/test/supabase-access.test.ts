// Who may do what on a database set up the way Supabase sets up a project, with requests made the
// way the Data API makes them: every role against every table, view and function, for read,
// insert, update and delete, with the expected answer for each.
import {
  ANON_CLAIMS,
  createSupabasePglite,
  createTestPglite,
  SERVICE_ROLE_CLAIMS,
  startSupabaseProject,
  type AuthUser,
  type SupabaseShapedDatabase,
} from '@mini-agent/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, type MigrateOptions, type MigrationResult } from '../src/index.js';
import { ACCESS_OBJECTS, accessMatrix, seedTwoSessions, SPARE_USER_ID, type AccessObject, type Operation, type Outcome, type Query } from './supabase-objects.js';

interface Backend {
  readonly name: string;
  open(): Promise<{ db: SupabaseShapedDatabase; migrate: (options?: Partial<MigrateOptions>) => Promise<MigrationResult> } | null>;
}

const backends: Backend[] = [
  {
    name: 'a Supabase-shaped PostgreSQL server (postgres is not a superuser)',
    async open() {
      const project = await startSupabaseProject();
      if (!project) return null;
      return { db: project, migrate: (options) => migrate(project.urlAs('postgres'), { supabase: true, ...options }) };
    },
  },
  {
    name: 'PGlite',
    async open() {
      const pglite = await createTestPglite();
      const db = await createSupabasePglite(pglite);
      return { db, migrate: (options) => migrate(pglite, { supabase: true, ...options }) };
    },
  },
];

type Role = 'anon' | 'non-reader' | 'anonymous sign-in' | 'reader' | 'claim reader' | 'admin' | 'service_role' | 'mini_agent_writer';
type Matrix = Record<string, Partial<Record<Operation, Outcome>>>;

const TELEMETRY = (o: AccessObject) => o.kind === 'table' || (o.kind === 'view' && !o.name.endsWith('readers'));
const READERS = (o: AccessObject) => o.name.endsWith('readers');

/**
 * The answer each role must get. `full` is what the owner reads, so "reads everything" means
 * exactly the owner's rows; writes are counted in rows, refusals named.
 */
function expectedMatrix(role: Role, full: Record<string, Outcome>, scope: Outcome): Matrix {
  const matrix: Matrix = {};
  for (const object of ACCESS_OBJECTS) {
    const row: Partial<Record<Operation, Outcome>> = {};
    const readOnlyView = object.kind === 'analytics view';
    for (const operation of ['read', 'insert', 'update', 'delete'] as const) {
      if (!object[operation]) continue;
      row[operation] = expectedOutcome(role, object, operation, full[object.name] ?? null, scope, readOnlyView);
    }
    matrix[object.name] = row;
  }
  return matrix;
}

function expectedOutcome(role: Role, object: AccessObject, operation: Operation, full: Outcome, scope: Outcome, readOnlyView: boolean): Outcome {
  // Deleting and rolling up are the owner's; pure helpers answer alike; rollups are read by readers of every session.
  if (object.kind === 'owner function') return role === 'anon' ? 'denied' : 0;
  if (object.kind === 'helper function') return role === 'anon' ? 'denied' : full;
  if (object.kind === 'rollup table') {
    if (role === 'anon' || operation !== 'read') return 'denied';
    return role === 'non-reader' || role === 'anonymous sign-in' ? 0 : full;
  }
  // A view over a function can never be written; PostgreSQL says so once it can see the view.
  const schemaVisible = role !== 'anon' || object.name.startsWith('public.');
  if (readOnlyView && operation !== 'read') return schemaVisible ? 'read-only' : 'denied';
  if (role === 'anon') return 'denied';
  const writer = role === 'service_role' || role === 'mini_agent_writer';
  if (object.name.endsWith('reader_scope()')) return writer ? null : scope;
  if (!writer) {
    // Signed-in users: reads only, of telemetry only; a non-reader's reads come back empty.
    if (operation !== 'read' || object.kind === 'private table' || READERS(object)) return 'denied';
    const reads = role === 'reader' || role === 'claim reader' || role === 'admin';
    return reads ? full : 0;
  }
  // service_role and its member mini_agent_writer.
  if (TELEMETRY(object)) return operation === 'read' || operation === 'update' ? full : operation === 'insert' ? 1 : 'denied';
  if (READERS(object)) return operation === 'insert' ? 1 : full;
  if (object.name.endsWith('access_settings')) return operation === 'read' || operation === 'update' ? 1 : 'denied';
  if (object.name.endsWith('schema_migrations')) return operation === 'read' ? full : 'denied';
  return operation === 'read' ? full : 'denied';
}

describe.each(backends)('access on $name', (backend) => {
  let db: SupabaseShapedDatabase;
  let users: Record<'mine' | 'theirs' | 'admin' | 'claim' | 'nonReader' | 'anonymous', AuthUser>;
  let full: Record<string, Outcome>;
  let opened: Awaited<ReturnType<Backend['open']>>;

  beforeAll(async () => {
    opened = await backend.open();
    if (!opened) return;
    db = opened.db;
    const first = await opened.migrate();
    // Twice: the second run applies nothing and changes nothing.
    const second = await opened.migrate();
    expect(first.applied.length).toBeGreaterThan(0);
    // No reader yet: the migration says how to add one (and nothing else asks for attention).
    expect(first.notices).toEqual([expect.stringMatching(/^signed-in users no longer read telemetry unless they are readers\. .*INSERT INTO mini_agent_observability\.readers \(user_id\) SELECT id FROM auth\.users WHERE email = 'you@example\.com';/)]);
    expect(second).toMatchObject({ applied: [], notices: [] });
    users = {
      mine: await db.addUser({ email: 'mine@example.com' }),
      theirs: await db.addUser({ email: 'theirs@example.com' }),
      admin: await db.addUser({ email: 'admin@example.com' }),
      claim: await db.addUser({ email: 'claim@example.com', appMetadata: { mini_agent_role: 'reader' } }),
      nonReader: await db.addUser({ email: 'nobody@example.com' }),
      // An anonymous sign-in that somehow carries a reader row and claim still reads nothing.
      anonymous: await db.addUser({ isAnonymous: true, appMetadata: { mini_agent_role: 'admin' } }),
    };
    await db.addUser({ id: SPARE_USER_ID, email: 'spare@example.com' });
    // The documented one-line INSERT, as run in the SQL editor.
    await db.owner("INSERT INTO mini_agent_observability.readers (user_id) SELECT id FROM auth.users WHERE email = 'mine@example.com'");
    await db.owner("INSERT INTO mini_agent_observability.readers (user_id, role) SELECT id, 'admin' FROM auth.users WHERE email = 'admin@example.com'");
    await db.owner('INSERT INTO mini_agent_observability.readers (user_id) VALUES ($1)', [users.anonymous.id]);
    // The documented step that lets the writer log in (trust authentication here; a password on Supabase).
    await db.owner("ALTER ROLE mini_agent_writer WITH LOGIN PASSWORD 'writer-password'");
    await seedTwoSessions(db.owner as Query, { mine: users.mine.id, theirs: users.theirs.id });
    full = {};
    for (const object of ACCESS_OBJECTS) {
      const [row] = await db.owner<{ n: Outcome }>(object.read);
      full[object.name] = row?.n ?? null;
    }
  }, 300_000);
  afterAll(async () => {
    await db?.stop();
  });

  const run = (role: Role) => <T>(work: (query: Query) => Promise<T>): Promise<T> => {
    switch (role) {
      case 'anon':
        return db.request(ANON_CLAIMS, work as never);
      case 'service_role':
        return db.request(SERVICE_ROLE_CLAIMS, work as never);
      case 'mini_agent_writer':
        return db.asLogin('mini_agent_writer', work as never);
      default: {
        const user = { 'non-reader': users.nonReader, 'anonymous sign-in': users.anonymous, reader: users.mine, 'claim reader': users.claim, admin: users.admin }[role];
        return db.request(user.claims, work as never);
      }
    }
  };

  it.runIf(true)('the owner\'s rows are there to be hidden: every telemetry table and view holds some', () => {
    if (!opened) return;
    for (const object of ACCESS_OBJECTS.filter(TELEMETRY)) expect(full[object.name], object.name).toBeGreaterThan(0);
  });

  it('covers every table, view and function of the schema, and every mini_agent_ view of public', async () => {
    if (!opened) return;
    const objects = await db.owner<{ name: string }>(
      `SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'v', 'm', 'p') AND (n.nspname = 'mini_agent_observability' OR (n.nspname = 'public' AND c.relname LIKE 'mini\\_agent\\_%'))
       UNION ALL
       SELECT 'mini_agent_observability.' || p.proname || '()' FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'mini_agent_observability'
`,
    );
    const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    expect(objects.map((o) => o.name).sort(byName)).toEqual(ACCESS_OBJECTS.map((o) => o.name).sort(byName));
  });

  const roles: Role[] = ['anon', 'non-reader', 'anonymous sign-in', 'reader', 'claim reader', 'admin', 'service_role', 'mini_agent_writer'];
  it.each(roles)('%s gets the expected answer for every object and operation', async (role) => {
    if (!opened) return;
    const scope = role === 'reader' || role === 'claim reader' || role === 'admin' ? 'all' : null;
    expect(await accessMatrix(run(role))).toEqual(expectedMatrix(role, full, scope));
  });

  describe('with --tenancy user', () => {
    /** Everything a reader may read, as rows (times of the evaluation itself left out). */
    const readable = ACCESS_OBJECTS.filter((o) => TELEMETRY(o) || o.kind === 'analytics view' || (o.kind === 'function' && !o.name.endsWith('reader_scope()')));
    const contents = async (query: Query) => {
      const seen: Record<string, unknown> = {};
      for (const object of readable) {
        const source = /FROM (.+)$/.exec(object.read)?.[1] as string;
        const row = "to_jsonb(x) - 'window_start' - 'window_end'";
        const [result] = await query<{ rows: unknown }>(`SELECT coalesce(jsonb_agg(${row} ORDER BY (${row})::text), '[]') AS rows FROM (SELECT * FROM ${source}) x`);
        seen[object.name] = result?.rows;
      }
      return seen;
    };
    /** What the owner reads once the sessions of everyone but `keep` are gone. */
    const ownerWithOnly = (keep: string | null) =>
      db.ownerRolledBack(async (query) => {
        const others = `SELECT id FROM mini_agent_observability.traces WHERE user_id IS DISTINCT FROM $1`;
        for (const table of ['tool_executions', 'performance_metrics', 'decisions', 'spans', 'generations', 'scores']) {
          await query(`DELETE FROM mini_agent_observability.${table} WHERE trace_id IN (${others})`, [keep]);
        }
        await query(`DELETE FROM mini_agent_observability.traces WHERE id IN (${others})`, [keep]);
        // A resource is no one's own: it goes with the last span pointing at it.
        await query('DELETE FROM mini_agent_observability.resources WHERE id NOT IN (SELECT resource_id FROM mini_agent_observability.spans WHERE resource_id IS NOT NULL)');
        return contents(query);
      });
    let result: MigrationResult;

    beforeAll(async () => {
      if (!opened) return;
      result = await opened.migrate({ tenancy: 'user' });
    }, 300_000);

    it('is recorded, and a reader is scoped to their own sessions', async () => {
      if (!opened) return;
      expect(result).toMatchObject({ applied: [], tenancy: 'user' });
      const scopes = await Promise.all((['reader', 'claim reader', 'admin', 'non-reader'] as const).map((role) => run(role)((q) => q<{ s: string | null }>('SELECT mini_agent_observability.reader_scope() AS s'))));
      expect(scopes.map((rows) => rows[0]?.s)).toEqual(['own', 'own', 'all', null]);
    });

    it('a reader reads, on every table, view and function, exactly what a database of only their sessions holds', async () => {
      if (!opened) return;
      const mine = await run('reader')(contents);
      const onlyMine = await ownerWithOnly(users.mine.id);
      const everything = await db.ownerRolledBack(contents);
      expect(mine).toEqual(onlyMine);
      // The other user's rows were there to leak on every telemetry table and view.
      // Rules, prices and retention are configuration every reader reads: the same for everyone.
      for (const object of readable.filter(TELEMETRY).filter((o) => !['alert_thresholds', 'model_prices', 'retention'].some((name) => o.name.endsWith(name)))) {
        expect(onlyMine[object.name], object.name).not.toEqual(everything[object.name]);
      }
    });

    it('a reader without sessions of their own reads none; an admin still reads everything', async () => {
      if (!opened) return;
      expect(await run('claim reader')(contents)).toEqual(await ownerWithOnly(null));
      expect(await run('admin')(contents)).toEqual(await db.ownerRolledBack(contents));
    });

    it('switches back with --tenancy project', async () => {
      if (!opened) return;
      expect((await opened.migrate({ tenancy: 'project' })).tenancy).toBe('project');
      expect(await run('reader')(contents)).toEqual(await db.ownerRolledBack(contents));
    });
  });
});
