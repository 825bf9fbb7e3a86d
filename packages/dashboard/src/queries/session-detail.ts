import type { Query } from '../read-only-database.js';
import { loadGenerationToolCalls, type GenerationToolCall } from './generation-tool-calls.js';
import { S, type SessionStatsRow } from './rows.js';
import { loadTraceScores, type ScoreRow } from './scores.js';

/** The `traces` row of the session. */
export interface TraceRow {
  id: string;
  session_id: string | null;
  agent_name: string | null;
  agent_version: string | null;
  user_id: string | null;
  user_context: unknown;
  name: string | null;
  status: string;
  status_message: string | null;
  started_at: Date | null;
  ended_at: Date | null;
  input: unknown;
  output: unknown;
  tags: string[];
  environment: string | null;
  complete: boolean;
}

/** A `spans` row. */
export interface SpanRow {
  span_id: string;
  parent_span_id: string | null;
  name: string;
  kind: string;
  status: string;
  status_message: string | null;
  started_at: Date;
  ended_at: Date;
  duration_ms: number;
  attributes: Record<string, unknown>;
  events: unknown[];
}

/** A `tool_executions` row. */
export interface ToolRow {
  id: string;
  parent_span_id: string | null;
  name: string;
  tool_name: string;
  category: string;
  input: unknown;
  output: unknown;
  success: boolean;
  error_message: string | null;
  started_at: Date;
  ended_at: Date;
  duration_ms: number;
}

/** A `generations` row. */
export interface GenerationRow {
  id: string;
  parent_span_id: string | null;
  name: string;
  model: string | null;
  provider: string | null;
  input: unknown;
  output: unknown;
  input_tokens: number | null;
  output_tokens: number | null;
  total_tokens: number | null;
  success: boolean;
  error_message: string | null;
  started_at: Date;
  ended_at: Date;
  duration_ms: number;
}

/** A `decisions` row. */
export interface DecisionRow {
  id: string;
  span_id: string;
  decision_type: string;
  considered_options: unknown;
  chosen: string | null;
  reasoning: string | null;
  decided_at: Date;
}

/** A `performance_metrics` row. */
export interface MetricRow {
  id: string;
  span_id: string;
  metric_type: string;
  metric_value: number | null;
  unit: string | null;
  recorded_at: Date;
}

/** Everything stored about one trace (one agent session run). */
export interface SessionDetailData {
  trace: TraceRow | undefined;
  /** `session_stats` for this trace (duration, tool counts, peak memory), when the trace row exists. */
  stats: SessionStatsRow | undefined;
  spans: SpanRow[];
  tools: ToolRow[];
  generations: GenerationRow[];
  /** Per generation id, the tool calls its output asked for and the tools that ran them. */
  toolCalls: Map<string, GenerationToolCall[]>;
  decisions: DecisionRow[];
  metrics: MetricRow[];
  /** Scores of the run and its spans, newest first. */
  scores: ScoreRow[];
  /** Other runs (traces) of the same conversation, when it has a session id. */
  otherRuns: number;
}

/** Loads one trace by id; every lookup uses the tables' trace_id indexes. */
export async function loadSessionDetail(query: Query, traceId: string): Promise<SessionDetailData> {
  const id = [traceId];
  const [traces, stats, spans, tools, generations, decisions, metrics, toolCalls] = await Promise.all([
    query<TraceRow>(
      `SELECT id, session_id, agent_name, agent_version, user_id, user_context, name, status, status_message,
              started_at, ended_at, input, output, tags, environment, complete
         FROM ${S}.traces WHERE id = $1`,
      id,
    ),
    // session_stats on a window of one instant: the function's own figures for this trace only.
    query<SessionStatsRow>(
      `SELECT s.* FROM ${S}.traces t
        CROSS JOIN LATERAL ${S}.session_stats(coalesce(t.started_at, t.inserted_at), coalesce(t.started_at, t.inserted_at) + interval '1 microsecond') s
        WHERE t.id = $1 AND s.trace_id = $1`,
      id,
    ),
    // spans_full: each span's attributes as sent, with the payloads its typed row holds put back.
    query<SpanRow>(
      `SELECT span_id, parent_span_id, name, kind, status, status_message, started_at, ended_at, duration_ms, attributes, events
         FROM ${S}.spans_full WHERE trace_id = $1 ORDER BY started_at, span_id`,
      id,
    ),
    query<ToolRow>(
      `SELECT id, parent_span_id, name, tool_name, category, input, output, success, error_message, started_at, ended_at, duration_ms
         FROM ${S}.tool_executions WHERE trace_id = $1 ORDER BY started_at, id`,
      id,
    ),
    query<GenerationRow>(
      `SELECT id, parent_span_id, name, model, provider, input, output, input_tokens, output_tokens, total_tokens,
              success, error_message, started_at, ended_at, duration_ms
         FROM ${S}.generations WHERE trace_id = $1 ORDER BY started_at, id`,
      id,
    ),
    query<DecisionRow>(
      `SELECT id, span_id, decision_type, considered_options, chosen, reasoning, decided_at
         FROM ${S}.decisions WHERE trace_id = $1 ORDER BY decided_at, id`,
      id,
    ),
    query<MetricRow>(
      `SELECT id, span_id, metric_type, metric_value, unit, recorded_at
         FROM ${S}.performance_metrics WHERE trace_id = $1 ORDER BY recorded_at, id`,
      id,
    ),
    loadGenerationToolCalls(query, traceId),
  ]);
  const trace = traces[0];
  let otherRuns = 0;
  if (trace?.session_id) {
    const [row] = await query<{ n: number }>(`SELECT count(*) AS n FROM ${S}.traces WHERE session_id = $1 AND id <> $2`, [trace.session_id, traceId]);
    otherRuns = row?.n ?? 0;
  }
  const scores = await loadTraceScores(query, traceId);
  return { trace, stats: stats[0], spans, tools, generations, toolCalls, decisions, metrics, scores, otherRuns };
}
