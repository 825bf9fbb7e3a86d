import { jsonText, knownJsonText, type JsonValue } from '@mini-agent/core';
import type { TableRow } from './tables.js';

/** A value COPY's binary format cannot carry in its column's type: the batch then goes the INSERT way. */
export class CopyEncodingError extends Error {
  override readonly name = 'CopyEncodingError';
}

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const TEXT_OID = 25;
/** PostgreSQL counts time in microseconds from 2000-01-01. */
const POSTGRES_EPOCH_MS = Date.UTC(2000, 0, 1);
const TWO_32 = 2 ** 32;
const NULL_FIELD = -1;

/** Strings up to this length are copied char by char when ASCII: cheaper than a call into `Buffer.write`. */
const SHORT_TEXT = 48;

/**
 * One growing buffer that rows are written straight into: each string is encoded to UTF-8 once, in
 * place, and numbers, booleans and times need no text form (for the server neither). Integers are
 * written byte by byte: `writeInt32BE` and friends check their arguments on every call, and the
 * values here are known to fit.
 */
class CopyBuffer {
  private buffer: Buffer;
  private offset = 0;

  constructor(sizeHint: number) {
    this.buffer = Buffer.allocUnsafe(Math.max(4096, sizeHint));
  }

  private reserve(bytes: number): void {
    if (this.offset + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.offset + bytes));
    this.buffer.copy(grown, 0, 0, this.offset);
    this.buffer = grown;
  }

  bytes(source: Buffer): void {
    this.reserve(source.length);
    this.offset += source.copy(this.buffer, this.offset);
  }

  uint8(value: number): void {
    this.reserve(1);
    this.buffer[this.offset++] = value;
  }

  int16(value: number): void {
    this.reserve(2);
    const b = this.buffer;
    const o = this.offset;
    b[o] = value >>> 8;
    b[o + 1] = value;
    this.offset = o + 2;
  }

  int32(value: number): void {
    this.reserve(4);
    this.put32(value, this.offset);
    this.offset += 4;
  }

  /** A field of 8 bytes: its length, then a safe integer as a 64-bit two's complement number. */
  int64Field(value: number): void {
    const high = Math.floor(value / TWO_32);
    this.reserve(12);
    const o = this.offset;
    this.put32(8, o);
    this.put32(high, o + 4);
    this.put32(value - high * TWO_32, o + 8);
    this.offset = o + 12;
  }

  /** A field of 8 bytes: its length, then a float64. */
  float64Field(value: number): void {
    this.reserve(12);
    this.put32(8, this.offset);
    this.offset = this.buffer.writeDoubleBE(value, this.offset + 4);
  }

  /** A length-prefixed field of UTF-8 text, after an optional version byte (jsonb's binary form). */
  text(value: string, versionByte?: number): void {
    const prefix = versionByte === undefined ? 0 : 1;
    const start = this.offset + 4 + prefix;
    const length = value.length;
    // Room for the text as if it were ASCII (most is); write() stops short when it is not.
    this.reserve(4 + prefix + length + 4);
    if (versionByte !== undefined) this.buffer[start - 1] = versionByte;
    if (length <= SHORT_TEXT && this.ascii(value, start)) {
      this.put32(prefix + length, this.offset);
      this.offset = start + length;
      return;
    }
    let written = this.buffer.write(value, start, 'utf8');
    if (this.buffer.length - start - written < 4) {
      // Possibly cut short (within a character of the end): make room for the exact size, write again.
      this.reserve(4 + prefix + Buffer.byteLength(value, 'utf8'));
      written = this.buffer.write(value, start, 'utf8');
      if (versionByte !== undefined) this.buffer[start - 1] = versionByte;
    }
    this.put32(prefix + written, this.offset);
    this.offset = start + written;
  }

  /** Leaves room for a field's length, filled in by {@link endField} once the field is written. */
  startField(): number {
    this.reserve(4);
    const at = this.offset;
    this.offset += 4;
    return at;
  }

  endField(at: number): void {
    this.put32(this.offset - at - 4, at);
  }

  done(): Buffer {
    return this.buffer.subarray(0, this.offset);
  }

  private put32(value: number, at: number): void {
    const b = this.buffer;
    b[at] = value >>> 24;
    b[at + 1] = value >>> 16;
    b[at + 2] = value >>> 8;
    b[at + 3] = value;
  }

  /** Copies `value` at `at` if every character is ASCII (room reserved); false, with nothing promised written, if not. */
  private ascii(value: string, at: number): boolean {
    const b = this.buffer;
    for (let i = 0; i < value.length; i++) {
      const code = value.charCodeAt(i);
      if (code > 0x7f) return false;
      b[at + i] = code;
    }
    return true;
  }
}

/** Writes one non-null value of a column's type in the type's binary (send/receive) form. */
type FieldEncoder = (out: CopyBuffer, value: unknown) => void;

