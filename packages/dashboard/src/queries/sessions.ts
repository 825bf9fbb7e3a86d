import type { Query } from '../read-only-database.js';
import { sinceParam, untilParam, type TimeWindow } from '../time-window.js';
import { S, type SessionStatsRow } from './rows.js';
import { likePattern, searchCondition, searchPlan } from './search.js';

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

/** Longest search text kept from the URL. */
const MAX_QUERY = 200;

/**
 * A page of sessions, newest first. The page's traces are picked from the `traces` table (the same
 * window rule as `session_stats`), then each row is `session_stats` itself, called on a window of
 * one instant around that trace: the figures are the function's, and the page costs 50 lookups
 * rather than aggregating every tool of the window.
 */
export async function loadSessions(query: Query, window: TimeWindow, filter: SessionFilter): Promise<SessionsData> {
  // The search, when there is one, is its own condition (not `$6 = '' OR …`), so the planner can
  // join the matching trace ids rather than test every trace of the window.
  const search = filter.q ? searchCondition(await searchPlan(query, filter.q), 6) : 'true';
  const where = `coalesce(t.started_at, t.inserted_at) >= $1 AND coalesce(t.started_at, t.inserted_at) < $2
     AND ($3::text = '' OR t.agent_name = $3) AND ($4::text = '' OR t.user_id = $4) AND ($5::text = '' OR t.session_id = $5)
     AND ${STATUS_CONDITION[filter.status]}
     AND ${search}`;
  const params = [sinceParam(window), untilParam(window), filter.agent, filter.user, filter.session, ...(filter.q ? [likePattern(filter.q)] : [])];
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
    // Control characters never come from a search box; a newline could also match across the
    // columns the search joins with newlines.
    q: (params.get('q') ?? '').replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, MAX_QUERY),
    status: status === 'failed' || status === 'ok' || status === 'running' ? status : 'any',
    page: Number.isFinite(page) && page > 0 && page < 10_000 ? page : 0,
  };
}
