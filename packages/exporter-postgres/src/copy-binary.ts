import { jsonText, type JsonValue } from '@mini-agent/core';
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

/**
 * One growing buffer that rows are written straight into: each string is encoded to UTF-8 once, in
 * place, and numbers, booleans and times need no text form (for the server neither).
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
    this.offset = this.buffer.writeInt16BE(value, this.offset);
  }

  int32(value: number): void {
    this.reserve(4);
    this.offset = this.buffer.writeInt32BE(value, this.offset);
  }

  /** A safe integer as a 64-bit two's complement number. */
  int64(value: number): void {
    const high = Math.floor(value / TWO_32);
    this.reserve(8);
    this.buffer.writeInt32BE(high, this.offset);
    this.buffer.writeUInt32BE(value - high * TWO_32, this.offset + 4);
    this.offset += 8;
  }

  float64(value: number): void {
    this.reserve(8);
    this.offset = this.buffer.writeDoubleBE(value, this.offset);
  }

  /** A length-prefixed field of UTF-8 text, after an optional version byte (jsonb's binary form). */
  text(value: string, versionByte?: number): void {
    const prefix = versionByte === undefined ? 0 : 1;
    const start = this.offset + 4 + prefix;
    // Room for the text as if it were ASCII (most is); write() stops short when it is not.
    this.reserve(4 + prefix + value.length + 4);
    let written = this.buffer.write(value, start, 'utf8');
    if (this.buffer.length - start - written < 4) {
      // Possibly cut short (within a character of the end): make room for the exact size, write again.
      this.reserve(4 + prefix + Buffer.byteLength(value, 'utf8'));
      written = this.buffer.write(value, start, 'utf8');
    }
    if (versionByte !== undefined) this.buffer[start - 1] = versionByte;
    this.buffer.writeInt32BE(prefix + written, this.offset);
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
    this.buffer.writeInt32BE(this.offset - at - 4, at);
  }

  done(): Buffer {
    return this.buffer.subarray(0, this.offset);
  }
}

/** One field for a column of SQL type `type`, in the type's binary (send/receive) form. */
function field(out: CopyBuffer, value: unknown, type: string): void {
  if (value === null || value === undefined) return out.int32(NULL_FIELD);
  switch (type) {
    case 'text':
      return out.text(String(value));
    case 'jsonb':
      return out.text(jsonText(value as JsonValue), 1);
    case 'timestamptz': {
      // What JSON would send as null (an invalid Date) is NULL here too: both write paths store the same.
      const ms = value instanceof Date ? value.getTime() : Date.parse(String(value));
      if (Number.isNaN(ms)) return out.int32(NULL_FIELD);
      const micros = (ms - POSTGRES_EPOCH_MS) * 1000;
      if (!Number.isSafeInteger(micros)) throw new CopyEncodingError(`time ${String(value)} is out of range`);
      out.int32(8);
      return out.int64(micros);
    }
    case 'uuid': {
      // uuid_recv takes the 16 bytes; the text form's hex digits without the dashes.
      const hex = String(value).replaceAll('-', '');
      if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new CopyEncodingError(`${String(value)} is not a UUID`);
      out.int32(16);
      return out.bytes(Buffer.from(hex, 'hex'));
    }
    case 'boolean':
      out.int32(1);
      return out.uint8(value ? 1 : 0);
    case 'double precision': {
      const n = Number(value);
      if (!Number.isFinite(n)) return out.int32(NULL_FIELD);
      out.int32(8);
      return out.float64(n);
    }
    case 'bigint': {
      const n = Number(value);
      if (!Number.isFinite(n)) return out.int32(NULL_FIELD);
      // Past 2^53 the number is not exact; let the INSERT path give the database's verdict.
      if (!Number.isSafeInteger(n)) throw new CopyEncodingError(`${String(value)} is not a whole number COPY can carry exactly`);
      out.int32(8);
      return out.int64(n);
    }
    case 'text[]': {
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
      return out.endField(at);
    }
    default:
      throw new CopyEncodingError(`no binary COPY encoding for column type ${type}`);
  }
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
  const names = Object.keys(columns);
  const types = names.map((name) => columns[name] as string);
  // Sized from the last batch of the same table, so the buffer rarely has to grow (and be copied).
  const out = new CopyBuffer(Math.ceil(rows.length * (bytesPerRow.get(columns) ?? 512) * 1.25));
  out.bytes(SIGNATURE);
  out.int32(0); // flags
  out.int32(0); // header extension length
  for (const row of rows) {
    out.int16(names.length);
    for (let c = 0; c < names.length; c++) field(out, row[names[c] as string], types[c] as string);
  }
  out.int16(-1);
  const body = out.done();
  if (rows.length > 0) bytesPerRow.set(columns, body.length / rows.length);
  return body;
}

