import {
  ATTR_AGENT_NAME,
  ATTR_AGENT_VERSION,
  ATTR_DECISION_CHOSEN,
  ATTR_DECISION_OPTIONS,
  ATTR_DECISION_REASONING,
  ATTR_DECISION_TYPE,
  ATTR_METRIC_TYPE,
  ATTR_METRIC_UNIT,
  ATTR_METRIC_VALUE,
  EVENT_DECISION,
  EVENT_METRIC,
  isToolCategory,
  SpanKinds,
  ToolCategories,
  type SpanKind as AgentSpanKind,
} from '@mini-agent/semconv';
import { isSpanContextValid, SpanStatusCode, type Attributes, type AttributeValue, type HrTime } from '@opentelemetry/api';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import { ADAPTERS, mergeFacts, type SpanFacts } from './conventions/index.js';
import { categoryOf } from './span-category.js';
import { toolCallIdsIn } from './tool-call-ids.js';
import { ScoreRecords, type DirectScore, type RejectedScore } from './score-records.js';
import { GenerationPricer } from './cost/generation-cost.js';
import type { CustomPrice, CustomPrices } from './cost/custom-prices.js';
import { pricedUsage } from './cost/priced-usage.js';
import { SanitizeCounters } from './counters.js';
import { Redactor, type RedactionOptions } from './redact.js';
import { DEFAULT_LIMITS, Sanitizer, type SanitizeLimits } from './sanitize.js';
import type {
  AgentRecord,
  DecisionRecord,
  GenerationRecord,
  InterpretableSpan,
  JsonObject,
  JsonValue,
  MetricRecord,
  ScoreRecord,
  PayloadKeys,
  SpanOutcome,
  SpanRecord,
  ToolExecutionRecord,
  TraceRecord,
} from './records.js';

/** How `interpret()` sanitizes and redacts. Build an {@link Interpreter} once and reuse it. */
export interface InterpretOptions {
  /** Secret masking; `false` turns it off. Default: on, plus patterns from `MINI_AGENT_REDACT`. */
  readonly redaction?: RedactionOptions | false;
  /** Size and depth limits for every value. */
  readonly limits?: Partial<SanitizeLimits>;
  /** Where sanitizing and redaction are counted; shared with the exporter's `stats()`. */
  readonly counters?: SanitizeCounters;
  /**
   * Custom model prices, over the price library's (custom and self-hosted models, negotiated
   * rates). A {@link CustomPrices} set can be replaced while spans flow (the Postgres exporter
   * reloads it from `model_prices`). Default: none.
   */
  readonly prices?: CustomPrices | readonly CustomPrice[];
}

const OTEL_KINDS = ['internal', 'server', 'client', 'producer', 'consumer'] as const;
const EXCEPTION_EVENT = 'exception';

/**
 * Turns finished spans into records. Holds the redactor and counters so each span costs no setup;
 * the only code in the project that reads raw span attributes.
 */
export class Interpreter {
  readonly counters: SanitizeCounters;
  private readonly sanitizer: Sanitizer;
  private readonly redactor: Redactor;
  private readonly resources = new WeakMap<object, JsonObject>();
  private readonly scores: ScoreRecords;
  private readonly pricer: GenerationPricer;

  constructor(options: InterpretOptions = {}) {
    this.counters = options.counters ?? new SanitizeCounters();
    this.redactor = options.redaction === false ? new Redactor({ enabled: false }) : Redactor.fromEnv(process.env, options.redaction);
    this.sanitizer = new Sanitizer(this.counters, this.redactor, { ...DEFAULT_LIMITS, ...options.limits });
    this.scores = new ScoreRecords(this.sanitizer, this.counters);
    this.pricer = new GenerationPricer(options.prices);
  }

  /**
   * A score given directly (feedback arriving after the session, the CLI's `score`): checked and
   * sanitized like a score read from a span. A refused one is counted and returned with its reason.
   */
  score(score: DirectScore): ScoreRecord | RejectedScore {
    return this.scores.direct(score);
  }

