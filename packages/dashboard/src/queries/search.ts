import type { Query } from '../read-only-database.js';
import { S } from './rows.js';

// What the sessions search looks in: per table, the searchable columns joined by a newline (JSON
// values as their text). These must stay exactly the expressions of sql/search-indexes.sql (this package):
// PostgreSQL uses an expression index only for the same expression. Reading the typed tables
// only (never `spans.attributes`, which need not hold payloads).
const TOOL_TEXT = `(coalesce(te.tool_name, '') || E'\\n' || coalesce(te.name, '') || E'\\n' || coalesce(te.input::text, '') || E'\\n'
  || coalesce(te.output::text, '') || E'\\n' || coalesce(te.error_message, ''))`;
const GENERATION_TEXT = `(coalesce(g.name, '') || E'\\n' || coalesce(g.input::text, '') || E'\\n' || coalesce(g.output::text, '') || E'\\n'
  || coalesce(g.error_message, ''))`;
const traceText = (alias: string) => `(coalesce(${alias}.name, '') || E'\\n' || coalesce(${alias}.status_message, ''))`;

/** The indexes sql/search-indexes.sql (`createSearchIndexes`) builds where pg_trgm is available. */
export const SEARCH_INDEXES = ['generations_search_idx', 'tool_executions_search_idx', 'traces_search_idx'] as const;

/** Fewer characters than this make no trigram: an index cannot narrow such a search. */
const MIN_INDEXED_LENGTH = 3;

/** How a search is run: from the trigram indexes, or by looking through the window's traces. */
export type SearchPlan = 'index' | 'scan';

/** `value` as a LIKE pattern that matches it literally (the default escape character is backslash). */
export function likePattern(value: string): string {
  return `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Picks how to search for `text`: `index` when the trigram indexes exist (a server with pg_trgm),
 * the text is long enough to have trigrams, and row-level security does not apply to the reader;
 * otherwise `scan`. Under row-level security PostgreSQL may not use an index for a condition that
 * is not leakproof (ILIKE is not) ahead of the policies, and the index plan would then read every
 * call of every trace; the window scan stays bounded by the window.
 */
export async function searchPlan(query: Query, text: string): Promise<SearchPlan> {
  if ([...text].length < MIN_INDEXED_LENGTH) return 'scan';
  const [row] = await query<{ indexed: boolean }>(
    `SELECT ${SEARCH_INDEXES.map((name) => `to_regclass('${S}.${name}') IS NOT NULL`).join(' AND ')}
        AND NOT row_security_active('${S}.tool_executions') AND NOT row_security_active('${S}.generations') AS indexed`,
  );
  return row?.indexed === true ? 'index' : 'scan';
}

/**
 * A condition on the traces row `t` that holds when the trace, one of its tool calls or one of its
 * LLM calls contains the pattern in parameter `$param` (made by {@link likePattern}).
 *
 * `index`: the matching trace ids are found first, each table through its trigram index, and the
 * traces are kept by id; the cost follows the matches, not the window. `scan`: each of the
 * window's traces has its calls looked up by trace id and read; the cost follows the window, which
 * is the better plan for a short text (no trigram) or a database without the indexes (PGlite).
 */
export function searchCondition(plan: SearchPlan, param: number): string {
  const p = `$${param}`;
  if (plan === 'index') {
    return `t.id IN (
         SELECT te.trace_id FROM ${S}.tool_executions te WHERE ${TOOL_TEXT} ILIKE ${p}
         UNION SELECT g.trace_id FROM ${S}.generations g WHERE ${GENERATION_TEXT} ILIKE ${p}
         UNION SELECT tr.id FROM ${S}.traces tr WHERE ${traceText('tr')} ILIKE ${p})`;
  }
  // Scalar subqueries, not EXISTS: under OR, PostgreSQL may run an EXISTS as one hashed scan of the
  // whole table, which costs the same for an hour as for a month; these run per trace of the window.
  return `(${traceText('t')} ILIKE ${p}
     OR (SELECT true FROM ${S}.tool_executions te WHERE te.trace_id = t.id AND ${TOOL_TEXT} ILIKE ${p} LIMIT 1) IS NOT NULL
     OR (SELECT true FROM ${S}.generations g WHERE g.trace_id = t.id AND ${GENERATION_TEXT} ILIKE ${p} LIMIT 1) IS NOT NULL)`;
}
