import { createContextKey, type Attributes, type AttributeValue, type Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { identityFromBaggage } from './baggage.js';
import { addMissingAttributes, AttributeSet } from './span-attributes.js';

/**
 * Where a session's trace-level attributes live in the OpenTelemetry context. One key, read once
 * per started span: the whole cost of propagation for a span outside any session.
 */
const PROPAGATED_ATTRIBUTES = createContextKey('mini_agent.propagated_attributes');


/**
 * A context in which every span started (by whoever starts it, when a
 * {@link PropagatedAttributesProcessor} is registered) carries `attributes`, unless the span sets
 * the same key itself. Attributes already propagated in `ctx` stay; the new ones win on the same
 * key, so an inner session overrides an outer one. `undefined` values are left out.
 *
 * @example
 * ```ts
 * const inSession = setPropagatedAttributes(context.active(), { 'mini_agent.session.id': 'chat-42' });
 * context.with(inSession, () => tracer.startSpan('http call').end()); // carries mini_agent.session.id
 * ```
 */
export function setPropagatedAttributes(ctx: Context, attributes: Attributes): Context {
  const merged = new Map<string, AttributeValue>();
  const outer = ctx.getValue(PROPAGATED_ATTRIBUTES) as AttributeSet | undefined;
  if (outer) outer.keys.forEach((key, i) => merged.set(key, outer.values[i]!));
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) merged.set(key, value);
  // Checked and laid out once here, for the context's lifetime, not on every span started in it.
  return ctx.setValue(PROPAGATED_ATTRIBUTES, new AttributeSet(merged));
}

/** The attributes {@link setPropagatedAttributes} put in `ctx` (an empty object when none). */
export function getPropagatedAttributes(ctx: Context): Attributes {
  return (ctx.getValue(PROPAGATED_ATTRIBUTES) as AttributeSet | undefined)?.toObject() ?? {};
}

/**
 * A `SpanProcessor` whose `onStart` copies the attributes propagated in the span's parent context
 * (see {@link setPropagatedAttributes}) onto the span, so spans made inside a session by any
 * instrumentation (an HTTP client, an LLM SDK) carry its session id, user id, agent and tags, and
 * every sink can attribute them even when they arrive before the session span. A span's own value
 * of a key wins. Outside a session it does one context lookup and nothing else.
 *
 * @example
 * ```ts
 * new NodeTracerProvider({ spanProcessors: [new PropagatedAttributesProcessor(), new BatchSpanProcessor(exporter)] });
 * ```
 */
export class PropagatedAttributesProcessor implements SpanProcessor {
  private readonly baggage: boolean;
  /** Baggage entries refused as invalid (see `isValidIdentity`), when reading baggage. */
  readonly rejectedBaggage = { count: 0 };

  /**
   * @param options.baggage - also copy the session's identity (`BAGGAGE_KEYS`) from W3C
   *   baggage another process sent, validated as hostile input. Default `false`: one more
   *   context lookup per span, and only for services that trust their callers' baggage.
   */
  constructor(options: { readonly baggage?: boolean } = {}) {
    this.baggage = options.baggage === true;
  }

  onStart(span: Span, parentContext: Context): void {
    const set = parentContext.getValue(PROPAGATED_ATTRIBUTES) as AttributeSet | undefined;
    if (set !== undefined) addMissingAttributes(span, set);
    if (!this.baggage) return;
    const fromBaggage = identityFromBaggage(parentContext, this.rejectedBaggage);
    if (fromBaggage) for (const key in fromBaggage) if (span.attributes[key] === undefined) span.setAttribute(key, fromBaggage[key]!);
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
