import type { AgentRecord, JsonObject, PayloadKeys, SpanRecord } from '@mini-agent/core';
import type { TableRow } from './tables.js';

/** Which typed rows of a batch hold a span's payloads: `traceId/spanId` → the fields they hold. */
export type TypedPayloads = Map<string, ReadonlySet<keyof PayloadKeys>>;

const IO: ReadonlySet<keyof PayloadKeys> = new Set(['input', 'output']);
const OPTIONS: ReadonlySet<keyof PayloadKeys> = new Set(['options']);

/**
 * The spans of a batch whose tool, generation or decision row is in the same batch: only their
 * payloads may be left out of `spans.attributes`, since the typed row stored with them (in the
 * same transaction) keeps the value. A decision recorded as an event is not the span's own.
 */
export function typedPayloadsOf(records: readonly AgentRecord[]): TypedPayloads {
  const typed: TypedPayloads = new Map();
  for (const r of records) {
    if (r.type === 'tool' || r.type === 'generation') typed.set(`${r.traceId}/${r.spanId}`, IO);
    else if (r.type === 'decision' && r.id === r.spanId) typed.set(`${r.traceId}/${r.spanId}`, OPTIONS);
  }
  return typed;
}

/**
 * Each payload once: the span row without the attributes its typed row already stores, and
 * `payload_keys` saying which were left out and where they live (`{"input": "mini_agent.tool.input"}`),
 * so the `spans_full` view can put the raw span back together. The record itself is not changed.
 */
export function withoutTypedPayloads(row: TableRow, record: SpanRecord, typed: TypedPayloads): TableRow {
  const keys = record.payloadKeys;
  if (keys === undefined) return row;
  const fields = typed.get(`${record.traceId}/${record.spanId}`);
  if (fields === undefined) return row;
  const moved: Record<string, string> = {};
  const left = new Set<string>();
  for (const [field, key] of Object.entries(keys) as [keyof PayloadKeys, string][]) {
    if (!fields.has(field) || !(key in record.attributes)) continue;
    moved[field] = key;
    left.add(key);
  }
  if (left.size === 0) return row;
  // A copy without them (never `delete`: the record is shared with other sinks).
  const attributes: JsonObject = {};
  for (const [key, value] of Object.entries(record.attributes)) if (!left.has(key)) attributes[key] = value;
  return { ...row, attributes, payload_keys: moved };
}
