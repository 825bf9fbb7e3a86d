import type { SanitizeCounters } from './counters.js';
import type { Redactor } from './redact.js';
import { REDACTED } from './redact.js';
import type { JsonObject, JsonValue } from './records.js';

/** Limits applied to every value on its way to the sinks. */
export interface SanitizeLimits {
  /** Longest string kept, in UTF-16 code units (~bytes for ASCII). Default 1 MiB. */
  readonly maxStringLength: number;
  /** Deepest nesting kept in objects and arrays. Default 32. */
  readonly maxDepth: number;
}

export const DEFAULT_LIMITS: SanitizeLimits = { maxStringLength: 1024 * 1024, maxDepth: 32 };

/** Replaces what was cut with a visible, greppable note of how much there was. */
export function truncationMarker(originalLength: number): string {
  return `…[truncated by mini-agent: ${originalLength} chars]`;
}

/** What a value nested deeper than the limit becomes. */
export const TOO_DEEP = '[too deep]';
/** What a value that refers back to itself becomes. */
export const CIRCULAR = '[circular]';

// NUL (Postgres text and jsonb reject it) and UTF-16 surrogates that are not part of a pair.
const NEEDS_FIX = /[\u0000\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Makes any value storable everywhere (Postgres text and jsonb, JSON over HTTP): strings without
 * NUL bytes or lone surrogates, finite numbers, bounded size and depth, no cycles, secrets masked.
 * Every change is counted and leaves a visible marker, so nothing is altered silently.
 */
export class Sanitizer {
  constructor(
    private readonly counters: SanitizeCounters,
    private readonly redactor: Redactor,
    readonly limits: SanitizeLimits = DEFAULT_LIMITS,
  ) {}

  /** A storable string: NUL → U+FFFD, lone surrogates → U+FFFD, over-long → truncated, secrets masked. */
  string(value: string, key?: string): string {
    if (key !== undefined && this.redactor.isSecretKey(key) && value !== '') {
      this.counters.add('redacted');
      return REDACTED;
    }
    let out = value;
    if (out.length > this.limits.maxStringLength) {
      this.counters.add('truncated');
      let cut = this.limits.maxStringLength;
      // Never cut a surrogate pair in half.
      if (/[\uD800-\uDBFF]/.test(out.charAt(cut - 1))) cut -= 1;
      out = out.slice(0, cut) + truncationMarker(value.length);
    }
    if (NEEDS_FIX.test(out)) {
      if (out.includes('\u0000')) {
        this.counters.add('nul_byte');
        out = out.replaceAll('\u0000', '\uFFFD');
      }
      const fixed = out.replace(LONE_SURROGATE, '\uFFFD');
      if (fixed !== out) this.counters.add('lone_surrogate');
      out = fixed;
    }
    if (key !== undefined && this.redactor.isAllowed(key)) return out;
    const redacted = this.redactor.redactString(out);
    if (redacted.count > 0) this.counters.add('redacted', redacted.count);
    return redacted.value;
  }

  /** A finite number, or `null` (counted) for NaN and ±Infinity, which neither JSON nor jsonb accept. */
  number(value: number): number | null {
    if (Number.isFinite(value)) return value;
    this.counters.add('non_finite_number');
    return null;
  }

  /**
   * Any value as storable JSON. Unknown types (functions, symbols, bigints, class instances
   * that do not serialize) become strings or markers instead of throwing.
   */
  json(value: unknown, key?: string): JsonValue {
    return this.walk(value, key, 0, new Set());
  }

  /** Like {@link json}, for a string that may hold JSON: parsed when it is JSON, kept as a string when not. */
  jsonFromString(value: string, key?: string): JsonValue {
    if (key !== undefined && this.redactor.isSecretKey(key)) return this.string(value, key);
    // Too long to keep whole: keep the truncated text rather than parse megabytes to cut them.
    if (value.length <= this.limits.maxStringLength && looksLikeJson(value)) {
      try {
        return this.json(JSON.parse(value) as unknown, key);
      } catch {
        // Not JSON after all (or nested too deep for the parser): kept as text below.
      }
    }
    return this.string(value, key);
  }

  /** Attributes as a JSON object: every key kept, every value made storable. */
  attributes(attributes: Readonly<Record<string, unknown>>): JsonObject {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(attributes)) {
      if (v === undefined) continue;
      out[this.string(k)] = this.walk(v, k, 1, new Set());
    }
    return out;
  }

  private walk(value: unknown, key: string | undefined, depth: number, seen: Set<object>): JsonValue {
    switch (typeof value) {
      case 'string':
        return this.string(value, key);
      case 'number':
        if (key !== undefined && this.redactor.isSecretKey(key)) return this.string(String(value), key);
        return this.number(value);
      case 'boolean':
        return value;
      case 'bigint':
        return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
      case 'undefined':
        return null;
      case 'function':
      case 'symbol':
        this.counters.add('unserializable');
        return `[${typeof value}]`;
    }
    if (value === null) return null;
    const obj = value as object;
    if (depth >= this.limits.maxDepth) {
      this.counters.add('too_deep');
      return TOO_DEEP;
    }
    if (seen.has(obj)) {
      this.counters.add('circular');
      return CIRCULAR;
    }
    if (key !== undefined && this.redactor.isSecretKey(key)) {
      this.counters.add('redacted');
      return REDACTED;
    }
    seen.add(obj);
    try {
      if (obj instanceof Date) {
        if (Number.isNaN(obj.getTime())) {
          this.counters.add('invalid_time');
          return null;
        }
        return obj.toISOString();
      }
      if (Array.isArray(obj) || ArrayBuffer.isView(obj)) {
        return Array.from(obj as ArrayLike<unknown>, (item) => this.walk(item, undefined, depth + 1, seen));
      }
      if (obj instanceof Map) {
        return this.walk(Object.fromEntries(obj), key, depth, seen);
      }
      if (obj instanceof Error) {
        return { name: this.string(obj.name), message: this.string(obj.message) };
      }
      const toJSON = (obj as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') {
        return this.walk(toJSON.call(obj), key, depth + 1, seen);
      }
      const out: JsonObject = {};
      for (const [k, v] of Object.entries(obj)) {
        if (v === undefined || typeof v === 'function') continue;
        out[this.string(k)] = this.walk(v, k, depth + 1, seen);
      }
      return out;
    } catch {
      this.counters.add('unserializable');
      return '[unserializable]';
    } finally {
      seen.delete(obj);
    }
  }
}

/** Cheap check before `JSON.parse`: objects, arrays, and quoted strings only (not bare numbers or words). */
function looksLikeJson(s: string): boolean {
  const first = s.trimStart().charAt(0);
  return first === '{' || first === '[' || first === '"';
}
