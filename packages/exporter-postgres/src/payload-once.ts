import type { AgentRecord, JsonObject, PayloadKeys, SpanRecord } from '@mini-agent/core';
import { TABLES, type TableRow } from './tables.js';

/** The typed row of a batch that holds a span's payloads, and which payload fields it holds. */
export interface TypedRow {
  readonly record: AgentRecord;
  readonly fields: ReadonlySet<keyof PayloadKeys>;
  /** The row as the table mapping makes it: the writer stores this very object (see write-records.ts). */
  readonly row: TableRow;
}

/** Which typed rows of a batch hold a span's payloads: `traceId/spanId` → that row. */
export type TypedPayloads = Map<string, TypedRow>;

const IO: ReadonlySet<keyof PayloadKeys> = new Set(['input', 'output']);
const OPTIONS: ReadonlySet<keyof PayloadKeys> = new Set(['options']);

/**
 * The conventions' usual payload attributes (`@mini-agent/semconv`, written out: no run-time
 * dependency; a test holds them equal). A span row whose left-out payloads are exactly one of
 * these sets stores the set's name in `payload_keys` (a jsonb string, ~13 bytes, instead of the
 * ~78-byte object); `spans_full` (sql/083, sql/098) knows the same names.
 */
export const USUAL_PAYLOAD_KEYS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  tool: { input: 'mini_agent.tool.input', output: 'mini_agent.tool.output' },
  genai: { input: 'gen_ai.input.messages', output: 'gen_ai.output.messages' },
  decision: { options: 'mini_agent.decision.options' },
};

/** One attribute a column may hold exactly: its letter in `payload_keys`, and the column. */
export interface TypedValue {
  readonly letter: string;
  readonly attribute: string;
  readonly column: string;
}

/**
 * Attributes the span row holds in columns of its own (`spans.kind`, `.session_id`, `.user_id`):
 * left out of any span's attributes where the column gives them back exactly. In-process
 * propagation puts the session's ids on every span of a session, so this is most spans' share.
 */
export const SPAN_TYPED_VALUES: readonly TypedValue[] = [
  { letter: 'k', attribute: 'mini_agent.span.kind', column: 'kind' },
  { letter: 's', attribute: 'mini_agent.session.id', column: 'session_id' },
  { letter: 'u', attribute: 'mini_agent.user.id', column: 'user_id' },
];

/**
 * With a usual set, the attributes the same typed row holds in columns of their own, left out
 * where the column gives them back exactly. Written out like {@link USUAL_PAYLOAD_KEYS}; a test
 * holds the names equal to the conventions' and to what `spans_full` (sql/098) reads.
 */
