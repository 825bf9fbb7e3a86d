import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { maskDatabaseUrl } from '@mini-agent/exporter-postgres';
import postgres from 'postgres';
import { passwordOf } from './data-source.js';
import { SEARCH_INDEXES } from './queries/search.js';
import { S } from './queries/rows.js';

/** The SQL that builds the search indexes (shipped with this package), for psql or an SQL editor. */
export const SEARCH_INDEXES_SQL = fileURLToPath(new URL('../sql/search-indexes.sql', import.meta.url));

/** What {@link createSearchIndexes} or {@link dropSearchIndexes} left in place. */
export interface SearchIndexesResult {
  /** The database, printable (password masked). */
  readonly target: string;
  /** The search indexes that exist now. */
  readonly indexes: string[];
  /** Why an index could not be built (no pg_trgm, no privilege to create it), in the server's words. */
  readonly notices: string[];
  readonly millis: number;
}

/**
 * Builds the trigram indexes that make the dashboard's search fast on a PostgreSQL server or
 * Supabase ({@link SEARCH_INDEXES_SQL}; idempotent). Opt-in: every row written afterwards costs
 * its trigram extraction. Needs the right to create the pg_trgm extension (or it installed) and
 * to create indexes on the tables (their owner).
 * @throws an Error naming the database (password masked) when it cannot be reached or refuses.
 */
export async function createSearchIndexes(databaseUrl: string): Promise<SearchIndexesResult> {
  return withConnection(databaseUrl, async (sql, notices) => {
    await sql.unsafe(readFileSync(SEARCH_INDEXES_SQL, 'utf8'));
    return notices;
  });
}

/** Drops the search indexes: writes get cheaper, and the search scans the window again. */
export async function dropSearchIndexes(databaseUrl: string): Promise<SearchIndexesResult> {
  return withConnection(databaseUrl, async (sql, notices) => {
    for (const name of SEARCH_INDEXES) await sql.unsafe(`DROP INDEX IF EXISTS ${S}.${name}`);
    return notices;
  });
}

async function withConnection(
  databaseUrl: string,
  work: (sql: postgres.Sql, notices: string[]) => Promise<string[]>,
): Promise<SearchIndexesResult> {
  const started = performance.now();
  const notices: string[] = [];
  const target = maskDatabaseUrl(databaseUrl);
  const sql = postgres(databaseUrl, {
    max: 1,
    connect_timeout: 10,
    onnotice: (notice) => {
      if (typeof notice.message === 'string' && notice.message.startsWith('mini-agent: ')) notices.push(notice.message.slice('mini-agent: '.length));
    },
  });
  try {
    await work(sql, notices);
    const rows = await sql.unsafe<{ indexname: string }[]>(
      `SELECT indexname FROM pg_indexes WHERE schemaname = '${S}' AND indexname IN (${SEARCH_INDEXES.map((n) => `'${n}'`).join(', ')}) ORDER BY 1`,
    );
    return { target, indexes: rows.map((r) => r.indexname), notices, millis: performance.now() - started };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const password = passwordOf(databaseUrl);
    throw new Error(`${target}: ${password ? message.split(password).join('***') : message}`, { cause: error });
  } finally {
    await sql.end({ timeout: 5 });
  }
}
