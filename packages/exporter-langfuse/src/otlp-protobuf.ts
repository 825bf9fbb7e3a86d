import type { Attributes, AttributeValue } from '@opentelemetry/api';

/**
 * One observation as an OTLP span, ready to encode: ids in hex, times in epoch milliseconds,
 * the OTLP enum values of kind and status, and the attributes the mapping chose. Spans sharing a
 * resource share the same `resource` object (they are grouped by identity).
 */
export interface OtlpSpanData {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | null;
  readonly name: string;
  /** OTLP `Span.SpanKind`: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  readonly kind: number;
  readonly startTimeMs: number;
  readonly endTimeMs: number;
  /** OTLP `Status.StatusCode`: 0 unset, 1 ok, 2 error. */
  readonly statusCode: number;
  readonly statusMessage: string | null;
  readonly attributes: Attributes;
  readonly resource: Attributes;
  /** The attributes' UTF-8 bytes when already counted (for splitting requests by size); not encoded. */
  readonly attributeBytes?: number;
}

/** The instrumentation scope every span of a request is sent under. */
export interface OtlpScope {
  readonly name: string;
  readonly version: string;
}

// Why a writer of our own, and not `@opentelemetry/otlp-transformer`'s serializer: that one takes
// SDK `ReadableSpan`s (hrtime pairs, `spanContext()` closures, `Resource` objects), so every
// observation was first rebuilt as one, and it measures then copies every string with a
// character-by-character loop, twice. Observations carry ~1 KB JSON attributes; here each string's
// UTF-8 length is taken once by V8 (`Buffer.byteLength`) and its bytes copied once by V8
// (`Buffer.write`) into a buffer of the exact size. Only the messages Langfuse's endpoint reads
// are written (ExportTraceServiceRequest, ResourceSpans, Resource, ScopeSpans, Span, Status,
// KeyValue, AnyValue, ArrayValue), field for field as the transformer writes them: the tests
// compare the bytes with its output.

/** Strings up to this length (attribute keys, names, ids of models) are measured and copied in JS. */
const SHORT_STRING = 64;
const SPAN_FLAGS = 0x101; // sampled trace flags | CONTEXT_HAS_IS_REMOTE (the parent is never remote here)
const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63;

/** Encodes spans as one OTLP `ExportTraceServiceRequest`, grouped by resource, under one scope. */
export function encodeTraceRequest(spans: readonly OtlpSpanData[], scope: OtlpScope): Uint8Array {
  const groups = new Map<Attributes, OtlpSpanData[]>();
  for (const span of spans) {
    const group = groups.get(span.resource);
    if (group) group.push(span);
    else groups.set(span.resource, [span]);
  }
  const sizer = new Sizes();
  let total = 0;
  for (const [resource, group] of groups) total += 1 + resourceSpansSize(sizer, resource, group, scope);
  const writer = new Writer(Buffer.allocUnsafe(total), sizer.values, sizer.keyLists);
  for (const [resource, group] of groups) {
    writer.tag(0x0a); // ExportTraceServiceRequest.resource_spans = 1
    writeResourceSpans(writer, resource, group, scope);
  }
  return writer.finish();
}

/**
 * Sizes of length-delimited parts and UTF-8 lengths of strings, in the order the write pass meets
 * them. A message's slot is reserved before its children are sized, so both passes walk the same
 * tree in the same (pre-)order.
 */
class Sizes {
  /**
   * One array for every request, grown by doubling and reused (encoding is synchronous, so one
   * request at a time): a fresh `number[]` grown push by push was the encoder's largest
   * allocation, ~1.6 KB a span. Lengths are below 2^31: a request is capped far below that.
   */
  private static shared = new Int32Array(4096);
  values = Sizes.shared;
  private length = 0;
  /** The attribute names of each attribute map, in the order the write pass meets the maps. */
  readonly keyLists: string[][] = [];

  private push(value: number): number {
    if (this.length === this.values.length) {
      const grown = new Int32Array(this.values.length * 2);
      grown.set(this.values);
      this.values = Sizes.shared = grown;
    }
    this.values[this.length] = value;
    return this.length++;
  }