  /** Records for one span: always a `span` and a `trace` record, plus what the span's kind and events say. */
  interpret(span: InterpretableSpan): AgentRecord[] {
    const context = span.spanContext();
    if (!isSpanContextValid(context)) {
      this.counters.add('invalid_id');
      return [];
    }
    const s = this.sanitizer;
    const traceId = context.traceId.toLowerCase();
    const spanId = context.spanId.toLowerCase();
    const parent = span.parentSpanContext;
    const parentSpanId = parent && isSpanContextValid(parent) ? parent.spanId.toLowerCase() : null;
    const { startTime, endTime } = this.times(span);
    const durationMs = durationOf(span, startTime, endTime);
    const facts = mergeFacts(ADAPTERS.map((adapter) => adapter.read(span)));
    const kind: AgentSpanKind = facts.kind ?? SpanKinds.STEP;
    const outcome = outcomeOf(span, facts.failure);
    const errorMessage = outcome.failed ? s.string(outcome.message ?? span.status.message ?? 'error') : null;
    const resource = this.resource(span);
    const base = { traceId, spanId };
    // Records are built field by field, not with object spread: spread takes V8's slow path.
    const sessionId = nullableName(facts.sessionId, s);
    const userId = nullableName(facts.userId, s);
    const common: Common = { traceId, spanId, parentSpanId, sessionId, userId, startTime, endTime, durationMs, success: !outcome.failed, errorMessage };

    // One sanitized copy, shared by the span record and (for a session) the trace record: records
    // are never changed once made, and a session's attributes would otherwise be walked twice.
    const attributes = s.attributes(span.attributes);
    const records: AgentRecord[] = [];
    const spanRecord: SpanRecord = {
      traceId,
      spanId,
      startTime,
      endTime,
      durationMs,
      type: 'span',
      parentSpanId,
      sessionId,
      userId,
      category: categoryOf(span, facts),
      duplicateOf: null,
      name: s.name(span.name),
      kind,
      otelKind: OTEL_KINDS[span.kind] ?? 'internal',
      status: outcome.status,
      statusMessage: span.status.message ? s.string(span.status.message) : null,
      attributes,
      events: span.events.map((e) => ({ name: s.string(e.name), time: this.date(e.time), attributes: s.attributes(e.attributes ?? {}) })),
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
    const definedBy = kind === SpanKinds.SESSION ? 'session' : parentSpanId === null ? 'root' : null;
    records.push(this.trace(span, facts, definedBy, outcome, { traceId, spanId, startTime, endTime, resource, attributes }));
    records.push(spanRecord);

    if (kind === SpanKinds.TOOL) records.push(this.tool(span, facts, common));
    if (kind === SpanKinds.LLM) records.push(this.generation(span, facts, common));
    if (kind === SpanKinds.DECISION) {
      records.push(this.decision(base, spanId, endTime, {
        type: facts.decisionType ?? span.name,
        options: facts.decisionOptions,
        chosen: facts.decisionChosen,
        reasoning: facts.decisionReasoning,
      }));
    }
    span.events.forEach((event, index) => {
      const a = event.attributes ?? {};
      if (event.name === EVENT_METRIC) records.push(this.metric(base, index, this.date(event.time), a));
      if (event.name === EVENT_DECISION) {
        records.push(this.decision(base, `${spanId}:${index}`, this.date(event.time), {
          type: typeof a[ATTR_DECISION_TYPE] === 'string' ? a[ATTR_DECISION_TYPE] : 'decision',
          options: a[ATTR_DECISION_OPTIONS],
          chosen: optionalString(a[ATTR_DECISION_CHOSEN]),
          reasoning: optionalString(a[ATTR_DECISION_REASONING]),
        }));
      }
    });
    this.scores.fromSpan(span, { traceId, spanId, sessionId: facts.sessionId ?? null, endTime }, (time) => this.date(time), records);
    return records;
  }

  private trace(
    span: InterpretableSpan,
    facts: SpanFacts,
    definedBy: 'session' | 'root' | null,
    outcome: Outcome,
    at: { traceId: string; spanId: string; startTime: Date; endTime: Date; resource: JsonObject; attributes: JsonObject },
  ): TraceRecord {
    const s = this.sanitizer;
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
      userContext: complete ? this.value(facts.userContext, span, 'user_context') : null,
      // A span inside a session may carry the session's name (propagated in process): the trace's name, known early.
      name: defining ? s.string(facts.sessionName ?? span.name) : nullable(facts.sessionName, s),
      status: defining ? outcome.status : 'unset',
      statusMessage: defining && span.status.message ? s.string(span.status.message) : null,
      startTime: defining ? at.startTime : null,
      endTime: defining ? at.endTime : null,
      input: complete ? this.value(facts.sessionInput, span, 'input') : null,
      output: complete ? this.value(facts.sessionOutput, span, 'output') : null,
      tags: (facts.tags ?? []).map((t) => s.name(t)),
      environment: nullableName(environment, s),
      attributes: complete ? at.attributes : {},
      resource: at.resource,
    };
  }

