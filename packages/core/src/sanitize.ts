import type { SanitizeCounters } from './counters.js';
import type { Redactor } from './redact.js';
import { rememberJsonText } from './json-text.js';
import { DEFAULT_CANDIDATES_SOURCE, REDACTED } from './redact.js';
import type { JsonObject, JsonValue } from './records.js';

/** Limits applied to every value on its way to the sinks. */
export interface SanitizeLimits {
  /** Longest string kept, in UTF-16 code units (~bytes for ASCII). Default 1 MiB. */
  readonly maxStringLength: number;
  /** Deepest nesting kept in objects and arrays. Default 32. */
  readonly maxDepth: number;
  /** Most items kept of one array; the rest become one marker item. Default 10,000. */
  readonly maxArrayLength: number;
  /**
   * Longest name or id kept (tool, model, session, metric type, span name), in UTF-16 code units.
   * Names are indexed and grouped by, and an index entry has to fit in a third of a database page.
   * Default 512.
   */
  readonly maxNameLength: number;
}

/** The limits `interpret()` applies unless told otherwise. */
export const DEFAULT_LIMITS: SanitizeLimits = { maxStringLength: 1024 * 1024, maxDepth: 32, maxArrayLength: 10_000, maxNameLength: 512 };

/** Replaces what was cut with a visible, greppable note of how much there was. */
export function truncationMarker(originalLength: number): string {
  return `…[truncated by mini-agent: ${originalLength} chars]`;
}

