import { ATTR_AGENT_NAME, ATTR_AGENT_VERSION } from '@mini-agent/semconv';
import type { SpanFacts } from '../conventions/index.js';
import type { InterpretableSpan, JsonObject, TraceRecord } from '../records.js';
import { nullable, nullableName, optionalString, type Outcome, type RecordContext } from './shared.js';

/** What the trace record takes from the span record made just before it. */
export interface TraceAt {
  readonly traceId: string;
  readonly spanId: string;
  readonly startTime: Date;
  readonly endTime: Date;
  readonly resource: JsonObject;
  readonly attributes: JsonObject;
}

/**
 * The trace record every span gives: complete from a session span (`definedBy` 'session'),
 * naming and timing the trace from a root span ('root'), else only what was propagated to it.
 */
export function traceRecord(
  ctx: RecordContext,
  span: InterpretableSpan,
  facts: SpanFacts,
  definedBy: 'session' | 'root' | null,
  outcome: Outcome,
  at: TraceAt,
): TraceRecord {
  const s = ctx.sanitizer;
  const complete = definedBy === 'session';
  // The session span, or the root span while no session span is known: what names and times the trace.
  const defining = definedBy !== null;
  const r = span.resource.attributes;
  const serviceName = optionalString(r['service.name']);
  const agentName = facts.agentName ?? optionalString(r[ATTR_AGENT_NAME]) ?? (serviceName?.startsWith('unknown_service') ? undefined : serviceName);
  const agentVersion = facts.agentVersion ?? optionalString(r[ATTR_AGENT_VERSION]) ?? optionalString(r['service.version']);
  const environment = facts.environment ?? optionalString(r['deployment.environment.name']) ?? optionalString(r['deployment.environment']);
  return {
    type: 'trace',
    traceId: at.traceId,
    spanId: at.spanId,
    complete,
    root: definedBy === 'root',
    sessionId: nullableName(facts.sessionId, s),
    agentName: nullableName(agentName, s),
    agentVersion: nullableName(agentVersion, s),
    userId: nullableName(facts.userId, s),
    userContext: complete ? ctx.value(facts.userContext, span, 'user_context') : null,
    // A span inside a session may carry the session's name (propagated in process): the trace's name, known early.
    name: defining ? s.string(facts.sessionName ?? span.name) : nullable(facts.sessionName, s),
    status: defining ? outcome.status : 'unset',
    statusMessage: defining && span.status.message ? s.string(span.status.message) : null,
    startTime: defining ? at.startTime : null,
    endTime: defining ? at.endTime : null,
    input: complete ? ctx.value(facts.sessionInput, span, 'input') : null,
    output: complete ? ctx.value(facts.sessionOutput, span, 'output') : null,
    tags: (facts.tags ?? []).map((t) => s.name(t)),
    environment: nullableName(environment, s),
    attributes: complete ? at.attributes : {},
    resource: at.resource,
  };
}
