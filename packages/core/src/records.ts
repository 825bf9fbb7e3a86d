import type { SpanKind as AgentSpanKind, ScoreDataType, ScoreSource, ToolCategory } from '@mini-agent/semconv';
import type { Attributes, HrTime, Link, SpanContext, SpanKind as OtelSpanKind, SpanStatus } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { UsageByKind } from './cost/usage-by-kind.js';
import type { TimedEvent } from './sdk/types.js';

/** Any value that survives `JSON.stringify` unchanged. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/**
 * The span shape `interpret()` reads: the fields of an SDK `ReadableSpan` it needs.
 * A `ReadableSpan` is one; the OTLP bridge builds the same shape from decoded requests.
 */
export interface InterpretableSpan {
  readonly name: string;
  readonly kind: OtelSpanKind;
  spanContext(): SpanContext;
  readonly parentSpanContext?: SpanContext | undefined;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly status: SpanStatus;
  readonly attributes: Attributes;
  readonly events: readonly TimedEvent[];
  readonly links: readonly Link[];
  readonly resource: { readonly attributes: Attributes };
  readonly instrumentationScope: InstrumentationScope;
}

/** How a span ended, from its OTel status. */
export type SpanOutcome = 'unset' | 'ok' | 'error';

/** Fields every record carries: where it came from. */
interface RecordBase {
  /** OTel trace id, 32 lowercase hex characters. */
  readonly traceId: string;
  /** OTel span id of the span the record was read from, 16 lowercase hex characters. */
  readonly spanId: string;
}

/**
 * A `traces` row. Every span yields one: from a session span it is `complete` and carries the
 * session's fields; from any other span it only makes sure the row exists (spans arrive in any
 * order, and the root may never arrive), and sinks must not let it overwrite a complete one.
 */
export interface TraceRecord extends RecordBase {
  readonly type: 'trace';
  /** Made from the trace's session span: it speaks for the trace. */
  readonly complete: boolean;
  /**
   * Made from the trace's root span (no parent) that is not a session span — an OpenInference
   * `CHAIN`, a plain root span. It names, times and judges the trace until a session span does,
   * so traces without a session span are not left nameless and "running" forever.
   */
  readonly root: boolean;
  readonly sessionId: string | null;
  readonly agentName: string | null;
  readonly agentVersion: string | null;
  readonly userId: string | null;
  readonly userContext: JsonValue | null;
  /** The session span's name, else the root span's. */
  readonly name: string | null;
  readonly status: SpanOutcome;
  readonly statusMessage: string | null;
  readonly startTime: Date | null;
  readonly endTime: Date | null;
  readonly input: JsonValue | null;
  readonly output: JsonValue | null;
  readonly tags: readonly string[];
  readonly environment: string | null;
  /** The session span's attributes (redacted, sanitized). */
  readonly attributes: JsonObject;
  readonly resource: JsonObject;
}

/** A `tool_executions` row: one tool span. */
export interface ToolExecutionRecord extends RecordBase {
  readonly type: 'tool';
  readonly parentSpanId: string | null;
  /** The session the record belongs to, when known on its span (propagated in process or by baggage); else read the trace row's. */
  readonly sessionId: string | null;
  /** The user the record belongs to, when known on its span; else read the trace row's. */
  readonly userId: string | null;
  readonly name: string;
  readonly toolName: string;
  readonly category: ToolCategory;
  /** The model's id for this tool call (`gen_ai.tool.call.id`, `ai.toolCall.id`), linking it to the generation that asked for it. */
  readonly callId: string | null;
  /** Who runs the tool (`gen_ai.tool.type`): `function` (the client), `extension` (the agent or provider), `datastore`. */
  readonly toolType: string | null;
  readonly input: JsonValue | null;
  readonly output: JsonValue | null;
  readonly success: boolean;
  readonly errorMessage: string | null;
  readonly startTime: Date;
  readonly endTime: Date;
  readonly durationMs: number;
  /** Extra facts: the unknown category given (`category_given`), the tool's other attributes. */
  readonly metadata: JsonObject;
}

/** A `decisions` row: a decision span, or a `mini_agent.decision` event inside any span. */
export interface DecisionRecord extends RecordBase {
  readonly type: 'decision';
  /** The span id for a decision span; `${spanId}:${eventIndex}` for a decision event. */
  readonly id: string;
  readonly decisionType: string;
  readonly options: JsonValue | null;
  readonly chosen: string | null;
  readonly reasoning: string | null;
  readonly decidedAt: Date;
}

/** A `performance_metrics` row: one `mini_agent.metric` event. */
export interface MetricRecord extends RecordBase {
  readonly type: 'metric';
  /** `${spanId}:${eventIndex}`: deterministic, so a re-delivered span gives the same id. */
  readonly id: string;
  readonly metricType: string;
  /** `null` when the value given was not a finite number (kept in `metadata.invalid_value`). */
  readonly value: number | null;
  readonly unit: string | null;
  readonly recordedAt: Date;
  readonly metadata: JsonObject;
}

/**
 * Token counts of one LLM call; absent counts are `null`. As in the OTel GenAI conventions,
 * `input` includes the cached and cache-creation tokens and `output` the reasoning tokens.
 */
export interface TokenUsage {
  readonly input: number | null;
  readonly output: number | null;
  readonly total: number | null;
  /** Input tokens read from the provider's prompt cache. */
  readonly cached: number | null;
  /** Input tokens written to the provider's prompt cache (`gen_ai.usage.cache_creation.input_tokens`); included in `input`. */
  readonly cacheCreation: number | null;
  readonly reasoning: number | null;
}

