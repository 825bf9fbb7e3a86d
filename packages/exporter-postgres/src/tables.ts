import type {
  AgentRecord,
  DecisionRecord,
  GenerationRecord,
  MetricRecord,
  ScoreRecord,
  SpanRecord,
  ToolExecutionRecord,
  TraceRecord,
} from '@mini-agent/core';
import { resourceKey } from './resources.js';

/** The schema every table of this package lives in. */
export const SCHEMA = 'mini_agent_observability';

/** A table row as sent to the database: column name → JSON value (Dates become ISO strings). */
export type TableRow = Record<string, unknown>;

/** How one record type becomes rows of one table. */
export interface TableMapping<R extends AgentRecord> {
  readonly table: string;
  /**
   * The table's key columns, the `ON CONFLICT` target. Span-derived tables lead with `trace_id`:
   * OTLP makes a span id unique only within its trace.
   */
  readonly key: readonly string[];
  /** Column name → SQL type, in insert order. */
  readonly columns: Readonly<Record<string, string>>;
  /** What to do when the key exists; `DO NOTHING` unless a later record can carry more. */
  readonly onConflict: string;
  toRow(record: R): TableRow;
}

/**
 * The INSERT for one table. The whole batch travels as one JSON parameter, read back with
 * `jsonb_to_recordset`: the SQL text is the same for every batch size (one prepared statement a
 * table), there is no 65,535-parameter cap, it runs unchanged on PGlite, and JSON values stay JSON
 * (a string input stays a jsonb string, never encoded twice). `$1::text` keeps both drivers from
 * applying their own JSON serializer to the already-serialized text.
 */
export function insertStatement(mapping: TableMapping<AgentRecord>): string {
  const names = Object.keys(mapping.columns);
  const definitions = Object.entries(mapping.columns).map(([name, type]) => `${name} ${type}`);
  return [
    `INSERT INTO ${SCHEMA}.${mapping.table} AS t (${names.join(', ')})`,
    `SELECT ${names.join(', ')} FROM jsonb_to_recordset($1::text::jsonb) AS r(${definitions.join(', ')})`,
    conflictClause(mapping),
  ].join('\n');
}

/**
 * The `ON CONFLICT` clause of a table's writes. `DO NOTHING` names no target: it then holds on
 * both layouts of the span-derived tables, the plain one keyed `(trace_id, id)` and the
 * partitioned one whose key also holds the time column (sql/090_partitions.sql), which an explicit
 * `(trace_id, id)` target would not match. These tables have no other unique index, so nothing
 * else is skipped by it. An update names its key, as it must.
 */
export function conflictClause(mapping: TableMapping<AgentRecord>): string {
  return mapping.onConflict === 'DO NOTHING' ? 'ON CONFLICT DO NOTHING' : `ON CONFLICT (${mapping.key.join(', ')}) ${mapping.onConflict}`;
}

/**
 * Token counts are whole numbers; a fractional one would be rejected by `bigint` and fail the batch.
 * A count a record lacks (one spooled by a version that did not read it) is NULL.
 */
const whole = (n: number | null | undefined): number | null => (n === null || n === undefined ? null : Math.round(n));

const tools: TableMapping<ToolExecutionRecord> = {
  table: 'tool_executions',
  key: ['trace_id', 'id'],
  columns: {
    id: 'text', trace_id: 'text', parent_span_id: 'text', name: 'text', tool_name: 'text', category: 'text',
    input: 'jsonb', output: 'jsonb', success: 'boolean', error_message: 'text', started_at: 'timestamptz',
    ended_at: 'timestamptz', duration_ms: 'double precision', metadata: 'jsonb', call_id: 'text', tool_type: 'text',
    session_id: 'text', user_id: 'text',
  },
  onConflict: 'DO NOTHING',
  toRow: (r) => ({
    id: r.spanId, trace_id: r.traceId, parent_span_id: r.parentSpanId, name: r.name, tool_name: r.toolName,
    category: r.category, input: r.input, output: r.output, success: r.success, error_message: r.errorMessage,
    started_at: r.startTime, ended_at: r.endTime, duration_ms: r.durationMs, metadata: r.metadata,
    call_id: r.callId, tool_type: r.toolType, session_id: r.sessionId ?? null, user_id: r.userId ?? null,
  }),
};

