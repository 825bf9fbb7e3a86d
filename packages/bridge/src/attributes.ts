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
 */
export function readAttributes(list: unknown, field: string, encoding: WireEncoding, depth = 0): Attributes {
  const items = readList(list, field);
  const out = Object.create(null) as Record<string, OtlpValue>;
  for (let i = 0; i < items.length; i++) {
    const item = readMessage(items[i], `${field}[${i}]`);
    if (item === undefined) continue;
    const key = readString(item.key, `${field}[${i}].key`);
    out[key] = readAnyValue(item.value, `${field}[${i}].value`, encoding, depth);
  }
  // Nested values are not in the SDK's AttributeValue type; interpret() accepts any JSON-like value.
  return out as unknown as Attributes;
}

/** One `AnyValue`; an empty one (no field set) is `null`. */
export function readAnyValue(value: unknown, field: string, encoding: WireEncoding, depth = 0): OtlpValue {
  const v = readMessage(value, field);
  if (v === undefined) return null;
  if (depth > MAX_DEPTH) throw new FieldError(`${field}: nested deeper than ${MAX_DEPTH} levels`);
  if (v.stringValue != null) return readString(v.stringValue, `${field}.stringValue`);
  if (v.boolValue != null) {
    if (typeof v.boolValue !== 'boolean') throw new FieldError(`${field}.boolValue: expected true or false`);
    return v.boolValue;
  }
  if (v.intValue != null) return readInt64Value(v.intValue, `${field}.intValue`);
  if (v.doubleValue != null) return readDouble(v.doubleValue, `${field}.doubleValue`);
  if (v.arrayValue != null) {
    const array = readMessage(v.arrayValue, `${field}.arrayValue`);
    const values = readList(array?.values, `${field}.arrayValue.values`);
    return values.map((item, i) => readAnyValue(item, `${field}.arrayValue.values[${i}]`, encoding, depth + 1));
  }
  if (v.kvlistValue != null) {
    const kvlist = readMessage(v.kvlistValue, `${field}.kvlistValue`);
    return readAttributes(kvlist?.values, `${field}.kvlistValue.values`, encoding, depth + 1) as unknown as OtlpValue;
  }
  if (v.bytesValue != null) return readBytesAsBase64(v.bytesValue, `${field}.bytesValue`, encoding);
  return null;
}
