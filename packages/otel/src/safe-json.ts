/**
 * JSON for span attributes that never throws: agent inputs and outputs are whatever the agent
 * had at hand (circular graphs, BigInts, class instances with throwing getters), and telemetry
 * must not be the reason a tool call fails. `JSON.stringify` plus a replacer covers the common
 * cases; anything still failing becomes a visible marker instead of an exception.
 */

/** Stands in for a reference back to an object already being serialized. */
export const CIRCULAR_MARKER = '[Circular]';

/**
 * `JSON.stringify(value)` that never throws. Circular references become `"[Circular]"`, BigInts
 * their decimal string, Errors `{ name, message }`; a value that cannot be serialized at all
 * becomes the string `"[unserializable: <reason>]"`. Returns `undefined` for `undefined` (and
 * for functions and symbols), so the caller can leave the attribute out.
 */
export function safeJsonStringify(value: unknown): string | undefined {
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return undefined;
  try {
    return JSON.stringify(value, circularSafeReplacer());
  } catch (error) {
    return `[unserializable: ${reasonOf(error)}]`;
  }
}

/**
 * A replacer that tracks the chain of ancestors (not every object seen), so a value that is
 * merely shared by two branches is serialized twice, and only a true cycle becomes a marker.
 */
function circularSafeReplacer(): (this: unknown, key: string, value: unknown) => unknown {
  const ancestors: object[] = [];
  return function replace(this: unknown, _key: string, value: unknown): unknown {
    if (typeof value === 'bigint') return value.toString();
    if (typeof value !== 'object' || value === null) return value;
    // `this` is the object holding `value`: drop ancestors we have walked back out of.
    while (ancestors.length > 0 && ancestors[ancestors.length - 1] !== this) ancestors.pop();
    if (ancestors.includes(value)) return CIRCULAR_MARKER;
    // Errors have no enumerable fields; the replacement is what its children see as `this`.
    const serialized = value instanceof Error ? { name: value.name, message: value.message } : value;
    ancestors.push(serialized);
    return serialized;
  };
}

function reasonOf(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return 'unknown error';
  }
}