/** The last item of an array cut at `maxArrayLength`. */
export function arrayTruncationMarker(omitted: number): string {
  return `…[${omitted} more items truncated by mini-agent]`;
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
  /**
   * The last long strings found clear (nothing to fix, nothing a pattern could match): a tool's
   * input is sanitized as a span attribute and then parsed as the tool's input, one right after
   * the other, and the second pass need not scan it again. Compared by identity: the same string.
   */
  private readonly recentClear: string[] = [];
  /** Attribute names found storable as they are (see {@link attributeName}). */
  private readonly clearNames = new Set<string>();

  constructor(
    private readonly counters: SanitizeCounters,
    private readonly redactor: Redactor,
    readonly limits: SanitizeLimits = DEFAULT_LIMITS,
  ) {}

  /**
   * A storable string: NUL → U+FFFD, lone surrogates → U+FFFD, over-long → truncated, secrets
   * masked (unless `allowed`: the user exempted the field it sits in).
   */
  string(value: string, key?: string, allowed = false): string {
    if (typeof value !== 'string') return this.string(String(value), key, allowed);
    if (!allowed && key !== undefined && this.redactor.isSecretKey(key) && value !== '') {
      this.counters.add('redacted');
      return REDACTED;
    }
    if (value.length <= this.limits.maxStringLength && this.isUntouched(value)) {
      if (value.length >= RECENT_CLEAR_MIN_LENGTH) this.rememberClear(value);
      return value;
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
    if (allowed || (key !== undefined && this.redactor.isAllowed(key))) return out;
    if (this.redactor.isClearText(out)) {
      if (out === value && value.length >= RECENT_CLEAR_MIN_LENGTH) this.rememberClear(value);
      return out;
    }
    const redacted = this.redactor.redactString(out);
    if (redacted.count > 0) this.counters.add('redacted', redacted.count);
    return redacted.value;
  }

  /**
   * True when one scan finds nothing that any step of {@link string} or {@link stringValue} looks
   * for: no NUL or surrogate, no candidate of a default pattern, no word a secret's key name holds
   * (so no JSON key to mask under either). Most strings are like that; they were scanned three times.
   */
  private isUntouched(value: string): boolean {
    if (!this.redactor.enabled) return !NEEDS_FIX.test(value);
    return !this.redactor.hasCustomPatterns && !WORTH_A_LOOK.test(value);
  }

  private rememberClear(value: string): void {
    if (this.recentClear.length >= RECENT_CLEAR_SLOTS) this.recentClear.shift();
    this.recentClear.push(value);
  }

  /** A storable name or id: like {@link string}, and cut at `maxNameLength` with a marker. */
  name(value: string): string {
    const out = this.string(value);
    if (out.length <= this.limits.maxNameLength) return out;
    this.counters.add('truncated');
    let cut = this.limits.maxNameLength;
    if (/[\uD800-\uDBFF]/.test(out.charAt(cut - 1))) cut -= 1;
    return out.slice(0, cut) + truncationMarker(out.length);
  }

  /**
   * A count (tokens): a whole number from 0 to 2^53, else `null` (counted as `invalid_number`), so
   * it fits the integer columns it is stored in. A fraction is rounded, and counted too.
   */
  count(value: number): number | null {
    const n = this.number(value);
    if (n === null) return null;
    if (n < 0 || n > Number.MAX_SAFE_INTEGER) {
      this.counters.add('invalid_number');
      return null;
    }
    if (Number.isInteger(n)) return n;
    this.counters.add('invalid_number');
    return Math.round(n);
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
  json(value: unknown, key?: string, allowed = false): JsonValue {
    return this.walk(value, key, 0, new Set(), allowed);
  }

  /** Like {@link json}, for a string that may hold JSON: parsed when it is JSON, kept as a string when not. */
  jsonFromString(value: string, key?: string, allowed = false): JsonValue {
    if (!allowed && key !== undefined && this.redactor.isSecretKey(key)) return this.string(value, key);
    // Too long to keep whole: keep the truncated text rather than parse megabytes to cut them.
    if (value.length <= this.limits.maxStringLength && looksLikeJson(value)) {
      try {
        const parsed = JSON.parse(value) as unknown;
        // JSON text without escapes holds its keys and strings verbatim: when the whole text needs
        // no fixing and holds nothing a secret pattern could match, none of its parts does either,
        // and one scan of the text stands for a scan of each key and string.
        const clear = !value.includes('\\') && (this.recentClear.includes(value) || (!NEEDS_FIX.test(value) && this.redactor.isClearText(value)));
        const changesBefore = this.counters.total;
        const out = this.walkParsed(parsed, key, 0, allowed, clear);
        // Every change is counted: none means the text is still the value's JSON, and the sinks
        // can send it as it came instead of stringifying the value again.
        if (this.counters.total === changesBefore) rememberJsonText(out, value);
        return out;
      } catch {
        // Not JSON after all (or nested too deep for the parser): kept as text below.
      }
    }
    return this.string(value, key, allowed);
  }

  /** Attributes as a JSON object: every key kept, every value made storable. */
  attributes(attributes: Readonly<Record<string, unknown>>): JsonObject {
    const out: JsonObject = {};
    // Own keys by `for…in`, not `Object.entries`: its [key, value] pair per attribute was ~1 KB a span of garbage.
    for (const k in attributes) {
      if (!Object.hasOwn(attributes, k)) continue;
      const v = attributes[k];
      if (v === undefined) continue;
      // Only an object (an array value) can hold a cycle to look for.
      out[this.attributeName(k)] = this.walk(v, k, 1, typeof v === 'object' && v !== null ? new Set() : NO_SEEN);
    }
    return out;
  }

  /**
   * An attribute's name made storable. The same few dozen names recur on every span, and names
   * like `gen_ai.usage.input_tokens` hold a word a secret's name holds, so each took the slow path
   * of {@link string} every time. A name that came back unchanged, and changed no counter, is
   * remembered (bounded), and returned as it is the next time.
   */
  private attributeName(key: string): string {
    if (this.clearNames.has(key)) return key;
    const changesBefore = this.counters.total;
    const name = this.string(key);
    if (name === key && this.counters.total === changesBefore && this.clearNames.size < CLEAR_NAMES_LIMIT) this.clearNames.add(key);
    return name;
  }

  /**
   * A string value of an attribute or of parsed JSON. When it is itself JSON text with a key named
   * like a secret (a tool input kept raw on the span), it is parsed so that key's value is masked
   * too, and stored as the JSON text of the sanitized value.
   */
  private stringValue(value: string, key: string | undefined, allowed: boolean): string {
    if (value.length <= this.limits.maxStringLength && this.isUntouched(value)) {
      if (!allowed && key !== undefined && value !== '' && this.redactor.isSecretKey(key)) {
        this.counters.add('redacted');
        return REDACTED;
      }
      if (value.length >= RECENT_CLEAR_MIN_LENGTH) this.rememberClear(value);
      return value;
    }
    if (!allowed && this.redactor.enabled && value.length <= this.limits.maxStringLength && looksLikeJson(value) && SECRET_NAME_IN_JSON.test(value)) {
      try {
        const parsed = JSON.parse(value) as unknown;
        if (parsed !== null && typeof parsed === 'object') return JSON.stringify(this.walkParsed(parsed, key, 1, false, false));
      } catch {
        // Not JSON after all: masked as text below.
      }
    }
    return this.string(value, key, allowed);
  }

  /**
   * {@link walk} for a value fresh from `JSON.parse`, owned by nobody else: it is fixed in place
   * instead of copied, which halved the objects a payload costs (the copy was all garbage). Only
   * JSON's types can occur (no cycles, dates, maps, functions). An object with a key that
   * sanitizing changes, or a `__proto__` key, is rebuilt as {@link walk} builds it, so the result
   * is the same value {@link walk} gives.
   */
  private walkParsed(value: unknown, key: string | undefined, depth: number, allowedAbove: boolean, clear: boolean): JsonValue {
    if (value === null || typeof value !== 'object') return this.walk(value, key, depth, NO_SEEN, allowedAbove, clear);
    const allowed = allowedAbove || (key !== undefined && this.redactor.isAllowed(key));
    if (depth >= this.limits.maxDepth) {
      this.counters.add('too_deep');
      return TOO_DEEP;
    }
    if (!allowed && key !== undefined && this.redactor.isSecretKey(key)) {
      this.counters.add('redacted');
      return REDACTED;
    }
    if (Array.isArray(value)) {
      const items = value as unknown[];
      const length = items.length;
      const kept = Math.min(length, this.limits.maxArrayLength);
      for (let i = 0; i < kept; i++) {
        const item = items[i];
        const out = this.walkParsed(item, undefined, depth + 1, allowed, clear);
        if (out !== item) items[i] = out;
      }
      if (kept < length) {
        this.counters.add('truncated');
        items.length = kept;
        items.push(arrayTruncationMarker(length - kept));
      }
      return items as JsonValue[];
    }
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    let rebuilt: JsonObject | undefined;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const item = obj[k];
      const name = clear && k.length <= this.limits.maxStringLength ? k : this.string(k);
      const out = this.walkParsed(item, k, depth + 1, allowed, clear);
      if (rebuilt === undefined && (name !== k || k === '__proto__')) {
        rebuilt = {};
        for (let j = 0; j < i; j++) rebuilt[keys[j]!] = obj[keys[j]!] as JsonValue;
      }
      if (rebuilt !== undefined) rebuilt[name] = out;
      else if (out !== item) obj[k] = out;
    }
    return rebuilt ?? (obj as JsonObject);
  }

  /**
   * `clear`: the value was parsed from JSON text already scanned whole (see {@link jsonFromString}),
   * so its strings and keys need only the checks that depend on them alone: length, secret names.
   */
  private walk(value: unknown, key: string | undefined, depth: number, seen: Set<object>, allowedAbove = false, clear = false): JsonValue {
    // An allowed name exempts its whole value, however deep.
    const allowed = allowedAbove || (key !== undefined && this.redactor.isAllowed(key));
    switch (typeof value) {
      case 'string':
        if (clear && value.length <= this.limits.maxStringLength) {
          if (!allowed && key !== undefined && value !== '' && this.redactor.isSecretKey(key)) {
            this.counters.add('redacted');
            return REDACTED;
          }
          return value;
        }
        return this.stringValue(value, key, allowed);
      case 'number':
        if (!allowed && key !== undefined && this.redactor.isSecretKey(key)) return this.string(String(value), key);
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
    if (!allowed && key !== undefined && this.redactor.isSecretKey(key)) {
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
        const items = obj as ArrayLike<unknown>;
        const kept = Math.min(items.length, this.limits.maxArrayLength);
        const out: JsonValue[] = new Array<JsonValue>(kept);
        for (let i = 0; i < kept; i++) out[i] = this.walk(items[i], undefined, depth + 1, seen, allowed, clear);
        if (kept < items.length) {
          this.counters.add('truncated');
          out.push(arrayTruncationMarker(items.length - kept));
        }
        return out;
      }
      if (obj instanceof Map) {
        return this.walk(Object.fromEntries(obj), key, depth, seen, allowed);
      }
      if (obj instanceof Error) {
        return { name: this.string(obj.name, undefined, allowed), message: this.string(obj.message, undefined, allowed) };
      }
      const toJSON = (obj as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') {
        return this.walk(toJSON.call(obj), key, depth + 1, seen, allowed);
      }
      const out: JsonObject = {};
      for (const [k, v] of Object.entries(obj)) {
        if (v === undefined || typeof v === 'function') continue;
        out[clear && k.length <= this.limits.maxStringLength ? k : this.string(k)] = this.walk(v, k, depth + 1, seen, allowed, clear);
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

/** Attribute names remembered as clear at most: enough for every name an agent uses, bounded against hostile spans. */
const CLEAR_NAMES_LIMIT = 10_000;

/** Strings shorter than this are cheap to scan again; remembering them would cost more. */
const RECENT_CLEAR_MIN_LENGTH = 256;
const RECENT_CLEAR_SLOTS = 4;

/** Never read: a primitive passed on to {@link Sanitizer.walk} has no children to look for cycles in. */
const NO_SEEN = new Set<object>();

/**
 * One scan for everything {@link Sanitizer.string} and its JSON check look for: NUL and surrogates,
 * the default patterns' candidates, and the words of {@link SECRET_NAME_IN_JSON} not among them.
 */
const WORTH_A_LOOK = new RegExp(`[\\u0000\\uD800-\\uDFFF]|${DEFAULT_CANDIDATES_SOURCE}|auth|cookie|credential`, 'i');

/** A JSON key that may name a secret; only then is JSON text parsed to look under it. */
const SECRET_NAME_IN_JSON = /"[^"]{0,60}(?:pass|pwd|secret|key|token|auth|cookie|credential)[^"]{0,60}"\s*:/i;

/** Cheap check before `JSON.parse`: objects, arrays, and quoted strings only (not bare numbers or words). */
function looksLikeJson(s: string): boolean {
  const first = s.trimStart().charAt(0);
  return first === '{' || first === '[' || first === '"';
}
