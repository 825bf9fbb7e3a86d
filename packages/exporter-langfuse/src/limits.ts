import { jsonText, knownJsonText, type JsonObject, type JsonValue } from '@mini-agent/core';
import type { LangfuseBatch, LangfuseObservation, LangfuseTrace } from './model.js';
import { MetadataKeys } from './metadata-keys.js';
import type { MaskedField, MaskFunction } from './options.js';

/** What applying the limits changed, for the sink's stats. */
export interface LimitCounts {
  truncatedFields: number;
  maskFailures: number;
}

/** What a value becomes when the user's mask function throws: the unmasked value is never sent. */
export const MASK_FAILED = '[mini-agent: mask function failed, value withheld]';

/** UTF-8 size of a string. */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Serialized size of a value as it travels: strings as they are, everything else as JSON. */
export function fieldBytes(value: JsonValue | null): number {
  if (value === null) return 0;
  return utf8Bytes(typeof value === 'string' ? value : jsonText(value));
}

/**
 * Whether a value's serialized size is within `maxBytes`; counts bytes only when characters alone
 * cannot tell. `perKey`: the object travels one key at a time (metadata on the OTLP transport), so
 * it is first bounded from its keys and values without making any text; anything else (and an
 * object the bound cannot clear) is measured by its whole JSON text, which is usually the text it arrived in (see `jsonText`).
 */
function fits(value: JsonValue, maxBytes: number, perKey: boolean): boolean {
  // UTF-8 takes at most 3 bytes per UTF-16 code unit.
  if (perKey && typeof value === 'object' && value !== null && !Array.isArray(value) && objectTextLength(value, maxBytes / 3) * 3 <= maxBytes) return true;
  const text = typeof value === 'string' ? value : jsonText(value);
  return text.length * 3 <= maxBytes || utf8Bytes(text) <= maxBytes;
}

/**
 * An upper bound of the length of an object's JSON text, from its keys and values, walked without
 * making any text (metadata objects are fresh per batch: stringifying them here and caching the
 * text cost more than the walk). A text already known is used as it is; a key or string is bounded
 * by its length (JSON escapes a code unit into at most six characters), a scalar by 24. Stops
 * once past `limit`.
 */
function objectTextLength(value: { [key: string]: JsonValue }, limit: number): number {
  let length = 1;
  for (const key in value) {
    length += key.length * 6 + 4 + jsonLengthBound(value[key] as JsonValue, limit - length);
    if (length > limit) break;
  }
  return length;
}

function jsonLengthBound(value: JsonValue, limit: number): number {
  if (typeof value === 'string') return value.length * 6 + 2;
  if (value === null || typeof value !== 'object') return 24; // a number's or a boolean's text is at most 24 characters
  const known = knownJsonText(value);
  if (known !== undefined) return known.length;
  let length = 2;
  if (Array.isArray(value)) {
    for (const item of value) {
      length += 1 + jsonLengthBound(item, limit - length);
      if (length > limit) break;
    }
    return length;
  }
  return length - 1 + objectTextLength(value, limit - 1);
}

/** The visible note left where a value was cut. */
export function truncationNote(originalBytes: number, limitBytes: number): string {
  return `…[truncated by mini-agent: ${originalBytes} bytes, limit ${limitBytes}]`;
}

/**
 * Brings a value under `maxBytes`. Objects keep their shape when cutting their longest strings is
 * enough; otherwise the value becomes its JSON text, cut, with a note of the original size.
 * `perKey`: the value is an object sent one key at a time (see {@link fits}).
 */
export function truncateJson(value: JsonValue | null, maxBytes: number, perKey = false): { value: JsonValue | null; truncated: boolean } {
  if (value === null || fits(value, maxBytes, perKey)) return { value, truncated: false };
  const size = fieldBytes(value);
  if (typeof value === 'object') {
    for (let leafLimit = Math.floor(maxBytes / 2); leafLimit >= 256; leafLimit = Math.floor(leafLimit / 2)) {
      const shrunk = capStrings(value, leafLimit);
      if (fieldBytes(shrunk) <= maxBytes) return { value: shrunk, truncated: true };
    }
  }
  const text = typeof value === 'string' ? value : jsonText(value);
  return { value: cutString(text, maxBytes, size), truncated: true };
}