  reserve(): number {
    return this.push(0);
  }

  /** A string field's length and payload bytes (without the tag). */
  string(value: string): number {
    const bytes = value.length <= SHORT_STRING && isAscii(value) ? value.length : Buffer.byteLength(value, 'utf8');
    this.push(bytes);
    return varintSize(bytes) + bytes;
  }

  /** Records a message's size in its slot; returns its length prefix plus the size. */
  close(slot: number, size: number): number {
    this.values[slot] = size;
    return varintSize(size) + size;
  }
}

function resourceSpansSize(s: Sizes, resource: Attributes, spans: readonly OtlpSpanData[], scope: OtlpScope): number {
  const slot = s.reserve();
  const resourceSlot = s.reserve();
  const resourceBody = attributesSize(s, resource) + 2; // attributes, dropped_attributes_count = 0
  let size = 1 + s.close(resourceSlot, resourceBody);
  const scopeSpansSlot = s.reserve();
  const scopeSlot = s.reserve();
  let scopeSpans = 1 + s.close(scopeSlot, 1 + s.string(scope.name) + (scope.version ? 1 + s.string(scope.version) : 0));
  for (const span of spans) scopeSpans += 1 + spanSize(s, span);
  size += 1 + s.close(scopeSpansSlot, scopeSpans);
  return s.close(slot, size);
}

function spanSize(s: Sizes, span: OtlpSpanData): number {
  const slot = s.reserve();
  let size = 2 + 16 + 2 + 8; // trace_id, span_id
  if (span.parentSpanId) size += 2 + 8;
  size += 1 + s.string(span.name);
  size += 2; // kind
  size += 9 + 9; // start and end times, fixed64
  size += attributesSize(s, span.attributes);
  size += 2 + 2 + 2; // dropped attributes, events and links counts (0)
  const statusSlot = s.reserve();
  const status = (span.statusMessage ? 1 + s.string(span.statusMessage) : 0) + 1 + varintSize(span.statusCode);
  size += 1 + s.close(statusSlot, status);
  size += 2 + 4; // flags: a two-byte tag (field 16), fixed32
  return s.close(slot, size);
}

function attributesSize(s: Sizes, attributes: Attributes): number {
  let size = 0;
  // Own keys in insertion order, as the transformer's `for…in` with `hasOwnProperty` meets them,
  // and faster on the dictionary-mode objects attribute maps become.
  const keys = Object.keys(attributes);
  s.keyLists.push(keys);
  for (const key of keys) {
    const slot = s.reserve();
    const keySize = keyField(key).length;
    const valueSlot = s.reserve();
    const value = 1 + s.close(valueSlot, anyValueSize(s, attributes[key]));
    size += 1 + s.close(slot, keySize + value);
  }
  return size;
}

function anyValueSize(s: Sizes, value: AttributeValue | undefined | null): number {
  switch (typeof value) {
    case 'string':
      return 1 + s.string(value);
    case 'boolean':
      return 2;
    case 'number':
      return isInt64(value) ? 1 + int64Size(value) : 9;
    case 'object': {
      if (!Array.isArray(value)) return 0;
      const slot = s.reserve();
      let size = 0;
      for (const item of value as readonly (AttributeValue | null | undefined)[]) {
        const itemSlot = s.reserve();
        size += 1 + s.close(itemSlot, anyValueSize(s, item));
      }
      return 1 + s.close(slot, size);
    }
    default:
      return 0; // unsupported types are written as an empty AnyValue, as the transformer does
  }
}

/** The write pass: tags and values into a buffer of the exact size, lengths taken from {@link Sizes}. */
class Writer {
  private pos = 0;
  private next = 0;

  constructor(
    private readonly buffer: Buffer,
    private readonly sizes: Int32Array,
    private readonly keyLists: readonly string[][],
  ) {}

  private nextKeys = 0;

  /** The names of the next attribute map, as the size pass listed them. */
  keys(): string[] {
    return this.keyLists[this.nextKeys++]!;
  }

  finish(): Uint8Array {
    if (this.pos !== this.buffer.length) throw new Error(`OTLP encoder wrote ${this.pos} of ${this.buffer.length} bytes`);
    return this.buffer;
  }

