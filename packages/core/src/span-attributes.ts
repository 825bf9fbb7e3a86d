import type { Attributes, AttributeValue } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/sdk-trace-base';

/**
 * Attributes to add to many spans, checked once when made so that adding them to a span is a few
 * property writes: the keys and values in two arrays (an indexed loop, no iterator per span), and
 * what the SDK's limits need to know about them.
 */
export class AttributeSet {
  readonly keys: readonly string[];
  readonly values: readonly AttributeValue[];
  /** The longest string among the values (array elements included): truncation would change it beyond. */
  readonly maxLength: number;
  /** Every key non-empty and every value a string, number, boolean or array of one of them: what the SDK stores as given. */
  readonly plain: boolean;

  constructor(attributes: ReadonlyMap<string, AttributeValue>) {
    this.keys = [...attributes.keys()];
    this.values = [...attributes.values()];
    let maxLength = 0;
    let plain = true;
    for (let i = 0; i < this.keys.length; i++) {
      const value = this.values[i];
      if (this.keys[i] === '' || !isPlain(value)) plain = false;
      if (typeof value === 'string') maxLength = Math.max(maxLength, value.length);
      else if (Array.isArray(value)) for (const v of value) if (typeof v === 'string') maxLength = Math.max(maxLength, v.length);
    }
    this.maxLength = maxLength;
    this.plain = plain;
  }

  /** The set as a plain object. */
  toObject(): Attributes {
    const out: Attributes = {};
    for (let i = 0; i < this.keys.length; i++) out[this.keys[i]!] = this.values[i];
    return out;
  }
}

/** The SDK `Span` fields the fast write reads; the same names on SDK 2.x (`sdk-trace-base`) and 3.x (`sdk-trace`). */
interface SdkSpanFields {
  attributes: Record<string, unknown>;
  _attributesCount?: unknown;
  _ended?: unknown;
  _spanLimits?: { attributeCountLimit?: number; attributeValueLengthLimit?: number };
}

/**
 * Adds to `span` every attribute of `set` that the span does not have yet (its own value wins).
 *
 * Written by hand for speed: `span.setAttribute` validates the value, checks the limits and copies
 * it on every call (six calls cost about as much as the rest of a span's start). The set's values
 * were validated once when it was made, so on an SDK span whose limits they fit (count limit not
 * reached, no value longer than the length limit) this does what `setAttribute` would: stores the
 * value (arrays copied, as both SDK lines do), counts the new key in `_attributesCount`. Any other
 * span (another SDK, a span near its limits, values the SDK would check or truncate) goes through
 * `setAttribute`. Tested against `setAttribute` in `span-attributes.test.ts`.
 */
export function addMissingAttributes(span: Span, set: AttributeSet): void {
  const fields = span as unknown as SdkSpanFields;
  const own = fields.attributes;
  const { keys, values } = set;
  const limits = fields._spanLimits;
  const count = fields._attributesCount;
  if (set.plain && limits !== undefined && typeof count === 'number' && fields._ended === false && typeof own === 'object' && own !== null) {
    const lengthLimit = limits.attributeValueLengthLimit;
    // Both lines ignore a length limit ≤ 0; SDK 2.x has no count limit when it is undefined.
    const fits = (!(lengthLimit! > 0) || lengthLimit! >= set.maxLength) && !(count + keys.length > (limits.attributeCountLimit ?? Infinity));
    if (fits) {
      let added = 0;
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        if (own[key] !== undefined) continue;
        const value = values[i];
        own[key] = Array.isArray(value) ? value.slice() : value;
        added += 1;
      }
      fields._attributesCount = count + added;
      return;
    }
  }
  for (let i = 0; i < keys.length; i++) if (span.attributes[keys[i]!] === undefined) span.setAttribute(keys[i]!, values[i]!);
}

function isPlain(value: unknown): boolean {
  const type = typeof value;
  if (type === 'string' || type === 'boolean' || (type === 'number' && Number.isFinite(value))) return true;
  if (!Array.isArray(value) || value.length === 0) return false;
  const first = typeof value[0];
  if (first !== 'string' && first !== 'boolean' && first !== 'number') return false;
  for (const v of value) if (typeof v !== first || (first === 'number' && !Number.isFinite(v))) return false;
  return true;
}
