import type { SpanKind as AgentSpanKind, ToolCategory } from '@mini-agent/semconv';
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

/** A `spans` row: every span, whatever its kind, so nothing a user sent is unqueryable. */
export interface SpanRecord extends RecordBase {
  readonly type: 'span';
  readonly parentSpanId: string | null;
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
}

/** Everything `interpret()` can return. Sinks switch on `type`. */
export type AgentRecord =
  | TraceRecord
  | ToolExecutionRecord
  | DecisionRecord
  | MetricRecord
  | GenerationRecord
  | SpanRecord;

/** The `type` tags of {@link AgentRecord}. */
export type AgentRecordType = AgentRecord['type'];