const metrics: TableMapping<MetricRecord> = {
  table: 'performance_metrics',
  key: ['trace_id', 'id'],
  columns: {
    id: 'text', trace_id: 'text', span_id: 'text', metric_type: 'text', metric_value: 'double precision',
    unit: 'text', recorded_at: 'timestamptz', metadata: 'jsonb',
  },
  onConflict: 'DO NOTHING',
  toRow: (r) => ({
    id: r.id, trace_id: r.traceId, span_id: r.spanId, metric_type: r.metricType, metric_value: r.value,
    unit: r.unit, recorded_at: r.recordedAt, metadata: r.metadata,
  }),
};

const decisions: TableMapping<DecisionRecord> = {
  table: 'decisions',
  key: ['trace_id', 'id'],
  columns: {
    id: 'text', trace_id: 'text', span_id: 'text', decision_type: 'text', considered_options: 'jsonb',
    chosen: 'text', reasoning: 'text', decided_at: 'timestamptz',
  },
  onConflict: 'DO NOTHING',
  toRow: (r) => ({
    id: r.id, trace_id: r.traceId, span_id: r.spanId, decision_type: r.decisionType, considered_options: r.options,
    chosen: r.chosen, reasoning: r.reasoning, decided_at: r.decidedAt,
  }),
};

// A re-delivered span is the same span: nothing new to write.
const spans: TableMapping<SpanRecord> = {
  table: 'spans',
  key: ['trace_id', 'span_id'],
  columns: {
    span_id: 'text', trace_id: 'text', parent_span_id: 'text', name: 'text', kind: 'text', otel_kind: 'text',
    status: 'text', status_message: 'text', started_at: 'timestamptz', ended_at: 'timestamptz',
    duration_ms: 'double precision', attributes: 'jsonb', events: 'jsonb', links: 'jsonb', resource_id: 'uuid',
    scope_name: 'text', scope_version: 'text', session_id: 'text', user_id: 'text', category: 'text', duplicate_of: 'text',
    payload_keys: 'jsonb', events_moved: 'bigint',
  },
  onConflict: 'DO NOTHING',
  toRow: (r) => ({
    span_id: r.spanId, trace_id: r.traceId, parent_span_id: r.parentSpanId, name: r.name, kind: r.kind,
    otel_kind: r.otelKind, status: r.status, status_message: r.statusMessage, started_at: r.startTime,
    ended_at: r.endTime, duration_ms: r.durationMs, attributes: r.attributes, events: r.events, links: r.links,
    // The resource itself is a row of `resources` (see resources.ts): each resource once.
    resource_id: resourceKey(r.resource), scope_name: r.scope.name, scope_version: r.scope.version, payload_keys: null, events_moved: null,
    // A record spooled by an earlier version lacks the fields below: NULL, as a row written then.
    session_id: r.sessionId ?? null, user_id: r.userId ?? null, category: r.category ?? null, duplicate_of: r.duplicateOf ?? null,
  }),
};

