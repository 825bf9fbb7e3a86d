import type { Queryable } from './database.js';
import { SCHEMA } from './tables.js';

/** SQLSTATE 42501: the user lacks a privilege the statement needs. */
export const INSUFFICIENT_PRIVILEGE = '42501';

/**
 * Why the database is not ready for rows: a migration could not be applied, or (without
 * migrating) migrations are missing. Keeps the driver's SQLSTATE so it is classified like any
 * database error, and says whether the same rows can be written once an operator acts.
 */
export class MigrationError extends Error {
  readonly code: string | undefined;
  /**
   * `insufficient_privilege` when the user may not migrate, `not_migrated` when migrations are
   * missing, `changed_file` when a file applied before has changed since.
   */
  readonly reason: 'insufficient_privilege' | 'not_migrated' | 'changed_file' | 'failed';
  constructor(message: string, reason: MigrationError['reason'], options: { cause?: unknown; code?: string | undefined } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.reason = reason;
    this.code = options.code;
  }
}

/** The SQLSTATE a driver error carries, if any. */
export function sqlStateOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * The privilege a refused statement needed, in the words a database owner grants it, read from
 * PostgreSQL's message ("permission denied for database postgres", "must be owner of table x").
 */
export function missingPrivilege(message: string): string {
  const denied = /permission denied for (database|schema|table|relation|view|function|sequence) "?([^\s"]+)"?/i.exec(message);
  if (denied) {
    const [, kind, name] = denied as unknown as [string, string, string];
    const lower = kind.toLowerCase();
    if (lower === 'database' || lower === 'schema') return `CREATE on ${lower} ${name}`;
    if (lower === 'function') return `EXECUTE on function ${name}`;
    return `SELECT on ${name.includes('.') ? name : `${SCHEMA}.${name}`}`;
  }
  const owner = /must be owner of (\w+) "?([^\s"]+)"?/i.exec(message);
  if (owner) return `ownership of ${owner[1]} ${owner[2]}`;
  if (/permission denied to create role/i.test(message)) return 'CREATEROLE';
  return 'a privilege it lacks';
}

/** The user and database a connection runs as, for an error message; `undefined` when they cannot be read. */
export async function whoAmI(db: Queryable): Promise<{ user: string; database: string } | undefined> {
  try {
    const [row] = await db.query('SELECT current_user AS "user", current_database() AS "database"');
    return row ? { user: String(row.user), database: String(row.database) } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One line for a user that may not migrate: who, which privilege, what is pending, and the two
 * ways out (migrate as the owner, or skip migrating once the schema is there).
 */
export function privilegeErrorMessage(input: {
  readonly message: string;
  readonly user: string | undefined;
  readonly pending: readonly string[];
  readonly supabase: boolean;
}): string {
  const who = input.user ? `user "${input.user}"` : 'this user';
  const pending =
    input.pending.length > 0
      ? `${input.pending.length} migration${input.pending.length === 1 ? ' is' : 's are'} not applied (${pendingList(input.pending)})`
      : 'the migration bookkeeping is not there yet';
  return (
    `${who} lacks ${missingPrivilege(input.message)} (${input.message}); ${pending}. ` +
    `Apply them once as the database owner (mini-agent-otel migrate${input.supabase ? ' --supabase' : ''}), ` +
    'then run the writer with --no-migrate (MINI_AGENT_MIGRATE=false, or migrate: false)'
  );
}

/** The pending files by name, the first and the last few of a long list: the whole line must stay short enough to be read (and is cut at 500 characters). */
function pendingList(pending: readonly string[]): string {
  if (pending.length <= 4) return pending.join(', ');
  return `${pending.slice(0, 2).join(', ')}, … ${pending.length - 3} more …, ${pending[pending.length - 1]}`;
}