const ENCODERS: Readonly<Record<string, FieldEncoder>> = {
  text: (out, value) => out.text(typeof value === 'string' ? value : String(value)),
  // A row's own JSON (its attributes, its events) is stringified once and never again: remembering
  // its text (a WeakMap entry per object) cost more than the stringify. Texts already known (a
  // tool's input as it arrived) are used as they are.
  jsonb: (out, value) => out.text(knownJsonText(value as object) ?? JSON.stringify(value), 1),
  /** For a value many rows share (one resource for every span of a process): stringified once. */
  'jsonb shared': (out, value) => out.text(jsonText(value as JsonValue), 1),
  timestamptz: (out, value) => {
    // What JSON would send as null (an invalid Date) is NULL here too: both write paths store the same.
    const ms = value instanceof Date ? value.getTime() : Date.parse(String(value));
    if (Number.isNaN(ms)) return out.int32(NULL_FIELD);
    const micros = (ms - POSTGRES_EPOCH_MS) * 1000;
    if (!Number.isSafeInteger(micros)) throw new CopyEncodingError(`time ${String(value)} is out of range`);
    out.int64Field(micros);
  },
  uuid: (out, value) => {
    // uuid_recv takes the 16 bytes; the text form's hex digits without the dashes.
    const hex = String(value).replaceAll('-', '');
    if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new CopyEncodingError(`${String(value)} is not a UUID`);
    out.int32(16);
    out.bytes(Buffer.from(hex, 'hex'));
  },
  boolean: (out, value) => {
    out.int32(1);
    out.uint8(value ? 1 : 0);
  },
  'double precision': (out, value) => {
    const n = Number(value);
    if (!Number.isFinite(n)) return out.int32(NULL_FIELD);
    out.float64Field(n);
  },
  bigint: (out, value) => {
    const n = Number(value);
    if (!Number.isFinite(n)) return out.int32(NULL_FIELD);
    // Past 2^53 the number is not exact; let the INSERT path give the database's verdict.
    if (!Number.isSafeInteger(n)) throw new CopyEncodingError(`${String(value)} is not a whole number COPY can carry exactly`);
    out.int64Field(n);
  },
  'text[]': (out, value) => {
    if (!Array.isArray(value)) throw new CopyEncodingError(`expected a list for a text[] column, got ${typeof value}`);
    const at = out.startField();
    // Array header: dimensions, has-nulls flag, element type; then each dimension's length and lower bound.
    out.int32(value.length === 0 ? 0 : 1);
    // Stryker disable next-line all: PostgreSQL's array_recv checks only that the flag is 0 or 1 and knows NULL elements by their length of -1, so no test can see this flag; it is written as the format documents.
    out.int32(value.some((item) => item === null || item === undefined) ? 1 : 0);
    out.int32(TEXT_OID);
    if (value.length > 0) {
      out.int32(value.length);
      out.int32(1);
    }
    for (const item of value) {
      if (item === null || item === undefined) out.int32(NULL_FIELD);
      else out.text(String(item));
    }
    out.endField(at);
  },
};

/** Columns whose value is one object shared by many rows of a batch. */
const SHARED_VALUE_COLUMNS: ReadonlySet<string> = new Set(['resource']);

/** A table's columns and their encoders, looked up once per column map instead of once per value. */
interface CompiledColumns {
  readonly names: readonly string[];
  readonly encoders: readonly FieldEncoder[];
}

const compiled = new WeakMap<object, CompiledColumns>();

function compile(columns: Readonly<Record<string, string>>): CompiledColumns {
  let found = compiled.get(columns);
  if (!found) {
    const names = Object.keys(columns);
    const encoders = names.map((name) => {
      const type = columns[name] as string;
      const encoder = ENCODERS[SHARED_VALUE_COLUMNS.has(name) && type === 'jsonb' ? 'jsonb shared' : type];
      if (encoder) return encoder;
      return () => {
        throw new CopyEncodingError(`no binary COPY encoding for column type ${type}`);
      };
    });
    found = { names, encoders };
    compiled.set(columns, found);
  }
  return found;
}

/** Bytes a row took in the last batch, per table (its column map). */
const bytesPerRow = new WeakMap<object, number>();

/**
 * Rows as the body of `COPY … FROM STDIN WITH (FORMAT binary)`: header, one tuple a row with its
 * fields in the order of `columns` (name → SQL type), trailer. Hand-written: PostgreSQL documents
 * the format, and no maintained package writes it for these types.
 *
 * @throws {@link CopyEncodingError} for a value the column's binary form cannot carry.
 */
export function copyBinary(rows: readonly TableRow[], columns: Readonly<Record<string, string>>): Buffer {
  const { names, encoders } = compile(columns);
  const count = names.length;
  // Sized from the last batch of the same table, so the buffer rarely has to grow (and be copied).
  const out = new CopyBuffer(Math.ceil(rows.length * (bytesPerRow.get(columns) ?? 512) * 1.25));
  out.bytes(SIGNATURE);
  out.int32(0); // flags
  out.int32(0); // header extension length
  for (const row of rows) {
    out.int16(count);
    for (let c = 0; c < count; c++) {
      const value = row[names[c] as string];
      if (value === null || value === undefined) out.int32(NULL_FIELD);
      else (encoders[c] as FieldEncoder)(out, value);
    }
  }
  out.int16(-1);
  const body = out.done();
  if (rows.length > 0) bytesPerRow.set(columns, body.length / rows.length);
  return body;
}

