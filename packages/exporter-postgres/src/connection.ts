import { resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { defaultPrepare, maskDatabaseUrl, passwordOf } from './connection-url.js';
import type { Database } from './database.js';
import { openPgliteDatabase, pgliteDatabase, DEFAULT_PGLITE_DIR } from './pglite-database.js';
import { openPostgresDatabase } from './postgres-database.js';

/** Where rows go. With nothing set: `DATABASE_URL`, else `SUPABASE_DB_URL`, else embedded PGlite. */
export interface ConnectionOptions {
  /** A PostgreSQL URL (`postgres://user:password@host:5432/db`). */
  readonly databaseUrl?: string;
  /** PGlite data directory, relative to the working directory; `memory://` for in memory. Default `.mini-agent/pglite`. */
  readonly dataDir?: string;
  /** An open PGlite instance to write into; left open on shutdown. */
  readonly pglite?: PGlite;
  /**
   * Prepared statements. Default: on, except on Supabase's transaction pooler (port 6543 or
   * `pgbouncer=true`), which cannot keep them between transactions.
   */
  readonly prepare?: boolean;
}

/** The database a set of options points at, described before anything is opened. */
export type ResolvedConnection =
  | { readonly kind: 'instance'; readonly pglite: PGlite }
  | { readonly kind: 'url'; readonly url: string; readonly prepare: boolean }
  | { readonly kind: 'pglite'; readonly dataDir: string };

/**
 * Explicit options win over the environment: an instance, then a URL, then a data directory,
 * then `DATABASE_URL` / `SUPABASE_DB_URL`, then the embedded default.
 */
export function resolveConnection(options: ConnectionOptions = {}, env: NodeJS.ProcessEnv = process.env): ResolvedConnection {
  if (options.pglite) return { kind: 'instance', pglite: options.pglite };
  const url = options.databaseUrl || (options.dataDir ? undefined : env.DATABASE_URL || env.SUPABASE_DB_URL);
  if (url) return { kind: 'url', url, prepare: options.prepare ?? defaultPrepare(url) };
  return { kind: 'pglite', dataDir: options.dataDir ?? DEFAULT_PGLITE_DIR };
}

/** Opens the resolved database (PGlite opens here; a server connects on first query). */
export async function openDatabase(connection: ResolvedConnection): Promise<Database> {
  switch (connection.kind) {
    case 'instance':
      return pgliteDatabase(connection.pglite, { owned: false });
    case 'url':
      return openPostgresDatabase({ url: connection.url, prepare: connection.prepare });
    case 'pglite':
      return openPgliteDatabase(connection.dataDir);
  }
}

/** The password to scrub from error text, when the connection has one. */
export function secretOf(connection: ResolvedConnection): string | undefined {
  return connection.kind === 'url' ? passwordOf(connection.url) : undefined;
}


/** Where the rows go, printable (password masked), known before anything is opened. */
export function labelOf(connection: ResolvedConnection): string {
  switch (connection.kind) {
    case 'instance':
      return `PGlite (${connection.pglite.dataDir ?? 'in memory'})`;
    case 'url':
      return maskDatabaseUrl(connection.url);
    case 'pglite':
      return connection.dataDir.startsWith('memory://') ? 'PGlite (in memory)' : `PGlite at ${resolve(connection.dataDir)}`;
  }
}
