import type { JsonObject, JsonValue } from '@mini-agent/core';

/** Langfuse observation types this exporter produces (lower case, as in `langfuse.observation.type`). */
export type ObservationType = 'span' | 'generation' | 'event' | 'agent' | 'tool';

/** A Langfuse trace: one OTel trace, described by its session span. */
export interface LangfuseTrace {
  /** The OTel trace id. */
  readonly id: string;
  /** The session span the trace was read from (its observation carries the trace's fields on OTLP). */
  readonly spanId: string;
  readonly timestamp: Date | null;
  readonly name: string | null;
  readonly sessionId: string | null;
  readonly userId: string | null;
  readonly release: string | null;
  /** The agent's version: what Langfuse calls a trace's `version`. */
  readonly version: string | null;
  readonly environment: string | null;
  readonly input: JsonValue | null;
  readonly output: JsonValue | null;
  readonly tags: readonly string[];
  readonly metadata: JsonObject;
}

/** Where an observation came from in OTel terms: kept so the OTLP transport can rebuild the span. */
export interface OtelOrigin {
  /** OTel span kind name: `internal`, `server`, `client`, `producer`, `consumer`. */
  readonly kind: string;
  readonly status: 'unset' | 'ok' | 'error';
  readonly statusMessage: string | null;
  readonly resource: JsonObject;
}

/** A Langfuse observation: one span, or one decision recorded as an event inside a span. */
export interface LangfuseObservation {
  /** The span id; for a decision event, an id derived from the span id and the event index. */
  readonly id: string;
  readonly traceId: string;
  /** The span whose records it was mapped from (the enclosing span, for a decision event). */
  readonly sourceSpanId: string;
  readonly parentObservationId: string | null;
  readonly type: ObservationType;
  readonly name: string;
  readonly startTime: Date;
  readonly endTime: Date;
  readonly completionStartTime: Date | null;
  readonly input: JsonValue | null;
  readonly output: JsonValue | null;
  readonly metadata: JsonObject;
  readonly level: 'DEFAULT' | 'ERROR';
  readonly statusMessage: string | null;
  readonly model: string | null;
  readonly modelParameters: Readonly<Record<string, string | number | boolean>> | null;
  readonly usageDetails: Readonly<Record<string, number>> | null;
  /** USD per usage key and `total`, the cost `interpret()` computed; null when there is none. */
  readonly costDetails: Readonly<Record<string, number>> | null;
  readonly environment: string | null;
  /** One per trace: the configured release, else the agent's version. */
  readonly release: string | null;
  /** The agent's version (Langfuse's `version`), the same on every observation of a trace. */
  readonly version: string | null;
  /**
   * The trace-level fields, carried by every observation of a session: Langfuse v4 reads them per
   * observation (filters and per-user, per-session aggregations only count the observations that
   * carry them).
   */
  readonly sessionId: string | null;
  readonly userId: string | null;
  readonly traceName: string | null;
  readonly tags: readonly string[];
  readonly otel: OtelOrigin;
}

/** What one batch of records becomes: the traces described by session spans, and every observation. */
export interface LangfuseBatch {
  readonly traces: readonly LangfuseTrace[];
  readonly observations: readonly LangfuseObservation[];
}
