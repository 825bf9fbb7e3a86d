import type { JsonValue } from '@mini-agent/core';

const texts = new WeakMap<object, string>();

/**
 * A value's JSON text, made once per object: the size limits measure it and the OTLP attributes
 * carry it, and stringifying a tool's input, output and metadata twice was a tenth of the sink's
 * CPU. Records are immutable once interpreted, so an object's text never goes stale.
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
