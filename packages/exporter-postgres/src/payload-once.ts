import type { AgentRecord, JsonObject, PayloadKeys, SpanRecord } from '@mini-agent/core';
import type { TableRow } from './tables.js';

/** Which typed rows of a batch hold a span's payloads: `traceId/spanId` → the fields they hold. */
export type TypedPayloads = Map<string, ReadonlySet<keyof PayloadKeys>>;

const IO: ReadonlySet<keyof PayloadKeys> = new Set(['input', 'output']);

/**
 * The conventions' usual payload attributes (`@mini-agent/semconv`, written out: no run-time
 * dependency; a test holds them equal). A span row whose left-out payloads are exactly one of
 * these sets stores the set's name in `payload_keys` (a jsonb string, ~13 bytes, instead of the
 * ~78-byte object); `spans_full` (sql/083) knows the same names.
 */
export const USUAL_PAYLOAD_KEYS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  tool: { input: 'mini_agent.tool.input', output: 'mini_agent.tool.output' },
  genai: { input: 'gen_ai.input.messages', output: 'gen_ai.output.messages' },
  decision: { options: 'mini_agent.decision.options' },
};

/** The name of the usual set `moved` is, if it is one. */
function usualName(moved: Record<string, string>, count: number): string | undefined {
  for (const name in USUAL_PAYLOAD_KEYS) {
    const usual = USUAL_PAYLOAD_KEYS[name] as Record<string, string>;
    let same = 0;
    for (const field in usual) if (moved[field] === usual[field]) same++;
    if (same === count && Object.keys(usual).length === count) return name;
  }
  return undefined;
}
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
 * `payload_keys` saying which were left out and where they live (`{"input": "app.tool.args"}`, or
 * the name of one of {@link USUAL_PAYLOAD_KEYS}),
 * so the `spans_full` view can put the raw span back together. `row` is the one the table mapping
 * just made from `record`, and is changed in place; the record itself is not changed.
 */
export function withoutTypedPayloads(row: TableRow, record: SpanRecord, typed: TypedPayloads): TableRow {
  const keys = record.payloadKeys;
  if (keys === undefined) return row;
  const fields = typed.get(`${record.traceId}/${record.spanId}`);
  if (fields === undefined) return row;
  // At most two keys (input and output, or options): compared directly, no set or entry arrays.
  const moved: Record<string, string> = {};
  let first: string | undefined;
  let second: string | undefined;
  for (const field in keys) {
    const key = keys[field as keyof PayloadKeys];
    if (key === undefined || !fields.has(field as keyof PayloadKeys) || !(key in record.attributes)) continue;
    moved[field] = key;
    if (first === undefined) first = key;
    else second = key;
  }
  if (first === undefined) return row;
  // A copy without them (never `delete`: the record is shared with other sinks).
  const attributes: JsonObject = {};
  const source = record.attributes;
  for (const key in source) if (key !== first && key !== second) attributes[key] = source[key] as JsonObject[string];
  // The row was made for this batch by the table mapping: set in place rather than spread (V8's slow path).
  row.attributes = attributes;
  row.payload_keys = usualName(moved, second === undefined ? 1 : 2) ?? moved;
  return row;
}
