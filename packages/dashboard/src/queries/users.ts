import { loadUserScoreStats, type ScoreStatsRow } from './scores.js';
import type { Query } from '../read-only-database.js';
import { sinceParam, untilParam, type TimeWindow } from '../time-window.js';
import { S, type SessionStatsRow } from './rows.js';
import { loadSessions } from './sessions.js';

/** A row of `user_stats(since, until)` (sql/041_user_stats.sql). */
export interface UserStatsRow {
  user_id: string;
  sessions: number;
  complete_sessions: number;
  failed_sessions: number;
  /** 100 × failed / complete; `null` without a complete session. */
  failed_pct: number | null;
  tool_calls: number;
  failed_tools: number;
  tools_used: string[];
  total_tokens: number;
  first_seen: Date;
  last_seen: Date;
}

/** Users listed on one page of `/users`, most recently seen first. */
export const USERS_LIMIT = 500;

/** The users of the window, most recently seen first. */
export async function loadUsers(query: Query, window: TimeWindow): Promise<UserStatsRow[]> {
  return query<UserStatsRow>(
    `SELECT * FROM ${S}.user_stats($1, $2) ORDER BY last_seen DESC, user_id LIMIT ${USERS_LIMIT}`,
    [sinceParam(window), untilParam(window)],
  );
}

/** One user: their figures and their newest sessions in the window. */
export interface UserDetailData {
  stats: UserStatsRow | undefined;
  sessions: SessionStatsRow[];
  matching: number;
  /** Whether any trace ever named this user (to tell "unknown user" from "quiet window"). */
  everSeen: boolean;
  /** The user's scores per name over the window. */
  scores: ScoreStatsRow[];
}

/** One user's figures (`user_stats` for that user) and their sessions, as the sessions list shows them. */
export async function loadUserDetail(query: Query, window: TimeWindow, userId: string): Promise<UserDetailData> {
  const [stats, sessions, ever, scores] = await Promise.all([
    query<UserStatsRow>(`SELECT * FROM ${S}.user_stats($1, $2) WHERE user_id = $3`, [sinceParam(window), untilParam(window), userId]),
    loadSessions(query, window, { agent: '', user: userId, session: '', status: 'any', q: '', page: 0 }),
    query<{ ever: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${S}.traces WHERE user_id = $1) AS ever`, [userId]),
    loadUserScoreStats(query, window, userId),
  ]);
  return { stats: stats[0], sessions: sessions.rows, matching: sessions.matching, everSeen: ever[0]?.ever === true, scores };
}
