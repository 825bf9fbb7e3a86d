import { SpanKinds, EVENT_DECISION, EVENT_METRIC, type SpanKind as AgentSpanKind } from '@mini-agent/semconv';
import { isSpanContextValid, type HrTime } from '@opentelemetry/api';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import { ADAPTERS, mergeFacts } from './conventions/index.js';
import { ScoreRecords, type DirectScore, type RejectedScore } from './score-records.js';
import { GenerationPricer } from './cost/generation-cost.js';
import type { CustomPrice, CustomPrices } from './cost/custom-prices.js';
import { SanitizeCounters } from './counters.js';
import { Redactor, type RedactionOptions } from './redact.js';
import { DEFAULT_LIMITS, Sanitizer, type SanitizeLimits } from './sanitize.js';
import { decisionEventFields, decisionRecord } from './interpret/decision.js';
import { generationRecord } from './interpret/generation.js';
import { metricRecord } from './interpret/metric.js';
import { nullableName, type Common, type RecordContext } from './interpret/shared.js';
import { durationOf, outcomeOf, spanRecord } from './interpret/span.js';
import { toolRecord } from './interpret/tool.js';
import { traceRecord } from './interpret/trace.js';
import type { AgentRecord, InterpretableSpan, JsonObject, JsonValue, ScoreRecord } from './records.js';

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

/**
 * Turns finished spans into records. Holds the redactor and counters so each span costs no setup;
 * the only code in the project that reads raw span attributes.
 */
export class Interpreter {
  readonly counters: SanitizeCounters;
  private readonly sanitizer: Sanitizer;
  private readonly redactor: Redactor;
  private readonly resources = new WeakMap<object, JsonObject>();
  /** Invalid event times already counted, with the time that replaced them (rare: only broken clocks get in). */
  private readonly invalidEventTimes = new WeakMap<object, Date>();
  private readonly scores: ScoreRecords;
  private readonly pricer: GenerationPricer;
  /** What the record builders (`interpret/*.ts`) use of this interpreter. */
  private readonly ctx: RecordContext;

  constructor(options: InterpretOptions = {}) {
    this.counters = options.counters ?? new SanitizeCounters();
    this.redactor = options.redaction === false ? new Redactor({ enabled: false }) : Redactor.fromEnv(process.env, options.redaction);
    this.sanitizer = new Sanitizer(this.counters, this.redactor, { ...DEFAULT_LIMITS, ...options.limits });
    this.scores = new ScoreRecords(this.sanitizer, this.counters);
    this.pricer = new GenerationPricer(options.prices);
    this.ctx = { sanitizer: this.sanitizer, counters: this.counters, value: (raw, span, field) => this.value(raw, span, field), date: (time) => this.date(time) };
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
    const sessionId = nullableName(facts.sessionId, s);
    const userId = nullableName(facts.userId, s);
    const common: Common = { traceId, spanId, parentSpanId, sessionId, userId, startTime, endTime, durationMs, success: !outcome.failed, errorMessage };

    // One sanitized copy, shared by the span record and (for a session) the trace record: records
    // are never changed once made, and a session's attributes would otherwise be walked twice.
    const attributes = s.attributes(span.attributes);
    const records: AgentRecord[] = [];
    const spanRec = spanRecord(this.ctx, span, facts, kind, outcome, common, attributes, resource);
    const definedBy = kind === SpanKinds.SESSION ? 'session' : parentSpanId === null ? 'root' : null;
    records.push(traceRecord(this.ctx, span, facts, definedBy, outcome, { traceId, spanId, startTime, endTime, resource, attributes }));
    records.push(spanRec);

    if (kind === SpanKinds.TOOL) records.push(toolRecord(this.ctx, span, facts, common));
    if (kind === SpanKinds.LLM) records.push(generationRecord(this.ctx, this.pricer, span, facts, common));
    if (kind === SpanKinds.DECISION) {
      records.push(decisionRecord(this.ctx, base, spanId, endTime, {
        type: facts.decisionType ?? span.name,
        options: facts.decisionOptions,
        chosen: facts.decisionChosen,
        reasoning: facts.decisionReasoning,
      }));
    }
    span.events.forEach((event, index) => {
      const a = event.attributes ?? {};
      if (event.name === EVENT_METRIC) records.push(metricRecord(this.ctx, base, index, this.date(event.time), a));
      if (event.name === EVENT_DECISION) records.push(decisionRecord(this.ctx, base, `${spanId}:${index}`, this.date(event.time), decisionEventFields(a)));
    });
    this.scores.fromSpan(span, { traceId, spanId, sessionId: facts.sessionId ?? null, endTime }, (time) => this.date(time), records);
    return records;
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

  /**
   * An event's time; an invalid one is counted and replaced by now, once per event: the span's
   * list of events and the event's own record (a metric, a decision, a score) read the same time.
   */
  private date(time: HrTime): Date {
    const valid = storableDate(time);
    if (valid) return valid;
    // Only broken clocks get here: the lookup is not paid for valid times.
    const seen = Array.isArray(time) ? this.invalidEventTimes.get(time) : undefined;
    if (seen) return seen;
    this.counters.add('invalid_time');
    const now = new Date();
    if (Array.isArray(time)) this.invalidEventTimes.set(time, now);
    return now;
  }

  /** An HrTime as a Date, or null (counted) when it is not a time a clock could give. */
  private validDate(time: HrTime): Date | null {
    const date = storableDate(time);
    if (!date) this.counters.add('invalid_time');
    return date;
  }
}

/** An HrTime as a Date, or null when it is not a time a clock could give. */
function storableDate(time: HrTime): Date | null {
  const ms = Array.isArray(time) ? hrTimeToMilliseconds(time) : Number.NaN;
  // Before 1970 or past the year 9999: a broken clock, and out of what sinks can store.
  return !Number.isFinite(ms) || ms < 0 || ms > 253402300799999 ? null : new Date(ms);
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