  tag(byte: number): void {
    this.buffer[this.pos++] = byte;
  }

  /** The length prefix of the next message, from its slot. */
  open(): void {
    this.varint(this.sizes[this.next++]!);
  }

  string(value: string): void {
    const bytes = this.sizes[this.next++]!;
    this.varint(bytes);
    if (bytes === value.length && bytes <= SHORT_STRING) {
      // ASCII (one byte a character) and short: copied here, cheaper than a call into V8's encoder.
      for (let i = 0; i < bytes; i++) this.buffer[this.pos++] = value.charCodeAt(i);
      return;
    }
    this.pos += this.buffer.write(value, this.pos, bytes, 'utf8');
  }

  /** Bytes already encoded (a field with its tag and length). */
  bytes(value: Uint8Array): void {
    this.buffer.set(value, this.pos);
    this.pos += value.length;
  }

  hex(value: string, bytes: number): void {
    this.buffer[this.pos++] = bytes;
    if (this.buffer.write(value, this.pos, bytes, 'hex') !== bytes) throw new Error(`not a ${bytes}-byte hex id: ${value}`);
    this.pos += bytes;
  }

  varint(value: number): void {
    this.pos = writeVarint(this.buffer, this.pos, value);
  }

  int64(value: number): void {
    if (value >= 0) return this.varint(value);
    // Negative int64: ten bytes of two's complement.
    let n = BigInt.asUintN(64, BigInt(value));
    while (n > 0x7fn) {
      this.buffer[this.pos++] = Number(n & 0x7fn) | 0x80;
      n >>= 7n;
    }
    this.buffer[this.pos++] = Number(n);
  }

  double(value: number): void {
    this.pos = this.buffer.writeDoubleLE(value, this.pos);
  }

  fixed32(value: number): void {
    const b = this.buffer;
    b[this.pos++] = value & 0xff;
    b[this.pos++] = (value >>> 8) & 0xff;
    b[this.pos++] = (value >>> 16) & 0xff;
    b[this.pos++] = (value >>> 24) & 0xff;
  }

  /**
   * Epoch milliseconds as fixed64 nanoseconds, in two 32-bit halves: `ms * 1e6` exceeds 2^53, so
   * it is summed from parts that each stay exact in a double (no BigInt, no checked Buffer call).
   */
  nanos(ms: number): void {
    const whole = Math.round(ms);
    const high16 = Math.floor(whole / 0x10000) * 1_000_000; // the upper part's nanoseconds, before × 2^16
    const low16 = (whole % 0x10000) * 1_000_000;
    const low = (high16 % 0x10000) * 0x10000 + (low16 % 0x100000000);
    const high = Math.floor(high16 / 0x10000) + Math.floor(low16 / 0x100000000) + Math.floor(low / 0x100000000);
    this.fixed32(low % 0x100000000);
    this.fixed32(high);
  }
}

function writeResourceSpans(w: Writer, resource: Attributes, spans: readonly OtlpSpanData[], scope: OtlpScope): void {
  w.open();
  w.tag(0x0a); // ResourceSpans.resource = 1
  w.open();
  writeAttributes(w, resource, 0x0a); // Resource.attributes = 1
  w.tag(0x10); // Resource.dropped_attributes_count = 2
  w.varint(0);
  w.tag(0x12); // ResourceSpans.scope_spans = 2
  w.open();
  w.tag(0x0a); // ScopeSpans.scope = 1
  w.open();
  w.tag(0x0a); // InstrumentationScope.name = 1
  w.string(scope.name);
  if (scope.version) {
    w.tag(0x12); // InstrumentationScope.version = 2
    w.string(scope.version);
  }
  for (const span of spans) {
    w.tag(0x12); // ScopeSpans.spans = 2
    writeSpan(w, span);
  }
}

