import type { Attributes } from '@opentelemetry/api';
import {
  FieldError,
  readBytesAsBase64,
  readDouble,
  readInt64Value,
  readList,
  readMessage,
  readString,
  type WireEncoding,
} from './wire-values.js';

/**
 * An OTLP `AnyValue` as plain JavaScript. Beyond what the SDK's own attributes hold (strings,
 * numbers, booleans, flat arrays), OTLP carries nested lists, key/value lists and bytes; they become
 * nested arrays, plain objects and base64 strings, which `interpret()` stores as JSON.
 */
export type OtlpValue = string | number | boolean | null | OtlpValue[] | { [key: string]: OtlpValue };

/** Deeper than this, a value is refused rather than risk the stack on a hostile body. */
const MAX_DEPTH = 64;

/**
 * A `repeated KeyValue` as an attributes object. The object has no prototype, so a key such as
 * `__proto__` is stored as data. Later duplicates of a key win, as in the SDK.
 *
 * The common shapes (a key/value object, a string key, a string, number or boolean value) are
 * checked inline, and a field's path (`attributes[3].value.stringValue`) is only spelled out
 * for an error: building it for every attribute was a tenth of the decoding.
 */
export function readAttributes(list: unknown, field: string, encoding: WireEncoding, depth = 0): Attributes {
  const items = readList(list, field);
  const out = Object.create(null) as Record<string, OtlpValue>;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item === undefined || item === null) continue;
    if (typeof item !== 'object' || Array.isArray(item)) readMessage(item, `${field}[${i}]`); // throws
    const { key, value } = item as { key?: unknown; value?: unknown };
    const name = typeof key === 'string' ? key : readString(key, `${field}[${i}].key`);
    out[name] = readAnyValue(value, undefined, encoding, depth, field, i);
  }
  // Nested values are not in the SDK's AttributeValue type; interpret() accepts any JSON-like value.
  return out as unknown as Attributes;
}

/**
 * One `AnyValue`; an empty one (no field set) is `null`. Its path for errors is `field`, or when
 * that is undefined `${parent}[${index}].value`, built only when needed.
 */
export function readAnyValue(value: unknown, field: string | undefined, encoding: WireEncoding, depth = 0, parent = '', index = 0): OtlpValue {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) readMessage(value, field ?? `${parent}[${index}].value`); // throws
  const v = value as Record<string, unknown>;
  if (depth > MAX_DEPTH) throw new FieldError(`${field ?? `${parent}[${index}].value`}: nested deeper than ${MAX_DEPTH} levels`);
  const text = v.stringValue;
  if (text != null) return typeof text === 'string' ? text : readString(text, `${pathOf(field, parent, index)}.stringValue`);
  if (v.boolValue != null) {
    if (typeof v.boolValue !== 'boolean') throw new FieldError(`${pathOf(field, parent, index)}.boolValue: expected true or false`);
    return v.boolValue;
  }
  if (v.intValue != null) return readInt64Value(v.intValue, `${pathOf(field, parent, index)}.intValue`);
  if (v.doubleValue != null) return typeof v.doubleValue === 'number' ? v.doubleValue : readDouble(v.doubleValue, `${pathOf(field, parent, index)}.doubleValue`);
  const path = pathOf(field, parent, index);
  if (v.arrayValue != null) {
    const array = readMessage(v.arrayValue, `${path}.arrayValue`);
    const values = readList(array?.values, `${path}.arrayValue.values`);
    return values.map((item, i) => readAnyValue(item, `${path}.arrayValue.values[${i}]`, encoding, depth + 1));
  }
  if (v.kvlistValue != null) {
    const kvlist = readMessage(v.kvlistValue, `${path}.kvlistValue`);
    return readAttributes(kvlist?.values, `${path}.kvlistValue.values`, encoding, depth + 1) as unknown as OtlpValue;
  }
  if (v.bytesValue != null) return readBytesAsBase64(v.bytesValue, `${path}.bytesValue`, encoding);
  return null;
}

function pathOf(field: string | undefined, parent: string, index: number): string {
  return field ?? `${parent}[${index}].value`;
}
