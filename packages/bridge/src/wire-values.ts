import type { HrTime } from '@opentelemetry/api';

/**
 * Readers for the scalar fields of an OTLP request, in either encoding. After protobufjs decodes a
 * binary body, and after `JSON.parse` of an OTLP/JSON body, a request has the same camelCase shape;
 * only three kinds of value differ, and OTLP/JSON departs from protobuf's own JSON mapping for ids,
 * so protobufjs's `fromObject` cannot read it as is:
 *
 * | value        | protobuf (decoded)  | OTLP/JSON                          |
 * |--------------|---------------------|------------------------------------|
 * | trace/span id| bytes (Buffer)      | hex string                         |
 * | 64-bit int   | `Long`              | decimal string or number           |
 * | bytes value  | bytes (Buffer)      | base64 string                      |
 *
 * JSON comes from anyone, so every reader checks the type it gets and throws {@link FieldError}
 * naming the field; for a decoded protobuf the checks always pass and cost a `typeof`.
 */
export type WireEncoding = 'protobuf' | 'json';

/** A field with the wrong type or value; the request reader adds where it was. */
export class FieldError extends Error {
  override readonly name = 'FieldError';
}

/** The `Long` protobufjs produces for 64-bit fields (from the `long` package). */
interface LongLike {
  low: number;
  high: number;
  unsigned?: boolean;
}

const HEX_ID = /^[0-9a-fA-F]*$/;

/**
 * A trace, span or parent id as lowercase hex; `''` when absent. A value that is not bytes or hex
 * yields `null`: the caller rejects that span alone (OTLP partial success), not the request.
 */
export function readId(value: unknown, encoding: WireEncoding): string | null {
  if (value === undefined || value === null) return '';
  if (encoding === 'json') {
    if (typeof value !== 'string' || !HEX_ID.test(value)) return null;
    return value.toLowerCase();
  }
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  return null;
}

/** An unsigned 64-bit integer (a fixed64 timestamp) as a bigint; `0n` when absent. */
export function readUint64(value: unknown, field: string): bigint {
  if (value === undefined || value === null) return 0n;
  const n = readInt64(value, field);
  if (n < 0n) throw new FieldError(`${field}: expected an unsigned integer, got ${n}`);
  return n;
}

/** A signed or unsigned 64-bit integer, exactly, as a bigint. */
export function readInt64(value: unknown, field: string): bigint {
  switch (typeof value) {
    case 'number':
      if (!Number.isInteger(value)) throw new FieldError(`${field}: expected an integer, got ${value}`);
      return BigInt(value);
    case 'string':
      if (!/^-?\d+$/.test(value)) throw new FieldError(`${field}: expected an integer, got ${JSON.stringify(value.slice(0, 40))}`);
      return BigInt(value);
    case 'bigint':
      return value;
    case 'object':
      if (value !== null && isLong(value)) {
        const bits = (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0);
        return value.unsigned ? bits : BigInt.asIntN(64, bits);
      }
  }
  throw new FieldError(`${field}: expected an integer, got ${describe(value)}`);
}

/** A 64-bit integer as a JavaScript number when it is exact, else as its decimal string. */
export function readInt64Value(value: unknown, field: string): number | string {
  const n = readInt64(value, field);
  const asNumber = Number(n);
  return Number.isSafeInteger(asNumber) ? asNumber : n.toString();
}

const NANOS_PER_SECOND = 1_000_000_000n;

/** Nanoseconds since the epoch as the SDK's `HrTime` (`[seconds, nanoseconds]`), exactly. */
export function toHrTime(unixNanos: bigint): HrTime {
  return [Number(unixNanos / NANOS_PER_SECOND), Number(unixNanos % NANOS_PER_SECOND)];
}

/** A protobuf `double`: a number, or in JSON also a numeric string or `"NaN"` / `"Infinity"` / `"-Infinity"`. */
export function readDouble(value: unknown, field: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    if (value === 'NaN') return Number.NaN;
    if (value === 'Infinity') return Number.POSITIVE_INFINITY;
    if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
    const n = Number(value);
    if (value.trim() !== '' && !Number.isNaN(n)) return n;
  }
  throw new FieldError(`${field}: expected a number, got ${describe(value)}`);
}

/** A protobuf `bytes` value as base64, the text form OTLP/JSON itself uses for bytes. */
export function readBytesAsBase64(value: unknown, field: string, encoding: WireEncoding): string {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (encoding === 'json' && typeof value === 'string' && /^[A-Za-z0-9+/_-]*={0,2}$/.test(value)) {
    // Proto3 JSON accepts both base64 alphabets; store the standard one.
    return Buffer.from(value, 'base64').toString('base64');
  }
  throw new FieldError(`${field}: expected base64 bytes, got ${describe(value)}`);
}

/** A string field; `''` when absent (proto3's default). */
export function readString(value: unknown, field: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  throw new FieldError(`${field}: expected a string, got ${describe(value)}`);
}

/** An integer field (enums are integers in OTLP/JSON); `0` when absent. */
export function readInteger(value: unknown, field: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  throw new FieldError(`${field}: expected an integer, got ${describe(value)}`);
}

/** A repeated field; `[]` when absent. */
export function readList(value: unknown, field: string): readonly unknown[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  throw new FieldError(`${field}: expected a list, got ${describe(value)}`);
}

/** A message field; `undefined` when absent. */
export function readMessage(value: unknown, field: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  throw new FieldError(`${field}: expected an object, got ${describe(value)}`);
}

function isLong(value: object): value is LongLike {
  return typeof (value as LongLike).low === 'number' && typeof (value as LongLike).high === 'number';
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
