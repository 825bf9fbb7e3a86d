import { randomUUID } from 'node:crypto';
import { context, type Attributes, type Span } from '@opentelemetry/api';
import {
  ATTR_AGENT_NAME,
  ATTR_AGENT_VERSION,
  ATTR_ENVIRONMENT,
  ATTR_SESSION_ID,
  ATTR_SESSION_INPUT,
  ATTR_SESSION_NAME,
  ATTR_SESSION_OUTPUT,
  ATTR_SESSION_TAGS,
  ATTR_SPAN_KIND,
  ATTR_USER_CONTEXT,
  ATTR_USER_ID,
  SpanKinds,
} from '@mini-agent/semconv';
import { quietly } from './guard.js';
import { addMetricEvent } from './metric.js';
import { cpuMetrics, memoryMetrics, sampleProcess, type ProcessSample } from './process-metrics.js';
import { contextWith } from './propagate.js';
import { runInSpan } from './run-in-span.js';
import { safeJsonStringify } from './safe-json.js';

/** Who runs the session, for whom, and with what. Every field is optional. */
export interface SessionInfo {
  /** The session span's name (the trace's name). Default `agent session`. */
  readonly name?: string;
  /** Groups several traces into one conversation. Default: a random UUID. */
  readonly sessionId?: string;
  /** Overrides the `mini_agent.agent.name` of the resource for this session. */
  readonly agentName?: string;
  readonly agentVersion?: string;
  readonly userId?: string;
  /** Anything describing the user's situation; stored as JSON. */
  readonly userContext?: unknown;
  /** What the session was asked; stored as JSON. */
  readonly input?: unknown;
  readonly tags?: readonly string[];
  /** Where the agent runs (`production`, `staging`); wins over the resource's `deployment.environment.name`. */
  readonly environment?: string;
  /**
   * Also send the session's identity (id, user, agent name and version, environment) to the
   * services this session calls, in W3C baggage; see `propagateAttributes`. Default `false`.
   */
  readonly baggage?: boolean;
}

/**
 * Runs `fn` as one agent session: an active `session` span that every tool, decision and LLM
 * call inside becomes part of. `fn`'s value is recorded as the session's output and returned;
 * its error is recorded (status `ERROR`, `exception` event) and rethrown unchanged. Memory (RSS,
 * and % of the memory limit) is recorded at start and end, CPU time (ms, and % of one core) at
 * the end, as `mini_agent.metric` events. Works with sync and async functions; never throws
 * because of telemetry.
 *
 * @example
 * ```ts
 * const answer = await withSession({ name: 'answer question', userId: 'u-42', input: question }, async () => {
 *   return await runAgent(question);
 * });
 * ```
 */
export function withSession<T>(info: SessionInfo, fn: (span: Span) => T): T {
  let start: ProcessSample | undefined;
  const name = info.name ?? 'agent session';
  const attributes = sessionAttributes(info);
  const run = (): T => runInSpan(name, attributes, fn, {
    onStart(span) {
      start = sampleProcess();
      for (const metric of memoryMetrics(start)) addMetricEvent(span, metric);
    },
    onSuccess(span, output) {
      const json = safeJsonStringify(output);
      if (json !== undefined) span.setAttribute(ATTR_SESSION_OUTPUT, json);
    },
    beforeEnd(span) {
      const end = sampleProcess();
      for (const metric of memoryMetrics(end)) addMetricEvent(span, metric);
      if (start) for (const metric of cpuMetrics(start, end)) addMetricEvent(span, metric);
    },
  });
  // Spans started inside, by anyone, carry the session's trace-level attributes (PropagatedAttributesProcessor).
  const inSession = quietly('propagating session attributes', () => contextWith(propagated(name, attributes), info.baggage === true));
  return inSession ? context.with(inSession, run) : run();
}

/** What every span of the session carries: who, for whom, which agent, its labels, and the trace's name. */
function propagated(name: string, session: Attributes): Attributes {
  const out: Attributes = { [ATTR_SESSION_NAME]: name };
  for (const key of PROPAGATED_KEYS) if (session[key] !== undefined) out[key] = session[key];
  return out;
}

const PROPAGATED_KEYS = [ATTR_SESSION_ID, ATTR_USER_ID, ATTR_AGENT_NAME, ATTR_AGENT_VERSION, ATTR_SESSION_TAGS, ATTR_ENVIRONMENT] as const;

function sessionAttributes(info: SessionInfo): Attributes {
  const attributes: Attributes = {
    [ATTR_SPAN_KIND]: SpanKinds.SESSION,
    [ATTR_SESSION_ID]: info.sessionId ?? randomUUID(),
  };
  quietly('reading session info', () => {
    if (info.agentName !== undefined) attributes[ATTR_AGENT_NAME] = info.agentName;
    if (info.agentVersion !== undefined) attributes[ATTR_AGENT_VERSION] = info.agentVersion;
    if (info.userId !== undefined) attributes[ATTR_USER_ID] = info.userId;
    const userContext = safeJsonStringify(info.userContext);
    if (userContext !== undefined) attributes[ATTR_USER_CONTEXT] = userContext;
    const input = safeJsonStringify(info.input);
    if (input !== undefined) attributes[ATTR_SESSION_INPUT] = input;
    if (info.tags !== undefined) attributes[ATTR_SESSION_TAGS] = info.tags.map(String);
    if (typeof info.environment === 'string' && info.environment !== '') attributes[ATTR_ENVIRONMENT] = info.environment;
  });
  return attributes;
}
