import type { JsonValue } from './records.js';

/** JSON text per object: the text it was parsed from, or the one stringified the first time. */
const texts = new WeakMap<object, string>();

/**
 * Notes that `text` is the JSON of `value`: it was parsed from that text and sanitizing left it
 * as it was. Values that are not objects are cheap to stringify and are not kept.
 */
export function rememberJsonText(value: JsonValue, text: string): void {
  if (value !== null && typeof value === 'object') texts.set(value, text);
}

/** The JSON text already known for an object (remembered or made before), without making one. */
export function knownJsonText(value: object): string | undefined {
  return texts.get(value);
}

/**
 * A value's JSON text, made at most once per object. A tool's input or an LLM call's messages
 * arrive as JSON text, are parsed to be sanitized and stay as they were: both sinks then send that
 * text (jsonb, a Langfuse attribute) instead of stringifying the value twice more, which was a
 * fifth of the pipeline's CPU. Records are immutable once interpreted, so a text never goes stale.
 * Text and value match as JSON, not byte for byte (whitespace, number spelling may differ).
 */
export function jsonText(value: JsonValue): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  let text = texts.get(value);
  if (text === undefined) {
    text = JSON.stringify(value);
    texts.set(value, text);
  }
  return text;
}
