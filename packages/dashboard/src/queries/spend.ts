import type { Query } from '../read-only-database.js';
import { sinceParam, untilParam, type TimeWindow } from '../time-window.js';
import { S } from './rows.js';

// What the LLM calls of a window cost, from the functions of sql/060_cost.sql. USD sums come back
// as float8 (the functions sum numeric) so the pages print and test the SQL's own figures.

/** Spend of the window together. `unpriced` calls are left out of `cost_usd`, never counted as $0. */
export interface SpendTotals {
  cost_usd: number;
  generations: number;
  unpriced: number;
}

/** One model: spend, tokens per kind (`cost_by_model`), and time to first token (`ttft_by_model`). */
export interface ModelSpendRow {
  model: string | null;
  provider: string | null;
  generations: number;
  unpriced: number;
  uncached_input_tokens: number;
  cache_read_tokens: number;
  cache_creation_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  cost_usd: number;
  streamed: number;
  ttft_p50_ms: number | null;
  ttft_p95_ms: number | null;
}

/** One bar of the spend-over-time chart. */
export interface SpendBucket {
  bucket: Date;
  cost_usd: number;
}

/** A model that could not be priced (`unpriced_models`). */
export interface UnpricedRow {
  model: string | null;
  provider: string | null;
  reason: string;
  generations: number;
  last_seen: Date;
}

/** One session run's spend (`cost_by_session`). */
export interface SessionSpendRow {
  trace_id: string;
  session_id: string | null;
  user_id: string | null;
  agent_name: string | null;
  started_at: Date;
  generations: number;
  unpriced: number;
  cost_usd: number;
}

/** Everything the spend page shows. */
export interface SpendData {
  totals: SpendTotals;
  models: ModelSpendRow[];
  buckets: SpendBucket[];
  unpriced: UnpricedRow[];
  sessions: SessionSpendRow[];
}

/** Buckets are aligned as the overview's are. */
const BUCKET_ORIGIN = '2000-01-01T00:00:00Z';
/** The costliest sessions the page lists. */
export const COSTLIEST_SESSIONS = 20;

/** The spend of the window: totals and per model (their sums), over time, unpriced models, costliest sessions. */
export async function loadSpend(query: Query, window: TimeWindow): Promise<SpendData> {
  const w = [sinceParam(window), untilParam(window)];
  const [models, buckets, unpriced, sessions] = await Promise.all([
    query<ModelSpendRow>(
      `SELECT c.model, c.provider, c.generations, c.unpriced, c.uncached_input_tokens, c.cache_read_tokens, c.cache_creation_tokens,
              c.output_tokens, c.reasoning_tokens, c.cost_usd::float8 AS cost_usd,
              coalesce(t.streamed, 0) AS streamed, t.p50_ms AS ttft_p50_ms, t.p95_ms AS ttft_p95_ms
         FROM ${S}.cost_by_model($1, $2) c
         LEFT JOIN ${S}.ttft_by_model($1, $2) t ON t.model IS NOT DISTINCT FROM c.model AND t.provider IS NOT DISTINCT FROM c.provider
        ORDER BY c.cost_usd DESC, c.generations DESC, c.model`,
      w,
    ),
    query<SpendBucket>(
      `SELECT date_bin($3::interval, started_at, $4::timestamptz) AS bucket, coalesce(sum(cost_usd), 0)::float8 AS cost_usd
         FROM ${S}.generations WHERE started_at >= $1 AND started_at < $2 GROUP BY 1 ORDER BY 1`,
      [...w, window.bucket, BUCKET_ORIGIN],
    ),
    query<UnpricedRow>(`SELECT * FROM ${S}.unpriced_models($1, $2) ORDER BY generations DESC, model`, w),
    query<SessionSpendRow>(
      `SELECT trace_id, session_id, user_id, agent_name, started_at, generations, unpriced, cost_usd::float8 AS cost_usd
         FROM ${S}.cost_by_session($1, $2) ORDER BY cost_usd DESC, started_at DESC LIMIT ${COSTLIEST_SESSIONS}`,
      w,
    ),
  ]);
  return { totals: totalsOf(models), models, buckets, unpriced, sessions };
}

/** The window's totals only (the overview's figure). */
export async function loadSpendTotals(query: Query, window: TimeWindow): Promise<SpendTotals> {
  const rows = await query<{ cost_usd: number; generations: number; unpriced: number }>(
    `SELECT c.cost_usd::float8 AS cost_usd, c.generations, c.unpriced FROM ${S}.cost_by_model($1, $2) c`,
    [sinceParam(window), untilParam(window)],
  );
  return totalsOf(rows);
}

/** What each LLM call of one trace cost, by generation id. */
export async function loadGenerationCosts(query: Query, traceId: string): Promise<Map<string, { cost_usd: number | null; reason: string | null; source: string | null }>> {
  const rows = await query<{ id: string; cost_usd: number | null; reason: string | null; source: string | null }>(
    `SELECT id, cost_usd::float8 AS cost_usd, cost_details->>'reason' AS reason, cost_details->>'source' AS source
       FROM ${S}.generations WHERE trace_id = $1`,
    [traceId],
  );
  return new Map(rows.map((r) => [r.id, r]));
}

/** Spend per user of the window (`cost_by_user`), by user id. */
export async function loadUserSpend(query: Query, window: TimeWindow, userId?: string): Promise<Map<string, { cost_usd: number; unpriced: number }>> {
  const rows = await query<{ user_id: string; cost_usd: number; unpriced: number }>(
    `SELECT user_id, cost_usd::float8 AS cost_usd, unpriced FROM ${S}.cost_by_user($1, $2)${userId === undefined ? '' : ' WHERE user_id = $3'}`,
    userId === undefined ? [sinceParam(window), untilParam(window)] : [sinceParam(window), untilParam(window), userId],
  );
  return new Map(rows.map((r) => [r.user_id, r]));
}

function totalsOf(rows: readonly { cost_usd: number; generations: number; unpriced: number }[]): SpendTotals {
  return rows.reduce<SpendTotals>(
    (t, r) => ({ cost_usd: t.cost_usd + Number(r.cost_usd), generations: t.generations + Number(r.generations), unpriced: t.unpriced + Number(r.unpriced) }),
    { cost_usd: 0, generations: 0, unpriced: 0 },
  );
}
