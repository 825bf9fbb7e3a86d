import { count, decimal, NONE, utc } from '../format.js';
import type { Query } from '../read-only-database.js';
import { jsonRow } from '../rows.js';
import type { Column } from '../text-table.js';

// The report's spend sections: what LLM calls cost over the window, from the cost functions of
// sql/060_cost.sql (cost_by_model, cost_by_session, unpriced_models, ttft_by_model). Costs are
// USD as the SQL sums them (numeric, read as a JSON number); unpriced calls are never counted as $0.

/** Spend of one model (`cost_by_model`) with its time to first token (`ttft_by_model`). */
export interface ModelSpend {
  model: string | null;
  provider: string | null;
  generations: number;
  /** Calls that could not be priced: left out of `costUsd`. */
  unpriced: number;
  uncachedInputTokens: number;
  cacheReadTokens: number;
  cacheCreationTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  costUsd: number;
  /** Streamed calls (a first-token time known) and their p50/p95 time to first token, in ms. */
  streamed: number;
  ttftP50Ms: number | null;
  ttftP95Ms: number | null;
}

/** Spend of one session run (`cost_by_session`). */
export interface SessionSpend {
  traceId: string;
  sessionId: string | null;
  userId: string | null;
  agentName: string | null;
  startedAt: string | null;
  generations: number;
  unpriced: number;
  costUsd: number;
}

/** A model that could not be priced, with why (`unpriced_models`): add it to `model_prices`. */
export interface UnpricedModel {
  model: string | null;
  provider: string | null;
  reason: string;
  generations: number;
  lastSeen: string;
}

/** The report's `spend` section. `sessions` holds the `limit` costliest runs. */
export interface Spend {
  totalUsd: number;
  generations: number;
  unpricedGenerations: number;
  models: ModelSpend[];
  sessions: SessionSpend[];
  unpriced: UnpricedModel[];
}

const S = 'mini_agent_observability';
const WINDOW = '$1::timestamptz, $2::timestamptz';

/** Reads the spend of `[since, until)` (params `$1`, `$2`); `limit` caps the session list. */
export async function readSpend(query: Query, params: string[], limit: number): Promise<Spend> {
  const rows = async <T>(text: string, extra: (number | string)[] = []) => (await query(text, [...params, ...extra])).map((row) => jsonRow<T>(row));
  const models = await rows<ModelSpend>(
    `SELECT c.model, c.provider, c.generations, c.unpriced, c.uncached_input_tokens, c.cache_read_tokens, c.cache_creation_tokens,
            c.output_tokens, c.reasoning_tokens, c.cost_usd::float8 AS cost_usd,
            coalesce(t.streamed, 0) AS streamed, t.p50_ms AS ttft_p50_ms, t.p95_ms AS ttft_p95_ms
       FROM ${S}.cost_by_model(${WINDOW}) c
       LEFT JOIN ${S}.ttft_by_model(${WINDOW}) t ON t.model IS NOT DISTINCT FROM c.model AND t.provider IS NOT DISTINCT FROM c.provider
      ORDER BY c.cost_usd DESC, c.generations DESC, c.model NULLS LAST, c.provider NULLS LAST`,
  );
  const sessions = await rows<SessionSpend>(
    `SELECT trace_id, session_id, user_id, agent_name, started_at, generations, unpriced, cost_usd::float8 AS cost_usd
       FROM ${S}.cost_by_session(${WINDOW}) ORDER BY cost_usd DESC, started_at DESC, trace_id LIMIT $3`,
    [limit],
  );
  const unpriced = await rows<UnpricedModel>(
    `SELECT model, provider, reason, generations, last_seen FROM ${S}.unpriced_models(${WINDOW})
      ORDER BY generations DESC, model NULLS LAST, provider NULLS LAST, reason`,
  );
  const sum = (pick: (m: ModelSpend) => number) => models.reduce((total, m) => total + Number(pick(m)), 0);
  return { totalUsd: sum((m) => m.costUsd), generations: sum((m) => m.generations), unpricedGenerations: sum((m) => m.unpriced), models, sessions, unpriced };
}

/** USD with enough digits for a single cheap call (a gpt-4o-mini call is a few hundredths of a cent). */
export function usd(value: number | null): string {
  if (value === null) return NONE;
  if (value === 0) return '$0';
  return value >= 1 ? `$${value.toFixed(2)}` : `$${value.toPrecision(3)}`;
}

const right = 'right' as const;
const MODEL_SPEND: Column<ModelSpend>[] = [
  { header: 'model', cell: (r) => r.model ?? NONE },
  { header: 'provider', cell: (r) => r.provider ?? NONE },
  { header: 'calls', cell: (r) => count(r.generations), align: right },
  { header: 'unpriced', cell: (r) => count(r.unpriced), align: right },
  { header: 'input', cell: (r) => count(r.uncachedInputTokens), align: right },
  { header: 'cache read', cell: (r) => count(r.cacheReadTokens), align: right },
  { header: 'cache write', cell: (r) => count(r.cacheCreationTokens), align: right },
  { header: 'output', cell: (r) => count(r.outputTokens), align: right },
  { header: 'reasoning', cell: (r) => count(r.reasoningTokens), align: right },
  { header: 'cost', cell: (r) => usd(r.costUsd), align: right },
  { header: 'ttft p50 ms', cell: (r) => decimal(r.ttftP50Ms), align: right },
  { header: 'ttft p95 ms', cell: (r) => decimal(r.ttftP95Ms), align: right },
];
const sessionSpend = (traceIdLength: number): Column<SessionSpend>[] => [
  { header: 'started (UTC)', cell: (r) => utc(r.startedAt) },
  { header: 'trace', cell: (r) => r.traceId.slice(0, traceIdLength) },
  { header: 'user', cell: (r) => r.userId ?? NONE },
  { header: 'calls', cell: (r) => count(r.generations), align: right },
  { header: 'unpriced', cell: (r) => count(r.unpriced), align: right },
  { header: 'cost', cell: (r) => usd(r.costUsd), align: right },
];
const UNPRICED: Column<UnpricedModel>[] = [
  { header: 'model', cell: (r) => r.model ?? NONE },
  { header: 'provider', cell: (r) => r.provider ?? NONE },
  { header: 'why', cell: (r) => r.reason },
  { header: 'calls', cell: (r) => count(r.generations), align: right },
  { header: 'last seen (UTC)', cell: (r) => utc(r.lastSeen) },
];

/** The spend sections for people: totals, per model, the costliest sessions, the unpriced models. */
export function spendSections(
  spend: Spend,
  table: <R>(columns: readonly Column<R>[], rows: readonly R[]) => string[],
  traceIdLength: number,
): { title: string; lines: string[] }[] {
  if (spend.generations === 0) return [{ title: 'Spend', lines: ['No LLM calls in this window.'] }];
  const unpricedNote = spend.unpricedGenerations > 0 ? ` (${count(spend.unpricedGenerations)} calls unpriced, not counted: see below)` : '';
  const out = [
    { title: 'Spend', lines: [`${usd(spend.totalUsd)} over ${count(spend.generations)} LLM calls${unpricedNote}.`] },
    { title: 'Spend per model', lines: table(MODEL_SPEND, spend.models) },
    { title: 'Costliest sessions', lines: spend.sessions.length > 0 ? table(sessionSpend(traceIdLength), spend.sessions) : ['No session runs with LLM calls in this window.'] },
  ];
  if (spend.unpriced.length > 0) {
    out.push({ title: 'Unpriced models (add them to model_prices, see docs/cost.md)', lines: table(UNPRICED, spend.unpriced) });
  }
  return out;
}
