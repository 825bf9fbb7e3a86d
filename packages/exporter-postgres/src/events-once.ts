import type { AgentRecord, DecisionRecord, JsonObject, JsonValue, MetricRecord, SpanEventRecord, SpanRecord } from '@mini-agent/core';
import type { TableRow } from './tables.js';

/**
 * The agent conventions' event and attribute names (`@mini-agent/semconv`), written out: this
 * package does not depend on it at run time. A test holds them equal to the conventions. The view
 * `spans_full` (sql/083) rebuilds the events under these names.
 */
export const EVENT_NAMES = {
  metric: 'mini_agent.metric',
  metricType: 'mini_agent.metric.type',
  metricValue: 'mini_agent.metric.value',
  metricUnit: 'mini_agent.metric.unit',
  decision: 'mini_agent.decision',
  decisionType: 'mini_agent.decision.type',
  decisionOptions: 'mini_agent.decision.options',
  decisionChosen: 'mini_agent.decision.chosen',
  decisionReasoning: 'mini_agent.decision.reasoning',
} as const;

/** Events past this index stay in `spans.events`: `events_moved` is a bit mask in a bigint, exact in a double up to 2^53. */
const MAX_MOVED = 52;

/** The metric and decision rows of a batch made from span events, by `traceId/id` (`id` = `spanId:eventIndex`). */
export type TypedEvents = Map<string, MetricRecord | DecisionRecord>;

export function typedEventsOf(records: readonly AgentRecord[]): TypedEvents {
  const typed: TypedEvents = new Map();
  for (const r of records) {
    if (r.type === 'metric' || (r.type === 'decision' && r.id !== r.spanId)) typed.set(`${r.traceId}/${r.id}`, r);
  }
  return typed;
}

/**
 * Each event once: a metric or decision event whose row of `performance_metrics` or `decisions`
 * is in the same batch is left out of `spans.events` when `spans_full` can rebuild it exactly from
 * that row; `events_moved` has bit i set for each event i left out. An event the row does not say
 * exactly (a value given as text, an attribute the row has no column for, options given as JSON
 * text) stays in the span row. `row` is the one the table mapping made from `record`, changed in
 * place; the record is not changed.
 */
export function withoutTypedEvents(row: TableRow, record: SpanRecord, typed: TypedEvents): TableRow {
  const events = record.events;
  if (events.length === 0 || typed.size === 0) return row;
  let moved = 0;
  let kept: SpanEventRecord[] | undefined;
  for (let i = 0; i < events.length; i++) {
    const event = events[i] as SpanEventRecord;
    const typedRow = i <= MAX_MOVED ? typed.get(`${record.traceId}/${record.spanId}:${i}`) : undefined;
    if (typedRow !== undefined && rebuildsExactly(event, typedRow)) {
      moved += 2 ** i;
      kept ??= events.slice(0, i);
    } else kept?.push(event);
  }
  if (kept === undefined) return row;
  row.events = kept;
  row.events_moved = moved;
  return row;
}

/** Whether the event `spans_full` rebuilds from `typedRow` is `event`, name, time and attributes. */
function rebuildsExactly(event: SpanEventRecord, typedRow: MetricRecord | DecisionRecord): boolean {
  const time = typedRow.type === 'metric' ? typedRow.recordedAt : typedRow.decidedAt;
  if (!(event.time instanceof Date) || event.time.getTime() !== time.getTime()) return false;
  return event.name === (typedRow.type === 'metric' ? EVENT_NAMES.metric : EVENT_NAMES.decision) && sameJson(event.attributes, rebuiltAttributes(typedRow));
}

/** The attributes as `spans_full` writes them back: each column under its attribute, NULL ones left out. */
function rebuiltAttributes(r: MetricRecord | DecisionRecord): JsonObject {
  const out: JsonObject = {};
  const put = (name: string, value: JsonValue | null) => {
    if (value !== null) out[name] = value;
  };
  if (r.type === 'metric') {
    // A value that was not a finite number is NULL in the row, and kept in the event instead.
    if (r.value === null) return { [EVENT_NAMES.metricValue]: null };
    put(EVENT_NAMES.metricType, r.metricType);
    put(EVENT_NAMES.metricValue, r.value);
    put(EVENT_NAMES.metricUnit, r.unit);
  } else {
    put(EVENT_NAMES.decisionType, r.decisionType);
    put(EVENT_NAMES.decisionOptions, r.options);
    put(EVENT_NAMES.decisionChosen, r.chosen);
    put(EVENT_NAMES.decisionReasoning, r.reasoning);
  }
  return out;
}

/** JSON equality: objects by their keys in any order, arrays in order, -0 as 0 (JSON has no -0). */
export function sameJson(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => sameJson(item, b[i]));
  }
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => key in b && sameJson((a as JsonObject)[key], (b as JsonObject)[key]));
}