function writeSpan(w: Writer, span: OtlpSpanData): void {
  w.open();
  w.tag(0x0a); // trace_id = 1
  w.hex(span.traceId, 16);
  w.tag(0x12); // span_id = 2
  w.hex(span.spanId, 8);
  if (span.parentSpanId) {
    w.tag(0x22); // parent_span_id = 4
    w.hex(span.parentSpanId, 8);
  }
  w.tag(0x2a); // name = 5
  w.string(span.name);
  w.tag(0x30); // kind = 6
  w.varint(span.kind);
  w.tag(0x39); // start_time_unix_nano = 7
  w.nanos(span.startTimeMs);
  w.tag(0x41); // end_time_unix_nano = 8
  w.nanos(span.endTimeMs);
  writeAttributes(w, span.attributes, 0x4a); // attributes = 9
  w.tag(0x50); // dropped_attributes_count = 10
  w.varint(0);
  w.tag(0x60); // dropped_events_count = 12
  w.varint(0);
  w.tag(0x70); // dropped_links_count = 14
  w.varint(0);
  w.tag(0x7a); // status = 15
  w.open();
  if (span.statusMessage) {
    w.tag(0x12); // Status.message = 2
    w.string(span.statusMessage);
  }
  w.tag(0x18); // Status.code = 3
  w.varint(span.statusCode);
  w.tag(0x85); // flags = 16, fixed32: a two-byte tag
  w.tag(0x01);
  w.fixed32(SPAN_FLAGS);
}

function writeAttributes(w: Writer, attributes: Attributes, tag: number): void {
  for (const key of w.keys()) {
    w.tag(tag);
    w.open();
    w.bytes(keyField(key)); // KeyValue.key = 1
    w.tag(0x12); // KeyValue.value = 2
    w.open();
    writeAnyValue(w, attributes[key]);
  }
}

function writeAnyValue(w: Writer, value: AttributeValue | undefined | null): void {
  switch (typeof value) {
    case 'string':
      w.tag(0x0a); // string_value = 1
      return w.string(value);
    case 'boolean':
      w.tag(0x10); // bool_value = 2
      return w.varint(value ? 1 : 0);
    case 'number':
      if (isInt64(value)) {
        w.tag(0x18); // int_value = 3
        return w.int64(value);
      }
      w.tag(0x21); // double_value = 4
      return w.double(value);
    case 'object':
      if (!Array.isArray(value)) return;
      w.tag(0x2a); // array_value = 5
      w.open();
      for (const item of value as readonly (AttributeValue | null | undefined)[]) {
        w.tag(0x0a); // ArrayValue.values = 1
        w.open();
        writeAnyValue(w, item);
      }
      return;
    default:
      return;
  }
}

/**
 * `KeyValue.key` fields (tag, length, UTF-8 bytes) by attribute name. The same few dozen names
 * (`langfuse.observation.metadata.…`, ~30 bytes each of 18 a span) are on every span: measured
 * and copied one character at a time in both passes, they were a third of the encoder's time.
 */
const KEY_FIELDS = new Map<string, Uint8Array>();
const KEY_FIELDS_LIMIT = 4096;

function keyField(key: string): Uint8Array {
  const known = KEY_FIELDS.get(key);
  if (known !== undefined) return known;
  const bytes = Buffer.byteLength(key, 'utf8');
  const field = Buffer.alloc(1 + varintSize(bytes) + bytes);
  field[0] = 0x0a; // KeyValue.key = 1
  field.write(key, writeVarint(field, 1, bytes), bytes, 'utf8');
  if (KEY_FIELDS.size < KEY_FIELDS_LIMIT) KEY_FIELDS.set(key, field);
  return field;
}

/** Writes `value` as a protobuf varint at `pos`; returns the position after it. */
function writeVarint(buffer: Uint8Array, pos: number, value: number): number {
  while (value > 0x7f) {
    buffer[pos++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 128);
  }
  buffer[pos++] = value;
  return pos;
}

function isAscii(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) > 0x7f) return false;
  return true;
}

function isInt64(value: number): boolean {
  return Number.isInteger(value) && value >= MIN_INT64 && value < MAX_INT64;
}

function int64Size(value: number): number {
  return value < 0 ? 10 : varintSize(value);
}

function varintSize(value: number): number {
  let size = 1;
  while (value > 0x7f) {
    value = Math.floor(value / 128);
    size += 1;
  }
  return size;
}
