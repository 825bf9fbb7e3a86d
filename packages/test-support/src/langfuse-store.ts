import { LangfuseOtelSpanAttributes as A } from '@langfuse/core';
import type { DecodedOtlpSpan, OtlpAttributes } from './otlp-decode.js';

/** A trace as the test server stored it, whichever endpoint it came through. */
export interface StoredTrace {
  id: string;
  timestamp: string | null;
  name: string | null;
  sessionId: string | null;
  userId: string | null;
  release: string | null;
  version: string | null;
  environment: string | null;
  input: unknown;
  output: unknown;
  tags: string[];
  metadata: Record<string, unknown>;
}

/** An observation as the test server stored it. `type` is upper case, as Langfuse's API returns it. */
export interface StoredObservation {
  id: string;
  traceId: string | null;
  type: string;
  name: string | null;
  parentObservationId: string | null;
  startTime: string | null;
  endTime: string | null;
  completionStartTime: string | null;
  input: unknown;
  output: unknown;
  metadata: Record<string, unknown>;
  level: string;
  statusMessage: string | null;
  model: string | null;
  modelParameters: Record<string, unknown> | null;
  usageDetails: Record<string, number> | null;
  environment: string | null;
  version: string | null;
  /** Which endpoint delivered it last. */
  source: 'ingestion' | 'otel';
}

/** One ingestion event as sent (`type`, `id`, `timestamp`, `body`). */
export interface IngestionEventLike {
  readonly id: string;
  readonly type: string;
  readonly timestamp: string;
  readonly body: Record<string, unknown>;
}

/**
 * What the test server keeps: traces and observations upserted by id (a later write fills in or
 * replaces fields, as Langfuse merges), so re-delivered data shows up once.
 */
export class LangfuseStore {
  readonly traces = new Map<string, StoredTrace>();
  readonly observations = new Map<string, StoredObservation>();

  /** Stores one accepted ingestion event. */
  addIngestionEvent(event: IngestionEventLike): void {
    const body = event.body;
    if (event.type === 'trace-create') {
      this.upsertTrace(String(body.id), {
        timestamp: str(body.timestamp),
        name: str(body.name),
        sessionId: str(body.sessionId),
        userId: str(body.userId),
        release: str(body.release),
        version: str(body.version),
        environment: str(body.environment),
        input: body.input,
        output: body.output,
        tags: Array.isArray(body.tags) ? body.tags.map(String) : undefined,
        metadata: asRecord(body.metadata),
      });
      return;
    }
    const type = observationTypeOf(event);
    if (!type || body.id === undefined || body.id === null) return;
    this.upsertObservation(String(body.id), {
      traceId: str(body.traceId),
      type,
      name: str(body.name),
      parentObservationId: str(body.parentObservationId),
      startTime: str(body.startTime),
      endTime: str(body.endTime),
      completionStartTime: str(body.completionStartTime),
      input: body.input,
      output: body.output,
      metadata: asRecord(body.metadata),
      level: str(body.level) ?? undefined,
      statusMessage: str(body.statusMessage),
      model: str(body.model),
      modelParameters: asRecord(body.modelParameters) ?? null,
      usageDetails: usageOf(body),
      environment: str(body.environment),
      version: str(body.version),
      source: 'ingestion',
    });
    if (typeof body.traceId === 'string' && !this.traces.has(body.traceId)) this.upsertTrace(body.traceId, {});
  }

  /**
   * Stores one accepted OTLP span the way Langfuse reads its `langfuse.*` attributes: the observation
   * from `langfuse.observation.*`, the trace from `langfuse.trace.*`, session/user ids, and the root span.
   */
  addOtlpSpan(span: DecodedOtlpSpan): void {
    const at = span.attributes;
    const startTime = nanosToIso(span.startTimeUnixNano);
    const endTime = nanosToIso(span.endTimeUnixNano);
    const environment = str(at[A.ENVIRONMENT]) ?? str(span.resource.attributes['deployment.environment.name']) ?? 'default';
    const input = parseMaybeJson(at[A.OBSERVATION_INPUT]);
    const output = parseMaybeJson(at[A.OBSERVATION_OUTPUT]);
    this.upsertObservation(span.spanId, {
      traceId: span.traceId,
      type: (str(at[A.OBSERVATION_TYPE]) ?? 'span').toUpperCase(),
      name: span.name,
      parentObservationId: span.parentSpanId,
      startTime,
      endTime,
      completionStartTime: str(parseMaybeJson(at[A.OBSERVATION_COMPLETION_START_TIME])),
      input,
      output,
      metadata: prefixed(at, A.OBSERVATION_METADATA),
      level: str(at[A.OBSERVATION_LEVEL]) ?? (span.status.code === 2 ? 'ERROR' : 'DEFAULT'),
      statusMessage: str(at[A.OBSERVATION_STATUS_MESSAGE]) ?? (span.status.message || null),
      model: str(at[A.OBSERVATION_MODEL]),
      modelParameters: asRecord(parseMaybeJson(at[A.OBSERVATION_MODEL_PARAMETERS])) ?? null,
      usageDetails: (asRecord(parseMaybeJson(at[A.OBSERVATION_USAGE_DETAILS])) as Record<string, number> | undefined) ?? null,
      environment,
      version: str(at[A.VERSION]) ?? str(span.resource.attributes['service.version']),
      source: 'otel',
    });

    const isRoot = span.parentSpanId === null;
    const traceMetadata = prefixed(at, A.TRACE_METADATA);
    const hasTraceUpdates =
      Object.keys(at).some((key) => key.startsWith('langfuse.trace.')) ||
      [A.TRACE_USER_ID, A.TRACE_SESSION_ID, A.TRACE_COMPAT_USER_ID, A.TRACE_COMPAT_SESSION_ID].some((key) => at[key] !== undefined);
    if (!isRoot && !hasTraceUpdates) {
      if (!this.traces.has(span.traceId)) this.upsertTrace(span.traceId, { timestamp: startTime, environment });
      return;
    }
    this.upsertTrace(span.traceId, {
      timestamp: isRoot ? startTime : undefined,
      name: str(at[A.TRACE_NAME]) ?? (isRoot ? span.name : null),
      sessionId: str(at[A.TRACE_COMPAT_SESSION_ID]) ?? str(at[A.TRACE_SESSION_ID]),
      userId: str(at[A.TRACE_COMPAT_USER_ID]) ?? str(at[A.TRACE_USER_ID]),
      release: str(at[A.RELEASE]),
      version: str(at[A.VERSION]),
      environment,
      input: at[A.TRACE_INPUT] !== undefined ? parseMaybeJson(at[A.TRACE_INPUT]) : isRoot ? input : undefined,
      output: at[A.TRACE_OUTPUT] !== undefined ? parseMaybeJson(at[A.TRACE_OUTPUT]) : isRoot ? output : undefined,
      tags: tagsOf(at[A.TRACE_TAGS]),
      metadata: Object.keys(traceMetadata).length > 0 ? traceMetadata : undefined,
    });
  }