const generations: TableMapping<GenerationRecord> = {
  table: 'generations',
  key: ['trace_id', 'id'],
  columns: {
    id: 'text', trace_id: 'text', parent_span_id: 'text', name: 'text', model: 'text', provider: 'text',
    input: 'jsonb', output: 'jsonb', input_tokens: 'bigint', output_tokens: 'bigint', total_tokens: 'bigint',
    cached_tokens: 'bigint', reasoning_tokens: 'bigint', model_parameters: 'jsonb', success: 'boolean',
    error_message: 'text', started_at: 'timestamptz', ended_at: 'timestamptz', duration_ms: 'double precision',
    completion_start_time: 'timestamptz', cache_creation_tokens: 'bigint', session_id: 'text', user_id: 'text',
    tool_call_ids: 'text[]',
    // The cost travels as a double (COPY's binary form has no numeric encoder here); the column is
    // numeric, and the assignment keeps the double's 15 significant digits.
    uncached_input_tokens: 'bigint', non_reasoning_output_tokens: 'bigint', cost_usd: 'double precision', cost_details: 'jsonb',
  },
  onConflict: 'DO NOTHING',
  toRow: (r) => ({
    id: r.spanId, trace_id: r.traceId, parent_span_id: r.parentSpanId, name: r.name, model: r.model,
    provider: r.provider, input: r.input, output: r.output, input_tokens: whole(r.usage.input),
    output_tokens: whole(r.usage.output), total_tokens: whole(r.usage.total), cached_tokens: whole(r.usage.cached),
    reasoning_tokens: whole(r.usage.reasoning), model_parameters: r.modelParameters, success: r.success,
    error_message: r.errorMessage, started_at: r.startTime, ended_at: r.endTime, duration_ms: r.durationMs,
    completion_start_time: r.completionStartTime, cache_creation_tokens: whole(r.usage.cacheCreation),
    session_id: r.sessionId ?? null, user_id: r.userId ?? null, tool_call_ids: r.toolCallIds ?? [],
    // Records spooled by a version that did not price them lack these: NULL, as for a count it did not read.
    uncached_input_tokens: whole(r.usageByKind?.input), non_reasoning_output_tokens: whole(r.usageByKind?.output),
    cost_usd: r.costUsd ?? null, cost_details: r.costDetails ?? null,
  }),
};

/**
 * A score given again with the same id replaces the stored one (feedback changes), keeping when it
 * was first given; a re-delivered span writes the same values again. Keyed by trace first.
 */
const scores: TableMapping<ScoreRecord> = {
  table: 'scores',
  key: ['trace_id', 'id'],
  columns: {
    trace_id: 'text', id: 'text', span_id: 'text', carrier_span_id: 'text', session_id: 'text', name: 'text',
    data_type: 'text', value: 'double precision', label: 'text', explanation: 'text', source: 'text', author: 'text',
    metadata: 'jsonb', created_at: 'timestamptz',
  },
  onConflict: [
    'DO UPDATE SET',
    [
      ...['span_id', 'carrier_span_id', 'name', 'data_type', 'value', 'label', 'explanation', 'source', 'author', 'metadata'].map(
        (c) => `${c} = EXCLUDED.${c}`,
      ),
      'session_id = COALESCE(EXCLUDED.session_id, t.session_id)',
      'updated_at = now()',
    ].join(',\n  '),
  ].join('\n  '),
  toRow: (r) => ({
    trace_id: r.traceId, id: r.id, span_id: r.targetSpanId,
    // A score given directly (the CLI) was carried by no span: its record names the trace instead.
    carrier_span_id: r.spanId.length === 16 ? r.spanId : null,
    session_id: r.sessionId, name: r.name, data_type: r.dataType, value: r.value, label: r.label,
    explanation: r.explanation, source: r.source, author: r.author, metadata: r.metadata, created_at: r.createdAt,
  }),
};

/** Nullable trace columns: a complete record overwrites them, a partial one only fills the empty ones. */
const TRACE_FIELDS = [
  'session_id', 'agent_name', 'agent_version', 'user_id', 'user_context', 'name', 'status_message',
  'started_at', 'ended_at', 'input', 'output', 'environment',
] as const;

/**
 * Rank of what speaks for a trace row: its session span (2), else its root span (1), else any
 * other span (0). Rows stored before `defined_by` existed are complete only by a session span.
 */
const STORED_RANK = `(CASE WHEN t.defined_by = 'session' OR (t.defined_by IS NULL AND t.complete) THEN 2 WHEN t.defined_by = 'root' THEN 1 ELSE 0 END)`;
const INCOMING_RANK = `(CASE EXCLUDED.defined_by WHEN 'session' THEN 2 WHEN 'root' THEN 1 ELSE 0 END)`;
/** The incoming row speaks for the trace at least as well as the stored one. */
const INCOMING_WINS = `(${INCOMING_RANK} > 0 AND ${INCOMING_RANK} >= ${STORED_RANK})`;

