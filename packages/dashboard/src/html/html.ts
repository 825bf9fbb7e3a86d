/**
 * HTML built by a tagged template that escapes every interpolated value, so data from the tables
 * (tool inputs, error messages, user ids — all of it written by whoever sends spans) can never
 * become markup. Only values already wrapped as {@link SafeHtml} (made by this module) pass through.
 *
 * Hand-written because the whole of it is this file: a template engine would add a dependency and
 * an escaping mode to get wrong, and the pages need nothing but interpolation and lists.
 */

const SAFE = Symbol('safe-html');

/** Markup that is already escaped. Only {@link html}, {@link raw} and {@link join} make one. */
export interface SafeHtml {
  readonly [SAFE]: true;
  readonly text: string;
}

/** What a template may interpolate: text (escaped), numbers, markup, nothing, or lists of those. */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for an element body or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function isSafe(value: unknown): value is SafeHtml {
  return typeof value === 'object' && value !== null && SAFE in value;
}

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (isSafe(value)) return value.text;
  if (Array.isArray(value)) return value.map((v: HtmlValue) => render(v)).join('');
  return escapeHtml(String(value));
}

/**
 * The template tag. `null`, `undefined` and `false` render as nothing (handy for `cond && html\`…\``).
 *
 * @example
 * ```ts
 * html`<td title="${error}">${error}</td>`; // both places escaped
 * ```
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let text = strings[0]!;
  for (let i = 0; i < values.length; i++) text += render(values[i]!) + strings[i + 1]!;
  return { [SAFE]: true, text };
}

/** Trusted markup as it is. Only for constants written in this package, never for data. */
export function raw(text: string): SafeHtml {
  return { [SAFE]: true, text };
}

/** Renders each item and joins them with `separator` (text, escaped). */
export function join<T>(items: readonly T[], each: (item: T, index: number) => HtmlValue, separator = ''): SafeHtml {
  return raw(items.map((item, index) => render(each(item, index))).join(escapeHtml(separator)));
}

/**
 * JSON for a `<script type="application/json">` data block. `<` is written as `\u003c`, so no value
 * can close the block (`</script>`) or open a comment; the browser's JSON.parse reads it back unchanged.
 */
export function jsonScript(id: string, data: unknown): SafeHtml {
  const json = JSON.stringify(data).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  return html`<script type="application/json" id="${id}">${raw(json)}</script>`;
}