  private tool(
    span: InterpretableSpan,
    facts: SpanFacts,
    common: Common,
  ): ToolExecutionRecord {
    const s = this.sanitizer;
    // Facts a convention adds about the call (its server, its call id), then what interpret found.
    const metadata: JsonObject = facts.toolMetadata ? { ...(s.json(facts.toolMetadata) as JsonObject) } : {};
    let category: ToolExecutionRecord['category'] = ToolCategories.OTHER;
    if (isToolCategory(facts.toolCategory)) category = facts.toolCategory;
    else if (facts.toolCategory !== undefined) {
      this.counters.add('unknown_category');
      metadata.category_given = s.string(facts.toolCategory);
    }
    return {
      traceId: common.traceId,
      spanId: common.spanId,
      parentSpanId: common.parentSpanId,
      startTime: common.startTime,
      endTime: common.endTime,
      durationMs: common.durationMs,
      success: common.success,
      errorMessage: common.errorMessage,
      type: 'tool',
      sessionId: common.sessionId,
      userId: common.userId,
      name: s.name(span.name),
      toolName: s.name(facts.toolName ?? span.name),
      category,
      callId: nullableName(facts.toolCallId, s),
      toolType: nullableName(facts.toolType, s),
      input: this.value(facts.toolInput, span, 'input'),
      output: this.value(facts.toolOutput, span, 'output'),
      metadata,
    };
  }

  private generation(
    span: InterpretableSpan,
    facts: SpanFacts,
    common: Common,
  ): GenerationRecord {
    const s = this.sanitizer;
    const u = facts.usage ?? {};
    const count = (n: number | undefined) => (n === undefined ? null : s.count(n));
    const completionStart = facts.completionStartTime === undefined ? null : new Date(facts.completionStartTime);
    const output = this.value(facts.llmOutput, span, 'output');
    const model = nullableName(facts.model, s);
    const provider = nullableName(facts.provider, s);
    const given = {
      input: count(u.input),
      output: count(u.output),
      total: count(u.total),
      cached: count(u.cached),
      cacheCreation: count(u.cacheCreation),
      reasoning: count(u.reasoning),
    };
    const priced = pricedUsage(this.pricer, given, { model, provider, at: common.startTime, reported: facts.cost });
    return {
      traceId: common.traceId,
      spanId: common.spanId,
      parentSpanId: common.parentSpanId,
      startTime: common.startTime,
      endTime: common.endTime,
      durationMs: common.durationMs,
      success: common.success,
      errorMessage: common.errorMessage,
      type: 'generation',
      sessionId: common.sessionId,
      userId: common.userId,
      name: s.name(span.name),
      model,
      provider,
      input: this.value(facts.llmInput, span, 'input'),
      output,
      usage: priced.usage,
      usageByKind: priced.usageByKind,
      costUsd: priced.costUsd,
      costDetails: priced.costDetails,
      modelParameters: facts.modelParameters ? (s.json(facts.modelParameters) as JsonObject) : {},
      completionStartTime: completionStart && !Number.isNaN(completionStart.getTime()) ? completionStart : null,
      toolCallIds: toolCallIdsIn(output),
    };
  }

  private decision(
    base: { traceId: string; spanId: string },
    id: string,
    decidedAt: Date,
    d: { type: unknown; options: unknown; chosen: string | undefined; reasoning: string | undefined },
  ): DecisionRecord {
    const s = this.sanitizer;
    return {
      traceId: base.traceId,
      spanId: base.spanId,
      type: 'decision',
      id,
      decisionType: s.name(String(d.type)),
      options: this.value(d.options, undefined, 'options'),
      chosen: nullable(d.chosen, s),
      reasoning: nullable(d.reasoning, s),
      decidedAt,
    };
  }

  private metric(base: { traceId: string; spanId: string }, index: number, recordedAt: Date, a: Attributes): MetricRecord {
    const s = this.sanitizer;
    const raw = a[ATTR_METRIC_VALUE];
    const numeric = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
    const value = Number.isFinite(numeric) ? numeric : null;
    const metadata: JsonObject = {};
    if (value === null) {
      this.counters.add('non_finite_number');
      metadata.invalid_value = raw === undefined ? null : s.string(String(raw));
    }
    return {
      traceId: base.traceId,
      spanId: base.spanId,
      type: 'metric',
      id: `${base.spanId}:${index}`,
      metricType: s.name(optionalString(a[ATTR_METRIC_TYPE]) ?? 'custom'),
      value,
      unit: nullableName(optionalString(a[ATTR_METRIC_UNIT]), s),
      recordedAt,
      metadata,
    };
  }

  /**
   * The span's resource, sanitized once per resource object: every span of a provider shares
   * one, and its attributes (service, SDK, process, host) would otherwise be walked per span.
   */
  private resource(span: InterpretableSpan): JsonObject {
    const key = span.resource as object;
    let cached = this.resources.get(key);
    if (!cached) {
      cached = this.sanitizer.attributes(span.resource.attributes);
      this.resources.set(key, cached);
    }
    return cached;
  }