function capStrings(value: JsonValue, leafLimit: number): JsonValue {
  if (typeof value === 'string') return utf8Bytes(value) > leafLimit ? cutString(value, leafLimit, utf8Bytes(value)) : value;
  if (Array.isArray(value)) return value.map((item) => capStrings(item, leafLimit));
  if (value !== null && typeof value === 'object') {
    const out: JsonObject = {};
    for (const [key, item] of Object.entries(value)) out[key] = capStrings(item, leafLimit);
    return out;
  }
  return value;
}

function cutString(text: string, maxBytes: number, originalBytes: number): string {
  const note = truncationNote(originalBytes, maxBytes);
  const buffer = Buffer.from(text, 'utf8');
  let keep = Math.max(0, maxBytes - utf8Bytes(note));
  // Step back to a character boundary: never leave half of a multi-byte character.
  while (keep > 0 && ((buffer[keep] ?? 0) & 0xc0) === 0x80) keep -= 1;
  return buffer.subarray(0, keep).toString('utf8') + note;
}

/**
 * Applies the user's mask, then the field size limit, to every input, output, metadata and status
 * message of a batch. Runs before anything is encoded for a transport.
 */
export function applyLimits(
  batch: LangfuseBatch,
  settings: { mask: MaskFunction | undefined; maxFieldBytes: number },
  counts: LimitCounts,
): LangfuseBatch {
  const field = (value: JsonValue | null, name: MaskedField): JsonValue | null => {
    const masked = settings.mask ? applyMask(settings.mask, value, name, counts) : value;
    const limited = truncateJson(masked, settings.maxFieldBytes, name === 'metadata');
    if (limited.truncated) counts.truncatedFields += 1;
    return limited.value;
  };
  const metadata = (value: JsonObject): JsonObject => {
    const out = field(value, 'metadata');
    // Metadata stays an object on the wire; a mask or a cut that made it something else is wrapped.
    return out !== null && typeof out === 'object' && !Array.isArray(out) ? out : { [MetadataKeys.MASKED]: out };
  };
  const text = (value: string | null): string | null => {
    if (value === null) return null;
    const limited = truncateJson(value, settings.maxFieldBytes);
    if (limited.truncated) counts.truncatedFields += 1;
    return limited.value as string;
  };
  const traces = batch.traces.map((t): LangfuseTrace => ({
    ...t,
    input: field(t.input, 'input'),
    output: field(t.output, 'output'),
    metadata: metadata(t.metadata),
  }));
  const observations = batch.observations.map((o): LangfuseObservation => {
    const input = field(o.input, 'input');
    const output = field(o.output, 'output');
    const meta = metadata(o.metadata);
    const statusMessage = text(o.statusMessage);
    const otelStatusMessage = text(o.otel.statusMessage);
    // Nearly every observation is within the limits: kept as it is, not copied (30 fields each).
    if (input === o.input && output === o.output && meta === o.metadata && statusMessage === o.statusMessage && otelStatusMessage === o.otel.statusMessage) return o;
    const otel = otelStatusMessage === o.otel.statusMessage ? o.otel : { ...o.otel, statusMessage: otelStatusMessage };
    return { ...o, input, output, metadata: meta, statusMessage, otel };
  });
  return { traces, observations };
}

function applyMask(mask: MaskFunction, value: JsonValue | null, field: MaskedField, counts: LimitCounts): JsonValue | null {
  try {
    const masked = mask({ data: value, field });
    if (masked === undefined || masked === null) return null;
    // Whatever the mask returns must survive JSON, like every value on the wire.
    return JSON.parse(JSON.stringify(masked)) as JsonValue;
  } catch {
    counts.maskFailures += 1;
    return MASK_FAILED;
  }
}
