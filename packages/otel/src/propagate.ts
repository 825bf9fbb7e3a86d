import { context, type Attributes } from '@opentelemetry/api';
import { setPropagatedAttributes, withIdentityBaggage } from '@mini-agent/core';
import {
  ATTR_AGENT_NAME,
  ATTR_AGENT_VERSION,
  ATTR_ENVIRONMENT,
  ATTR_SESSION_ID,
  ATTR_SESSION_NAME,
  ATTR_SESSION_TAGS,
  ATTR_USER_ID,
} from '@mini-agent/semconv';
import { quietly } from './guard.js';

/** What {@link propagateAttributes} puts on every span started inside its block. Every field is optional. */
export interface PropagatedInfo {
  readonly sessionId?: string;
  readonly userId?: string;
  readonly agentName?: string;
  readonly agentVersion?: string;
  readonly tags?: readonly string[];
  /** Where the agent runs (`production`, `staging`): the records' environment. */
  readonly environment?: string;
  /** The trace's name, for spans that reach a sink before the span that names it. */
  readonly traceName?: string;
  /**
   * Also put the session id, user id, agent name and version and the environment in W3C
   * baggage, so outgoing requests carry them (the registered W3C baggage propagator injects the
   * `baggage` header) and the services they call can attribute their spans: with
   * `registerMiniAgentTracing({ baggage: true })` there, or any OpenTelemetry baggage span
   * processor. Default `false`: baggage is sent to every downstream service in clear.
   */
  readonly baggage?: boolean;
}

/**
 * Runs `fn` in a context where every span started inside — by any instrumentation: an HTTP
 * client, an LLM SDK, a database driver — carries the given session id, user id, agent, tags and
 * environment, without a session span of its own (a request handler that belongs to a session
 * started elsewhere). Like Langfuse's helper of the same name. Nested blocks and `withSession()`
 * inside override the keys they set. Returns what `fn` returns; never throws because of telemetry.
 *
 * @example
 * ```ts
 * await propagateAttributes({ sessionId: req.headers['x-session'], userId: user.id }, () => openai.chat.completions.create(...));
 * ```
 */
export function propagateAttributes<T>(info: PropagatedInfo, fn: () => T): T {
  const inBlock = quietly('propagating attributes', () => contextWith(propagatedAttributes(info), info.baggage === true));
  return inBlock ? context.with(inBlock, fn) : fn();
}

/** The active context with `attributes` propagated, and in W3C baggage when asked. */
export function contextWith(attributes: Attributes, baggage: boolean) {
  const ctx = setPropagatedAttributes(context.active(), attributes);
  return baggage ? withIdentityBaggage(ctx, attributes) : ctx;
}

/** {@link PropagatedInfo} as the `mini_agent.*` attributes that spans carry. */
export function propagatedAttributes(info: PropagatedInfo): Attributes {
  const out: Attributes = {};
  const set = (key: string, value: string | undefined) => {
    if (typeof value === 'string' && value !== '') out[key] = value;
  };
  set(ATTR_SESSION_ID, info.sessionId);
  set(ATTR_USER_ID, info.userId);
  set(ATTR_AGENT_NAME, info.agentName);
  set(ATTR_AGENT_VERSION, info.agentVersion);
  set(ATTR_ENVIRONMENT, info.environment);
  set(ATTR_SESSION_NAME, info.traceName);
  if (Array.isArray(info.tags)) out[ATTR_SESSION_TAGS] = info.tags.map(String);
  return out;
}