  /**
   * A raw value as storable JSON: strings that hold JSON are parsed, others kept. `field` names it
   * for `allowKeys`; a value read from an attribute the user allowed is not redacted either.
   */
  private value(raw: unknown, span: InterpretableSpan | undefined, field: string): JsonValue | null {
    if (raw === undefined || raw === null) return null;
    const allowed = span !== undefined && this.fromAllowedAttribute(span, raw);
    return typeof raw === 'string' ? this.sanitizer.jsonFromString(raw, field, allowed) : this.sanitizer.json(raw, field, allowed);
  }

  private fromAllowedAttribute(span: InterpretableSpan, raw: unknown): boolean {
    for (const key of this.redactor.allowedKeys) if (span.attributes[key] === raw) return true;
    return false;
  }

  private times(span: InterpretableSpan): { startTime: Date; endTime: Date } {
    const start = this.validDate(span.startTime);
    const end = this.validDate(span.endTime);
    const startTime = start ?? end ?? new Date();
    return { startTime, endTime: end && end >= startTime ? end : startTime };
  }

  /** An event's time; an invalid one is counted and replaced by now. */
  private date(time: HrTime): Date {
    return this.validDate(time) ?? new Date();
  }

  /** An HrTime as a Date, or null (counted) when it is not a time a clock could give. */
  private validDate(time: HrTime): Date | null {
    const ms = Array.isArray(time) ? hrTimeToMilliseconds(time) : Number.NaN;
    // Before 1970 or past the year 9999: a broken clock, and out of what sinks can store.
    if (!Number.isFinite(ms) || ms < 0 || ms > 253402300799999) {
      this.counters.add('invalid_time');
      return null;
    }
    return new Date(ms);
  }
}

/** What the tool and generation records share with the span they come from. */
type Common = Pick<ToolExecutionRecord, 'traceId' | 'spanId' | 'parentSpanId' | 'sessionId' | 'userId' | 'startTime' | 'endTime' | 'durationMs' | 'success' | 'errorMessage'>;

interface Outcome {
  readonly status: SpanOutcome;
  readonly failed: boolean;
  readonly message: string | undefined;
}

/**
 * Failed when the status is ERROR, or when it is UNSET and an `exception` event was recorded or a
 * convention says so (`failure`, e.g. a Langfuse level `ERROR`). An explicit OK means handled.
 */
function outcomeOf(span: InterpretableSpan, failure: string | undefined): Outcome {
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
function payloadKeysOf(attributes: Attributes, kind: AgentSpanKind, facts: SpanFacts): PayloadKeys {
  const wanted: [keyof PayloadKeys, unknown][] =
    kind === SpanKinds.TOOL ? [['input', facts.toolInput], ['output', facts.toolOutput]]
      : kind === SpanKinds.LLM ? [['input', facts.llmInput], ['output', facts.llmOutput]]
        : kind === SpanKinds.DECISION ? [['options', facts.decisionOptions]]
          : [];
  const keys: { -readonly [K in keyof PayloadKeys]: string } = {};
  for (const [field, value] of wanted) {
    if (value === undefined || value === null) continue;
    for (const key in attributes) {
      if (attributes[key] === value) {
        keys[field] = key;
        break;
      }
    }
  }
  return keys;
}

/** The exact duration from the HrTimes (sub-millisecond); the Dates' difference when the clock was broken. */
function durationOf(span: InterpretableSpan, startTime: Date, endTime: Date): number {
  const [s0, n0] = span.startTime;
  const [s1, n1] = span.endTime;
  const exact = (s1 - s0) * 1e3 + (n1 - n0) / 1e6;
  return Number.isFinite(exact) && exact >= 0 ? exact : endTime.getTime() - startTime.getTime();
}

function optionalString(v: AttributeValue | undefined): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A name or id (indexed, grouped by): held to the shorter name limit. */
function nullableName(v: string | undefined, s: Sanitizer): string | null {
  return v === undefined || v === null ? null : s.name(v);
}

function nullable(v: string | undefined, s: Sanitizer): string | null {
  return v === undefined ? null : s.string(v);
}

let defaultInterpreter: Interpreter | undefined;

/**
 * Reads one finished span and returns its normalized records: always a `span` record and a
 * `trace` record, plus a tool execution, generation, decision(s) and metric(s) as the span says.
 * Pure: no I/O, never throws for any span content. Values are sanitized and secrets masked.
 *
 * @example
 * ```ts
 * const records = interpret(readableSpan);
 * const tools = records.filter((r) => r.type === 'tool');
 * ```
 */
export function interpret(span: InterpretableSpan, options?: InterpretOptions): AgentRecord[] {
  if (options) return new Interpreter(options).interpret(span);
  defaultInterpreter ??= new Interpreter();
  return defaultInterpreter.interpret(span);
}