/**
 * A trace row is made by the first span of the trace seen and completed by its session span (or,
 * while there is none, its root span), in whatever order they arrive. A record that speaks for
 * the trace at least as well as the stored row wins over it (keeping stored values it lacks); any
 * other only fills what is still empty and never undoes `complete`. So a session span below a
 * root span names the trace whichever ends first.
 */
const traces: TableMapping<TraceRecord> = {
  table: 'traces',
  key: ['id'],
  columns: {
    id: 'text', session_id: 'text', agent_name: 'text', agent_version: 'text', user_id: 'text', user_context: 'jsonb',
    name: 'text', status: 'text', status_message: 'text', started_at: 'timestamptz', ended_at: 'timestamptz',
    input: 'jsonb', output: 'jsonb', tags: 'text[]', environment: 'text', complete: 'boolean', attributes: 'jsonb',
    resource: 'jsonb', defined_by: 'text',
  },
  onConflict: [
    'DO UPDATE SET',
    [
      ...TRACE_FIELDS.map(
        (c) => `${c} = CASE WHEN ${INCOMING_WINS} THEN COALESCE(EXCLUDED.${c}, t.${c}) ELSE COALESCE(t.${c}, EXCLUDED.${c}) END`,
      ),
      `status = CASE WHEN ${INCOMING_WINS} THEN EXCLUDED.status ELSE t.status END`,
      `tags = CASE WHEN ${INCOMING_WINS} THEN EXCLUDED.tags ELSE t.tags END`,
      `attributes = CASE WHEN ${INCOMING_WINS} THEN EXCLUDED.attributes ELSE t.attributes END`,
      `resource = CASE WHEN ${INCOMING_WINS} OR t.resource = '{}'::jsonb THEN EXCLUDED.resource ELSE t.resource END`,
      // Computed before any column is assigned (SET reads the stored row), so the ranks above see the old value.
      `defined_by = CASE WHEN ${INCOMING_WINS} THEN EXCLUDED.defined_by ELSE t.defined_by END`,
      `complete = t.complete OR EXCLUDED.complete`,
    ].join(',\n  '),
  ].join('\n  '),
  toRow: (r) => ({
    id: r.traceId, session_id: r.sessionId, agent_name: r.agentName, agent_version: r.agentVersion, user_id: r.userId,
    user_context: r.userContext, name: r.name, status: r.status, status_message: r.statusMessage,
    started_at: r.startTime, ended_at: r.endTime, input: r.input, output: r.output, tags: r.tags,
    environment: r.environment, complete: r.complete || r.root, attributes: r.attributes, resource: r.resource,
    defined_by: r.complete ? 'session' : r.root ? 'root' : null,
  }),
};

/**
 * Merges two rows of the same trace met in one batch, with the rule the ON CONFLICT clause above
 * applies against the stored row: one INSERT may not touch a row twice, so duplicates are folded first.
 */
export function mergeTraceRows(stored: TableRow, incoming: TableRow): TableRow {
  const merged: TableRow = { ...stored };
  const wins = rankOf(incoming) > 0 && rankOf(incoming) >= rankOf(stored);
  for (const c of TRACE_FIELDS) {
    merged[c] = wins ? (incoming[c] ?? stored[c] ?? null) : (stored[c] ?? incoming[c] ?? null);
  }
  if (wins) {
    merged.status = incoming.status;
    merged.tags = incoming.tags;
    merged.attributes = incoming.attributes;
    merged.defined_by = incoming.defined_by;
  }
  if (wins || isEmptyObject(stored.resource)) merged.resource = incoming.resource;
  merged.complete = stored.complete === true || incoming.complete === true;
  return merged;
}

/** {@link STORED_RANK} of a row not yet stored. */
function rankOf(row: TableRow): number {
  return row.defined_by === 'session' ? 2 : row.defined_by === 'root' ? 1 : 0;
}

function isEmptyObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.keys(value).length === 0;
}

/** Every mapping, by the record type it takes. Order is the order of the statements in a batch. */
export const TABLES = {
  trace: traces,
  span: spans,
  tool: tools,
  generation: generations,
  decision: decisions,
  metric: metrics,
  score: scores,
} as const satisfies { [T in AgentRecord['type']]: TableMapping<Extract<AgentRecord, { type: T }>> };