export const USUAL_TYPED_VALUES: Readonly<Record<string, readonly TypedValue[]>> = {
  tool: [
    { letter: 'n', attribute: 'mini_agent.tool.name', column: 'tool_name' },
    { letter: 'c', attribute: 'mini_agent.tool.category', column: 'category' },
  ],
  genai: [
    { letter: 'p', attribute: 'gen_ai.provider.name', column: 'provider' },
    { letter: 'm', attribute: 'gen_ai.response.model', column: 'model' },
    { letter: 'i', attribute: 'gen_ai.usage.input_tokens', column: 'input_tokens' },
    { letter: 'o', attribute: 'gen_ai.usage.output_tokens', column: 'output_tokens' },
  ],
  decision: [
    { letter: 't', attribute: 'mini_agent.decision.type', column: 'decision_type' },
    { letter: 'h', attribute: 'mini_agent.decision.chosen', column: 'chosen' },
    { letter: 'r', attribute: 'mini_agent.decision.reasoning', column: 'reasoning' },
  ],
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

/**
 * The spans of a batch whose tool, generation or decision row is in the same batch: only their
 * payloads may be left out of `spans.attributes`, since the typed row stored with them (in the
 * same transaction) keeps the value. A decision recorded as an event is not the span's own. Each
 * typed row is made here, once; the writer stores the same object ({@link typedRowOf}).
 */
export function typedPayloadsOf(records: readonly AgentRecord[]): TypedPayloads {
  const typed: TypedPayloads = new Map();
  for (const r of records) {
    if (r.type === 'tool') typed.set(`${r.traceId}/${r.spanId}`, { record: r, fields: IO, row: TABLES.tool.toRow(r) });
    else if (r.type === 'generation') typed.set(`${r.traceId}/${r.spanId}`, { record: r, fields: IO, row: TABLES.generation.toRow(r) });
    else if (r.type === 'decision' && r.id === r.spanId) typed.set(`${r.traceId}/${r.spanId}`, { record: r, fields: OPTIONS, row: TABLES.decision.toRow(r) });
  }
  return typed;
}

/** The row {@link typedPayloadsOf} already made for `record`, if it made one (so no record is mapped twice). */
export function typedRowOf(record: AgentRecord, typed: TypedPayloads): TableRow | undefined {
  if (record.type !== 'tool' && record.type !== 'generation' && record.type !== 'decision') return undefined;
  const found = typed.get(`${record.traceId}/${record.spanId}`);
  return found?.record === record ? found.row : undefined;
}

/**
 * True when the column gives the attribute back exactly: the same string, or the same whole
 * number (bigint columns; `to_jsonb` prints it as the number it was). Anything else stays in the
 * attributes.
 */
function holdsExactly(attribute: unknown, column: unknown): boolean {
  if (typeof attribute === 'string') return attribute === column;
  return typeof attribute === 'number' && Number.isSafeInteger(attribute) && attribute === column;
}

/** What one span row leaves out: up to two payload attributes, and the typed values with their letters. */
interface LeftOut {
  payloads: Record<string, string>;
  payloadCount: number;
  letters: string;
  values: string[];
}

/** The payloads `record` may leave out (its typed row holds them), as {@link withoutTypedPayloads} spells them. */
function payloadsLeftOut(record: SpanRecord, typedRow: TypedRow | undefined, out: LeftOut): void {
  const keys = record.payloadKeys;
  if (keys === undefined || typedRow === undefined) return;
  for (const field in keys) {
    const key = keys[field as keyof PayloadKeys];
    if (key === undefined || !typedRow.fields.has(field as keyof PayloadKeys) || !(key in record.attributes)) continue;
    out.payloads[field] = key;
    out.payloadCount++;
  }
}

/** Adds each of `values` the `columns` give back exactly to what is left out. */
function typedValuesLeftOut(values: readonly TypedValue[], attributes: SpanRecord['attributes'], columns: TableRow, out: LeftOut): void {
  for (const value of values) {
    if (!holdsExactly(attributes[value.attribute], columns[value.column])) continue;
    out.letters += value.letter;
    out.values.push(value.attribute);
  }
}

/**
 * Each payload and typed value once: the span row without the attributes a column already
 * stores, and `payload_keys` saying which were left out and where they live, so the `spans_full`
 * view can put the raw span back together:
 * - payloads (the typed row's input, output, options) as `{"input": "app.tool.args"}`, or as the
 *   name of one of {@link USUAL_PAYLOAD_KEYS};
 * - typed values ({@link SPAN_TYPED_VALUES} on any span; with a usual set's name, that set's
 *   {@link USUAL_TYPED_VALUES}) as a slash and a letter each, the span's first: `"tool/ksnc"`,
 *   or `"/ks"` for a span with no payload left out. With a payload object, typed values stay in
 *   the attributes.
 * `row` is the one the table mapping just made from `record`, and is changed in place; the record
 * itself is not changed.
 */
export function withoutTypedPayloads(row: TableRow, record: SpanRecord, typed: TypedPayloads): TableRow {
  // Only a span with payload attributes can have a typed row holding them: no key built for the others.
  const typedRow = record.payloadKeys === undefined ? undefined : typed.get(`${record.traceId}/${record.spanId}`);
  const out: LeftOut = { payloads: {}, payloadCount: 0, letters: '', values: [] };
  payloadsLeftOut(record, typedRow, out);
  const name = out.payloadCount === 0 ? '' : usualName(out.payloads, out.payloadCount);
  if (name !== undefined) {
    typedValuesLeftOut(SPAN_TYPED_VALUES, record.attributes, row, out);
    if (typedRow !== undefined && name !== '') typedValuesLeftOut(USUAL_TYPED_VALUES[name] ?? [], record.attributes, typedRow.row, out);
  }
  if (out.payloadCount === 0 && out.letters === '') return row;
  const leftOut = [...Object.values(out.payloads), ...out.values];
  // A copy without them (never `delete`: the record is shared with other sinks).
  const attributes: JsonObject = {};
  const source = record.attributes;
  for (const key in source) if (!leftOut.includes(key)) attributes[key] = source[key] as JsonObject[string];
  // The row was made for this batch by the table mapping: set in place rather than spread (V8's slow path).
  row.attributes = attributes;
  row.payload_keys = name === undefined ? out.payloads : out.letters === '' ? name : `${name}/${out.letters}`;
  return row;
}