/** A `generations` row: one LLM call. */
export interface GenerationRecord extends RecordBase {
  readonly type: 'generation';
  readonly parentSpanId: string | null;
  /** The session the record belongs to, when known on its span (propagated in process or by baggage); else read the trace row's. */
  readonly sessionId: string | null;
  /** The user the record belongs to, when known on its span; else read the trace row's. */
  readonly userId: string | null;
  readonly name: string;
  readonly model: string | null;
  readonly provider: string | null;
  readonly input: JsonValue | null;
  readonly output: JsonValue | null;
  readonly usage: TokenUsage;
  /** The same counts split per priced kind, each counted once (input without cache, output without reasoning). */
  readonly usageByKind: UsageByKind;
  /**
   * What the call cost in USD: reported by the span, else from a custom price, else from the
   * price library at the call's time. `null` when it could not be priced (`costDetails.reason` says why).
   */
  readonly costUsd: number | null;
  /** How the cost was made (`source`, `version`, `usd` per kind) or why there is none (`reason`). */
  readonly costDetails: JsonObject | null;
  readonly modelParameters: JsonObject;
  readonly success: boolean;
  readonly errorMessage: string | null;
  readonly startTime: Date;
  readonly endTime: Date;
  readonly durationMs: number;
  readonly completionStartTime: Date | null;
  /**
   * The ids of the tool calls the model asked for in its output (OpenAI `tool_calls[].id`, GenAI
   * `tool_call` parts, OpenInference `tool_call.id`, Vercel `toolCallId`): joined to
   * `tool_executions.call_id` to link a generation to the tools it made run.
   */
  readonly toolCallIds: readonly string[];
}

/**
 * A `scores` row: one judgment of a span or of a whole session — a `gen_ai.evaluation.result`
 * event, an OpenInference annotation or evaluation, a `recordScore()` call, or feedback added
 * later. `spanId` is the span that carried it; `targetSpanId` the span it judges.
 */
export interface ScoreRecord extends RecordBase {
  readonly type: 'score';
  /** `${spanId}:${eventIndex}` for an event, `${spanId}:${name}:${identifier}` for an OpenInference result, or the caller's id. */
  readonly id: string;
  /** The span judged; `null` when the score is about the whole session (trace). */
  readonly targetSpanId: string | null;
  readonly sessionId: string | null;
  readonly name: string;
  readonly dataType: ScoreDataType;
  /** The number: the score of a numeric one, 0 or 1 of a boolean one, `null` for a categorical one. */
  readonly value: number | null;
  readonly label: string | null;
  readonly explanation: string | null;
  readonly source: ScoreSource;
  readonly author: string | null;
  readonly createdAt: Date;
  /** What else the producer said: OpenInference `identifier` and `metadata`, `gen_ai.response.id`, `error.type`. */
  readonly metadata: JsonObject;
}

/** A span event, made storable. */
export interface SpanEventRecord {
  readonly name: string;
  readonly time: Date;
  readonly attributes: JsonObject;
}

/** A span link, made storable. */
export interface SpanLinkRecord {
  readonly traceId: string;
  readonly spanId: string;
  readonly attributes: JsonObject;
}

/** What a span is about, for filters; see {@link SpanRecord.category}. */
export type SpanCategory = 'agent' | 'ai' | 'http' | 'db' | 'infra' | 'other';
/**
 * Which of a span's attributes hold a payload its typed record stores as well: the attribute
 * name for the record's `input`, `output` (tool and LLM spans) or `options` (decision spans). A
 * sink that stores both may keep the payload once (the Postgres sink leaves these attributes out
 * of `spans.attributes`; the `spans_full` view puts them back).
 */
export interface PayloadKeys {
  readonly input?: string;
  readonly output?: string;
  readonly options?: string;
}

/** A `spans` row: every span, whatever its kind, so nothing a user sent is unqueryable. */
export interface SpanRecord extends RecordBase {
  readonly type: 'span';
  readonly parentSpanId: string | null;
  /** The session the record belongs to, when known on its span (propagated in process or by baggage); else read the trace row's. */
  readonly sessionId: string | null;
  /** The user the record belongs to, when known on its span; else read the trace row's. */
  readonly userId: string | null;
  /**
   * What the span is about, for filters: `agent` (a convention adapter recognized its kind),
   * `ai` (made by a known AI instrumentation), `http`, `db`, `infra` (another OpenTelemetry
   * auto-instrumentation: fs, dns, net, RPC, messaging, web frameworks), or `other` (a plain
   * span, such as one of the application's own).
   */
  readonly category: SpanCategory;
  /**
   * Set when the same model call was already reported by another instrumentation's span (nested,
   * same model, overlapping times): that span's id. This span then has no generation record.
   */
  readonly duplicateOf: string | null;
  readonly name: string;
  /** The agent kind (`mini_agent.span.kind`, given or inferred). */
  readonly kind: AgentSpanKind;
  /** The OTel span kind: `internal`, `server`, `client`, `producer`, `consumer`. */
  readonly otelKind: string;
  readonly status: SpanOutcome;
  readonly statusMessage: string | null;
  readonly startTime: Date;
  readonly endTime: Date;
  readonly durationMs: number;
  readonly attributes: JsonObject;
  readonly events: readonly SpanEventRecord[];
  readonly links: readonly SpanLinkRecord[];
  readonly resource: JsonObject;
  readonly scope: { readonly name: string; readonly version: string | null };
  /** Attributes whose value the span's tool, generation or decision record holds too; absent on records of earlier versions. */
  readonly payloadKeys?: PayloadKeys;
}

/** Everything `interpret()` can return. Sinks switch on `type`. */
export type AgentRecord =
  | TraceRecord
  | ToolExecutionRecord
  | DecisionRecord
  | MetricRecord
  | GenerationRecord
  | SpanRecord
  | ScoreRecord;

/** The `type` tags of {@link AgentRecord}. */
export type AgentRecordType = AgentRecord['type'];
