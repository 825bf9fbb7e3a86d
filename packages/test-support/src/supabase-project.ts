import { randomUUID } from 'node:crypto';
import type { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { findPostgresBinaries, startThrowawayPostgres, type ThrowawayPostgres } from './throwaway-postgres.js';

/** Runs one statement with `$1`-style parameters and returns its rows. */
export type SupabaseQuery = <Row = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<Row[]>;

/** The claims of a request's JWT, as Supabase Auth and the API keys carry them. */
export type JwtClaims = Record<string, unknown> & { readonly role: string };

/** A user of the project's Auth, as sign-up (or an anonymous sign-in) creates them. */
export interface AuthUser {
  readonly id: string;
  readonly email: string | null;
  /** The claims of a session of this user (what PostgREST puts in `request.jwt.claims`). */
  readonly claims: JwtClaims;
}

/**
 * A PostgreSQL server set up the way Supabase sets up a project (its init scripts, paraphrased):
 * the bootstrap superuser is `supabase_admin`; `postgres`, whom the connection string logs in as,
 * is an ordinary role with CREATEROLE and BYPASSRLS; anon / authenticated / service_role are
 * NOLOGIN NOINHERIT roles (service_role with BYPASSRLS) that `authenticator`, PostgREST's login,
 * switches to per request; objects `postgres` creates in `public` are granted to every API role by
 * default privileges; the `auth` schema holds `auth.users`, `auth.uid()` and `auth.jwt()` reading
 * `request.jwt.claims`.
 */
export interface SupabaseProject extends SupabaseShapedDatabase {
  readonly server: ThrowawayPostgres;
  /** The project database as `user` (trust authentication: no password). */
  urlAs(user: string): string;
}

/** What a Supabase-shaped database offers a test, on a server or on PGlite. */
export interface SupabaseShapedDatabase {
  /** Runs statements as the superuser (what Supabase's platform does, not a project's user). */
  readonly admin: SupabaseQuery;
  /** Runs statements as `postgres`, the project's owner: what the exporter and the SQL editor run as. */
  readonly owner: SupabaseQuery;
  /** Signs a user up (`isAnonymous`: an anonymous sign-in; `appMetadata`: set by the server side). */
  addUser(options?: { id?: string; email?: string; isAnonymous?: boolean; appMetadata?: Record<string, unknown> }): Promise<AuthUser>;
  /**
   * Runs `work` the way the Data API runs a request: on `authenticator`'s connection, in one
   * transaction that switches to the claims' role and sets `request.jwt.claims` (SET LOCAL), then
   * rolled back, so nothing a request writes outlives it.
   */
  request<T>(claims: JwtClaims, work: (query: SupabaseQuery) => Promise<T>): Promise<T>;
  /** Runs `work` logged in as `user` (no role switch), in a transaction that is rolled back. */
  asLogin<T>(user: string, work: (query: SupabaseQuery) => Promise<T>): Promise<T>;
  /** Runs `work` as `postgres` in a transaction that is rolled back. */
  ownerRolledBack<T>(work: (query: SupabaseQuery) => Promise<T>): Promise<T>;
  stop(): Promise<void>;
}

/** The anon key's claims, and the secret (service_role) key's. */
export const ANON_CLAIMS: JwtClaims = { role: 'anon', iss: 'supabase' };
export const SERVICE_ROLE_CLAIMS: JwtClaims = { role: 'service_role', iss: 'supabase' };

const POSTGRES_ROLE = `
CREATE ROLE postgres LOGIN CREATEDB CREATEROLE REPLICATION BYPASSRLS;
GRANT ALL ON DATABASE postgres TO postgres;
GRANT ALL ON SCHEMA public TO postgres;
`;

const API_ROLES = `
CREATE ROLE anon NOLOGIN NOINHERIT;
CREATE ROLE authenticated NOLOGIN NOINHERIT;
CREATE ROLE service_role NOLOGIN NOINHERIT BYPASSRLS;
CREATE ROLE authenticator LOGIN NOINHERIT;
GRANT anon, authenticated, service_role TO authenticator;
GRANT anon, authenticated, service_role TO postgres WITH ADMIN OPTION;
ALTER ROLE anon SET statement_timeout = '3s';
ALTER ROLE authenticated SET statement_timeout = '8s';
`;

const AUTH_SCHEMA = (authOwner: string) => `
GRANT USAGE ON SCHEMA public TO postgres, anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON TABLES TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON FUNCTIONS TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON SEQUENCES TO anon, authenticated, service_role;

CREATE SCHEMA auth AUTHORIZATION ${authOwner};
CREATE TABLE auth.users (
  id                 uuid PRIMARY KEY,
  email              text UNIQUE,
  role               text,
  raw_app_meta_data  jsonb NOT NULL DEFAULT '{}',
  raw_user_meta_data jsonb NOT NULL DEFAULT '{}',
  is_anonymous       boolean NOT NULL DEFAULT false,
  created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE FUNCTION auth.jwt() RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT coalesce(nullif(current_setting('request.jwt.claim', true), ''),
                  nullif(current_setting('request.jwt.claims', true), ''))::jsonb
$$;
CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $$
  SELECT coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''),
                  (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'))::uuid
$$;
CREATE FUNCTION auth.role() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT coalesce(nullif(current_setting('request.jwt.claim.role', true), ''),
                  (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role'))::text
$$;
GRANT USAGE ON SCHEMA auth TO anon, authenticated, service_role;
GRANT ALL ON SCHEMA auth TO postgres;
GRANT ALL ON ALL TABLES IN SCHEMA auth TO postgres;
GRANT ALL ON ALL ROUTINES IN SCHEMA auth TO postgres;
`;

class Rollback extends Error {}

/** Starts a Supabase-shaped server; `null` when this machine has no PostgreSQL binaries. */
export async function startSupabaseProject(): Promise<SupabaseProject | null> {
  const binDir = findPostgresBinaries();
  if (!binDir) return null;
  const server = await startThrowawayPostgres(binDir, { superuser: 'supabase_admin' });
  const urlAs = (user: string) => server.url.replace('supabase_admin@', `${encodeURIComponent(user)}@`);
  const connections = new Map<string, postgres.Sql>();
  const connectionOf = (user: string) => {
    let sql = connections.get(user);
    if (!sql) connections.set(user, (sql = postgres(urlAs(user), { max: 1, onnotice: () => {}, types: { bigint: postgres.BigInt } })));
    return sql;
  };
  const runner = (target: postgres.Sql | postgres.TransactionSql): SupabaseQuery =>
    async (text, params = []) => (await target.unsafe(text, params as postgres.ParameterOrJSON<never>[])).map(numbersOf) as never;
  const rolledBack = async <T>(user: string, work: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> => {
    let result: T | undefined;
    try {
      await connectionOf(user).begin(async (tx) => {
        result = await work(tx);
        throw new Rollback();
      });
    } catch (error) {
      if (!(error instanceof Rollback)) throw error;
    }
    return result as T;
  };
  const admin = runner(connectionOf('supabase_admin'));
  try {
    await connectionOf('supabase_admin').unsafe(POSTGRES_ROLE + API_ROLES + AUTH_SCHEMA('supabase_admin'));
  } catch (error) {
    server.stop();
    throw error;
  }
  return {
    server,
    urlAs,
    admin,
    owner: runner(connectionOf('postgres')),
    ownerRolledBack: (work) => rolledBack('postgres', (tx) => work(runner(tx))),
    addUser: (options) => addUser(admin, options),
    request: (claims, work) =>
      rolledBack('authenticator', async (tx) => {
        await setRequest(runner(tx), claims);
        return work(runner(tx));
      }),
    asLogin: (user, work) => rolledBack(user, (tx) => work(runner(tx))),
    async stop() {
      await Promise.allSettled([...connections.values()].map((sql) => sql.end({ timeout: 5 })));
      server.stop();
    },
  };
}

/**
 * PGlite shaped the same way, as far as one superuser allows: the API roles, `auth.users`,
 * `auth.uid()` and `auth.jwt()`. Its only user, `postgres`, stays a superuser, so requests
 * switch roles with SET LOCAL ROLE as PostgREST does, and a login is a role switch too.
 */
export async function createSupabasePglite(pglite: PGlite): Promise<SupabaseShapedDatabase> {
  await pglite.exec(API_ROLES + AUTH_SCHEMA('postgres'));
  const runner = (target: Pick<PGlite, 'query'>): SupabaseQuery => async (text, params = []) => (await target.query<Record<string, unknown>>(text, params)).rows.map(numbersOf) as never;
  const rolledBack = async <T>(role: string | undefined, claims: JwtClaims | undefined, work: (query: SupabaseQuery) => Promise<T>): Promise<T> => {
    let result: T | undefined;
    try {
      await pglite.transaction(async (tx) => {
        if (claims) await setRequest(runner(tx), claims);
        else if (role) await tx.query(`SELECT set_config('role', $1, true)`, [role]);
        result = await work(runner(tx));
        throw new Rollback();
      });
    } catch (error) {
      if (!(error instanceof Rollback)) throw error;
    }
    return result as T;
  };
  const admin = runner(pglite);
  return {
    admin,
    owner: admin,
    ownerRolledBack: (work) => rolledBack(undefined, undefined, work),
    addUser: (options) => addUser(admin, options),
    request: (claims, work) => rolledBack(undefined, claims, work),
    asLogin: (user, work) => rolledBack(user, undefined, work),
    async stop() {
      await pglite.close();
    },
  };
}

/** What PostgREST sets at the start of each request's transaction. */
async function setRequest(query: SupabaseQuery, claims: JwtClaims): Promise<void> {
  await query("SELECT set_config('search_path', 'public, extensions', true), set_config('role', $1, true), set_config('request.jwt.claims', $2, true)", [
    claims.role, JSON.stringify(claims),
  ]);
}

async function addUser(admin: SupabaseQuery, options: { id?: string; email?: string; isAnonymous?: boolean; appMetadata?: Record<string, unknown> } = {}): Promise<AuthUser> {
  const id = options.id ?? randomUUID();
  const email = options.isAnonymous ? null : (options.email ?? `${id.slice(0, 8)}@example.com`);
  const appMetadata = { provider: options.isAnonymous ? 'anonymous' : 'email', ...options.appMetadata };
  await admin('INSERT INTO auth.users (id, email, role, raw_app_meta_data, is_anonymous) VALUES ($1, $2, $3, $4::jsonb, $5)', [
    id, email, 'authenticated', JSON.stringify(appMetadata), options.isAnonymous ?? false,
  ]);
  const claims: JwtClaims = {
    iss: 'supabase', sub: id, aud: 'authenticated', role: 'authenticated', email: email ?? '',
    app_metadata: appMetadata, user_metadata: {}, is_anonymous: options.isAnonymous ?? false, aal: 'aal1', session_id: randomUUID(),
  };
  return { id, email, claims };
}

/** bigint counts as numbers (test counts are far below 2^53), as PGlite returns them. */
function numbersOf(row: Record<string, unknown>): Record<string, unknown> {
  for (const [key, value] of Object.entries(row)) if (typeof value === 'bigint') row[key] = Number(value);
  return row;
}