  private upsertTrace(id: string, fields: Partial<StoredTrace>): void {
    const current: StoredTrace = this.traces.get(id) ?? {
      id, timestamp: null, name: null, sessionId: null, userId: null, release: null, version: null,
      environment: null, input: null, output: null, tags: [], metadata: {},
    };
    this.traces.set(id, mergeDefined(current, fields));
  }

  private upsertObservation(id: string, fields: Partial<StoredObservation>): void {
    const current: StoredObservation = this.observations.get(id) ?? {
      id, traceId: null, type: 'SPAN', name: null, parentObservationId: null, startTime: null, endTime: null,
      completionStartTime: null, input: null, output: null, metadata: {}, level: 'DEFAULT', statusMessage: null,
      model: null, modelParameters: null, usageDetails: null, environment: null, version: null, source: 'ingestion',
    };
    this.observations.set(id, mergeDefined(current, fields));
  }
}

const OBSERVATION_EVENT_TYPES: Record<string, string> = {
  'span-create': 'SPAN',
  'span-update': 'SPAN',
  'generation-create': 'GENERATION',
  'generation-update': 'GENERATION',
  'event-create': 'EVENT',
  'agent-create': 'AGENT',
  'tool-create': 'TOOL',
  'chain-create': 'CHAIN',
  'retriever-create': 'RETRIEVER',
  'evaluator-create': 'EVALUATOR',
  'embedding-create': 'EMBEDDING',
  'guardrail-create': 'GUARDRAIL',
};

function observationTypeOf(event: IngestionEventLike): string | undefined {
  if (event.type === 'observation-create' || event.type === 'observation-update') return str(event.body.type) ?? undefined;
  return OBSERVATION_EVENT_TYPES[event.type];
}

function usageOf(body: Record<string, unknown>): Record<string, number> | null | undefined {
  const details = asRecord(body.usageDetails);
  if (details) return details as Record<string, number>;
  const usage = asRecord(body.usage);
  if (!usage) return undefined;
  const picked: Record<string, number> = {};
  for (const key of ['input', 'output', 'total'] as const) if (typeof usage[key] === 'number') picked[key] = usage[key];
  return picked;
}

// Null and undefined leave the stored value alone: a partial upsert never erases what is known.
function mergeDefined<T extends object>(current: T, fields: Partial<T>): T {
  const next = { ...current };
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined || value === null) continue;
    (next as Record<string, unknown>)[key] = value;
  }
  return next;
}

function prefixed(attributes: OtlpAttributes, prefix: string): Record<string, unknown> {
  const out: Record<string, unknown> = asRecord(parseMaybeJson(attributes[prefix])) ?? {};
  for (const [key, value] of Object.entries(attributes)) {
    if (key.startsWith(`${prefix}.`)) out[key.slice(prefix.length + 1)] = parseMaybeJson(value);
  }
  return out;
}

function tagsOf(value: unknown): string[] | undefined {
  if (Array.isArray(value)) return value.map(String);
  const parsed = parseMaybeJson(value);
  if (Array.isArray(parsed)) return parsed.map(String);
  return typeof value === 'string' ? value.split(',').map((tag) => tag.trim()) : undefined;
}

function parseMaybeJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function nanosToIso(nanos: string): string | null {
  if (!/^\d+$/.test(nanos) || nanos === '0') return null;
  return new Date(Number(BigInt(nanos) / 1_000_000n)).toISOString();
}

function str(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
