import { propagation, type Attributes, type Baggage, type Context } from '@opentelemetry/api';
import { ATTR_AGENT_NAME, ATTR_AGENT_VERSION, ATTR_ENVIRONMENT, ATTR_SESSION_ID, ATTR_USER_ID } from '@mini-agent/semconv';

/**
 * The session attributes that may travel in W3C baggage, under their own names, so that any
 * OpenTelemetry baggage span processor on the far side (`@opentelemetry/baggage-span-processor`,
 * Python's `opentelemetry-processor-baggage`) turns them into the attributes `interpret()` reads.
 * Tags, the user's context and inputs never travel: baggage goes to every downstream service in
 * clear, and each entry costs header bytes on every request.
 */
export const BAGGAGE_KEYS: readonly string[] = [ATTR_SESSION_ID, ATTR_USER_ID, ATTR_AGENT_NAME, ATTR_AGENT_VERSION, ATTR_ENVIRONMENT];

/** Longer than this, a propagated identity is refused: baggage is set by whoever sent the request. */
export const MAX_IDENTITY_LENGTH = 256;

/**
 * True when `value` can be a session id, user id, agent name, version or environment that came
 * from another process: a non-empty string of at most {@link MAX_IDENTITY_LENGTH} characters
 * without control characters. Anything else from the wire is hostile or broken and is refused.
 */
export function isValidIdentity(value: unknown): value is string {
  // eslint-disable-next-line no-control-regex
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_IDENTITY_LENGTH && !/[\u0000-\u001f\u007f]/.test(value);
}

/** The {@link BAGGAGE_KEYS} of `attributes` as baggage entries added to the baggage of `ctx`. */
export function withIdentityBaggage(ctx: Context, attributes: Attributes): Context {
  let baggage: Baggage = propagation.getBaggage(ctx) ?? propagation.createBaggage();
  for (const key of BAGGAGE_KEYS) {
    const value = attributes[key];
    if (isValidIdentity(value)) baggage = baggage.setEntry(key, { value });
  }
  return propagation.setBaggage(ctx, baggage);
}

/**
 * The valid {@link BAGGAGE_KEYS} entries of the baggage in `ctx` as attributes; entries with
 * other keys are ignored, invalid values are left out and counted in `rejected`.
 */
export function identityFromBaggage(ctx: Context, rejected?: { count: number }): Attributes | undefined {
  const baggage = propagation.getBaggage(ctx);
  if (baggage === undefined) return undefined;
  let out: Attributes | undefined;
  for (const key of BAGGAGE_KEYS) {
    const entry = baggage.getEntry(key);
    if (entry === undefined) continue;
    if (!isValidIdentity(entry.value)) {
      if (rejected) rejected.count += 1;
      continue;
    }
    (out ??= {})[key] = entry.value;
  }
  return out;
}

/**
 * Removes, in place, the values of {@link BAGGAGE_KEYS} that fail {@link isValidIdentity} from
 * the attributes of a span received from another process (they may have come from baggage a
 * client set). Returns how many were removed.
 */
export function dropInvalidIdentity(attributes: Record<string, unknown>): number {
  let removed = 0;
  for (const key of BAGGAGE_KEYS) {
    const value = attributes[key];
    if (value !== undefined && !isValidIdentity(value)) {
      delete attributes[key];
      removed += 1;
    }
  }
  return removed;
}
