import { SpanKinds, type SpanKind as AgentSpanKind } from '@mini-agent/semconv';
import { SpanStatusCode, type Attributes } from '@opentelemetry/api';
import type { SpanFacts } from '../conventions/index.js';
import type { InterpretableSpan, JsonObject, PayloadKeys, SpanRecord } from '../records.js';
import { categoryOf } from '../span-category.js';
import { nullableName, optionalString, type Common, type Outcome, type RecordContext } from './shared.js';

const OTEL_KINDS = ['internal', 'server', 'client', 'producer', 'consumer'] as const;
const EXCEPTION_EVENT = 'exception';

/** The span record: every span gives one, whatever its kind. */
export function spanRecord(
  ctx: RecordContext,
  span: InterpretableSpan,
  facts: SpanFacts,
  kind: AgentSpanKind,
  outcome: Outcome,
  common: Common,
  attributes: JsonObject,
  resource: JsonObject,
): SpanRecord {
  const s = ctx.sanitizer;
  // Built field by field, not with object spread: spread takes V8's slow path.
  return {
    traceId: common.traceId,
    spanId: common.spanId,
    startTime: common.startTime,
    endTime: common.endTime,
    durationMs: common.durationMs,
    type: 'span',
    parentSpanId: common.parentSpanId,
    sessionId: common.sessionId,
    userId: common.userId,
    category: categoryOf(span, facts),
    duplicateOf: null,
    name: s.name(span.name),
    kind,
    otelKind: OTEL_KINDS[span.kind] ?? 'internal',
    status: outcome.status,
    statusMessage: span.status.message ? s.string(span.status.message) : null,
    attributes,
    events: span.events.map((e) => ({ name: s.string(e.name), time: ctx.date(e.time), attributes: s.attributes(e.attributes ?? {}) })),
    links: span.links.map((l) => ({
      // Ids of a link are not checked by the SDK: kept as given, made storable.
      traceId: s.string(String(l.context?.traceId ?? '')),
      spanId: s.string(String(l.context?.spanId ?? '')),
      attributes: s.attributes(l.attributes ?? {}),
    })),
    resource,
    scope: { name: s.name(span.instrumentationScope.name), version: nullableName(span.instrumentationScope.version, s) },
    payloadKeys: payloadKeysOf(span.attributes, kind, facts),
  };
}

/**
 * Failed when the status is ERROR, or when it is UNSET and an `exception` event was recorded or a
 * convention says so (`failure`, e.g. a Langfuse level `ERROR`). An explicit OK means handled.
 */
export function outcomeOf(span: InterpretableSpan, failure: string | undefined): Outcome {
  const exception = [...span.events].reverse().find((e) => e.name === EXCEPTION_EVENT);
  const exceptionMessage = optionalString(exception?.attributes?.['exception.message']) ?? optionalString(exception?.attributes?.['exception.type']);
  switch (span.status.code) {
    case SpanStatusCode.ERROR:
      return { status: 'error', failed: true, message: span.status.message || exceptionMessage };
    case SpanStatusCode.OK:
      return { status: 'ok', failed: false, message: undefined };
    default:
      if (exception) return { status: 'error', failed: true, message: exceptionMessage };
      if (failure !== undefined) return { status: 'error', failed: true, message: failure };
      return { status: 'unset', failed: false, message: undefined };
  }
}

/**
 * The attributes the kind's typed record takes its payloads from: the first attribute holding the
 * very value a convention read (strings compare by content, arrays by identity). Session input and
 * output are not listed: a trace row keeps one session span's, and a trace may hold several
 * session spans (agents calling agents), so the span row is the only place each one is kept.
 */
export function payloadKeysOf(attributes: Attributes, kind: AgentSpanKind, facts: SpanFacts): PayloadKeys {
  // Spelled out per kind (no list of [field, value] pairs to loop over): this runs for every span.
  switch (kind) {
    case SpanKinds.TOOL:
      return withKeys(keyHolding(attributes, facts.toolInput), keyHolding(attributes, facts.toolOutput));
    case SpanKinds.LLM:
      return withKeys(keyHolding(attributes, facts.llmInput), keyHolding(attributes, facts.llmOutput));
    case SpanKinds.DECISION: {
      const options = keyHolding(attributes, facts.decisionOptions);
      return options === undefined ? NO_PAYLOAD_KEYS : { options };
    }
    default:
      return NO_PAYLOAD_KEYS;
  }
}

/** Shared by every span without payload keys: records are never changed once made. */
const NO_PAYLOAD_KEYS: PayloadKeys = Object.freeze({});

function withKeys(input: string | undefined, output: string | undefined): PayloadKeys {
  if (input === undefined) return output === undefined ? NO_PAYLOAD_KEYS : { output };
  return output === undefined ? { input } : { input, output };
}

/** The first attribute holding the very value (`undefined` for none, or for no value). */
function keyHolding(attributes: Attributes, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  for (const key in attributes) if (attributes[key] === value) return key;
  return undefined;
}

/** The exact duration from the HrTimes (sub-millisecond); the Dates' difference when the clock was broken. */
export function durationOf(span: InterpretableSpan, startTime: Date, endTime: Date): number {
  const [s0, n0] = span.startTime;
  const [s1, n1] = span.endTime;
  const exact = (s1 - s0) * 1e3 + (n1 - n0) / 1e6;
  return Number.isFinite(exact) && exact >= 0 ? exact : endTime.getTime() - startTime.getTime();
}
