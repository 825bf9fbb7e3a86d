import type { Query } from '../read-only-database.js';
import { sinceParam, untilParam, type TimeWindow } from '../time-window.js';
import { S, type SessionStatsRow } from './rows.js';

/** Which sessions the list shows. Empty strings mean "any". */
export interface SessionFilter {
  readonly agent: string;
  readonly user: string;
  /** The conversation (`session_id`) several traces may share. */
  readonly session: string;
  readonly status: SessionStatusFilter;
  /** Text to find in the trace's tool and LLM calls (names, inputs, outputs, errors) or its own name and error. */
  readonly q: string;
  /** 0-based page of {@link PAGE_SIZE} rows. */
  readonly page: number;
}

/** `failed`: the session span ended with ERROR; `ok`: complete and not failed; `running`: its session span has not arrived. */
export type SessionStatusFilter = 'any' | 'failed' | 'ok' | 'running';

/** Rows a sessions page lists. */
export const PAGE_SIZE = 50;

/** The sessions list. */
export interface SessionsData {
  rows: SessionStatsRow[];
  /** Sessions matching the filter in the window. */
  matching: number;
  /** Agents seen in the window, for the filter's choices. */
  agents: string[];
}

const STATUS_CONDITION: Record<SessionStatusFilter, string> = {
  any: 'true',
  failed: "t.status = 'error'",
  ok: "t.complete AND t.status <> 'error'",
  running: 'NOT t.complete',
};

/**
 * The search: a case-insensitive substring of the trace's name or error, or of any tool or LLM
 * call's name, input, output or error (JSON values as their text). Each of the window's traces'
 * calls is looked up by trace id (indexed) and scanned, so the cost follows the window, not the
 * table; there is no text index yet.
 */
// Scalar subqueries, not EXISTS: under OR, PostgreSQL may run an EXISTS as one hashed scan of the
// whole table, which costs the same for an hour as for a month; these run per trace of the window.
const SEARCH_CONDITION = `(t.name ILIKE $6 OR t.status_message ILIKE $6
   OR (SELECT true FROM ${S}.tool_executions te WHERE te.trace_id = t.id
        AND (te.tool_name ILIKE $6 OR te.name ILIKE $6 OR te.input::text ILIKE $6 OR te.output::text ILIKE $6 OR te.error_message ILIKE $6)
        LIMIT 1) IS NOT NULL
   OR (SELECT true FROM ${S}.generations g WHERE g.trace_id = t.id
        AND (g.name ILIKE $6 OR g.input::text ILIKE $6 OR g.output::text ILIKE $6 OR g.error_message ILIKE $6)
        LIMIT 1) IS NOT NULL)`;

/** `value` as a LIKE pattern that matches it literally (the default escape character is backslash). */
function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Longest search text kept from the URL. */
const MAX_QUERY = 200;

/**
 * A page of sessions, newest first. The page's traces are picked from the `traces` table (the same
 * window rule as `session_stats`), then each row is `session_stats` itself, called on a window of
 * one instant around that trace: the figures are the function's, and the page costs 50 lookups
 * rather than aggregating every tool of the window.
 */
export async function loadSessions(query: Query, window: TimeWindow, filter: SessionFilter): Promise<SessionsData> {
  const where = `coalesce(t.started_at, t.inserted_at) >= $1 AND coalesce(t.started_at, t.inserted_at) < $2
     AND ($3::text = '' OR t.agent_name = $3) AND ($4::text = '' OR t.user_id = $4) AND ($5::text = '' OR t.session_id = $5)
     AND ${STATUS_CONDITION[filter.status]}
     AND ($6::text = '' OR ${SEARCH_CONDITION})`;
  const params = [sinceParam(window), untilParam(window), filter.agent, filter.user, filter.session, filter.q ? `%${escapeLike(filter.q)}%` : ''];
  const [rows, count, agents] = await Promise.all([
    query<SessionStatsRow>(
      `WITH page AS (
         SELECT t.id, coalesce(t.started_at, t.inserted_at) AS placed_at
           FROM ${S}.traces t WHERE ${where}
          ORDER BY placed_at DESC, t.id LIMIT ${PAGE_SIZE} OFFSET ${filter.page * PAGE_SIZE}
       )
       SELECT s.* FROM page
        CROSS JOIN LATERAL ${S}.session_stats(page.placed_at, page.placed_at + interval '1 microsecond') s
        WHERE s.trace_id = page.id
        ORDER BY page.placed_at DESC, page.id`,
      params,
    ),
    query<{ n: number }>(`SELECT count(*) AS n FROM ${S}.traces t WHERE ${where}`, params),
    query<{ agent_name: string }>(
      `SELECT DISTINCT agent_name FROM ${S}.traces t
        WHERE coalesce(t.started_at, t.inserted_at) >= $1 AND coalesce(t.started_at, t.inserted_at) < $2 AND agent_name IS NOT NULL
        ORDER BY 1 LIMIT 200`,
      params.slice(0, 2),
    ),
  ]);
  return { rows, matching: count[0]?.n ?? 0, agents: agents.map((a) => a.agent_name) };
}

/** Reads a filter from query parameters; anything unknown means "any". */
export function parseSessionFilter(params: URLSearchParams): SessionFilter {
  const status = params.get('status');
  const page = Number.parseInt(params.get('page') ?? '0', 10);
  return {
    agent: params.get('agent') ?? '',
    user: params.get('user') ?? '',
    session: params.get('session') ?? '',
    q: (params.get('q') ?? '').trim().slice(0, MAX_QUERY),
    status: status === 'failed' || status === 'ok' || status === 'running' ? status : 'any',
    page: Number.isFinite(page) && page > 0 && page < 10_000 ? page : 0,
  };
}
