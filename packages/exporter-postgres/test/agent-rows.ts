// Row builders for the SQL suites: datasets with known latencies, failures and memory samples,
// written straight into the core tables so the analytics are checked against numbers the test chose.
import { randomBytes } from 'node:crypto';
import type { Query } from './sql-databases.js';

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
/** A fresh OTel-shaped trace id (32 hex). */
export const newTraceId = () => hex(16);

/** A time `ms` milliseconds after `base`. */
export const at = (base: Date, ms: number) => new Date(base.getTime() + ms);

/** Inserts rows into `table` with one multi-row INSERT. */
async function insertRows(query: Query, table: string, rows: Record<string, unknown>[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const params: unknown[] = [];
  const tuples = rows.map((row) => `(${columns.map((column) => `$${params.push(row[column] ?? null)}`).join(', ')})`);
  await query(`INSERT INTO mini_agent_observability.${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`, params);
}

/** One tool execution of a dataset. */
export interface Tool {
  toolName: string;
  durationMs: number;
  startedAt: Date;
  category?: string;
  success?: boolean;
  errorMessage?: string | null;
  traceId?: string;
}

/** Writes tool executions (success unless `success: false`). */
export async function insertTools(query: Query, tools: Tool[]): Promise<void> {
  await insertRows(
    query,
    'tool_executions',
    tools.map((tool) => ({
      id: hex(8),
      trace_id: tool.traceId ?? newTraceId(),
      name: tool.toolName,
      tool_name: tool.toolName,
      category: tool.category ?? 'core',
      success: tool.success ?? true,
      error_message: tool.errorMessage ?? null,
      started_at: tool.startedAt,
      ended_at: at(tool.startedAt, tool.durationMs),
      duration_ms: tool.durationMs,
    })),
  );
}

/** One trace (session run) of a dataset. */
export interface Trace {
  id: string;
  status: 'ok' | 'error' | 'unset';
  complete: boolean;
  startedAt: Date | null;
  endedAt: Date | null;
  sessionId?: string;
  agentName?: string;
  /** When the row was written; a trace without a start time is placed in a window by it. */
  insertedAt?: Date;
}

/** Writes traces. */
export async function insertTraces(query: Query, traces: Trace[]): Promise<void> {
  await insertRows(
    query,
    'traces',
    traces.map((trace) => ({
      id: trace.id,
      session_id: trace.sessionId ?? null,
      agent_name: trace.agentName ?? 'test-agent',
      status: trace.status,
      complete: trace.complete,
      started_at: trace.startedAt,
      ended_at: trace.endedAt,
      inserted_at: trace.insertedAt ?? new Date(),
    })),
  );
}

/** One performance metric sample. */
export interface Metric {
  traceId: string;
  metricType: string;
  value: number | null;
  unit: string | null;
  recordedAt: Date;
}

/** Writes performance metric samples. */
export async function insertMetrics(query: Query, metrics: Metric[]): Promise<void> {
  await insertRows(
    query,
    'performance_metrics',
    metrics.map((metric, index) => ({
      id: `${hex(8)}:${index}`,
      trace_id: metric.traceId,
      span_id: hex(8),
      metric_type: metric.metricType,
      metric_value: metric.value,
      unit: metric.unit,
      recorded_at: metric.recordedAt,
    })),
  );
}

/** One LLM call. */
export interface Generation {
  model: string;
  provider?: string;
  inputTokens: number | null;
  outputTokens: number | null;
  totalTokens?: number | null;
  durationMs: number;
  startedAt: Date;
  success?: boolean;
}

/** Writes LLM calls. */
export async function insertGenerations(query: Query, generations: Generation[]): Promise<void> {
  await insertRows(
    query,
    'generations',
    generations.map((generation) => ({
      id: hex(8),
      trace_id: newTraceId(),
      name: 'chat',
      model: generation.model,
      provider: generation.provider ?? 'test',
      input_tokens: generation.inputTokens,
      output_tokens: generation.outputTokens,
      total_tokens: generation.totalTokens ?? null,
      success: generation.success ?? true,
      started_at: generation.startedAt,
      ended_at: at(generation.startedAt, generation.durationMs),
      duration_ms: generation.durationMs,
    })),
  );
}

/** Empties the core tables between tests (the alert rules are left alone). */
export async function clearRows(query: Query): Promise<void> {
  await query(
    'TRUNCATE mini_agent_observability.traces, mini_agent_observability.tool_executions, ' +
      'mini_agent_observability.performance_metrics, mini_agent_observability.decisions, ' +
      'mini_agent_observability.spans, mini_agent_observability.generations, mini_agent_observability.scores',
  );
}

/**
 * The percentile as percentile_cont defines it (linear interpolation between the two nearest
 * ranks), computed here independently of the database.
 */
export function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = fraction * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (position - lower);
}
