import { observationFromSpan, traceUpdateFromSpan } from './langfuse-server/otel-processing.js';
import type { OtelWritePath } from './langfuse-server/write-path.js';
import type { DecodedOtlpSpan } from './otlp-decode.js';
import { validateScoreBody, type ScoreBody } from './langfuse-server/scores-route.js';

/** A score as the test server stored it: the last body written under its id, and how often it was written. */
export interface StoredScore extends ScoreBody {
  /** Writes under this id: 2 means a second write replaced the first (an upsert, not a duplicate). */
  writes: number;
  createdAt: string;
  updatedAt: string;
}

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
  /** USD per usage key as given (`costDetails`, `langfuse.observation.cost_details`, or `gen_ai.usage.cost` as `total`). */
  costDetails: Record<string, number> | null;
  environment: string | null;
  version: string | null;
  /** Which endpoint delivered it last. */
  source: 'ingestion' | 'otel';
  /** How it was written: OTLP's `direct` or `dual` path, or the `ingestion` API. */
  writePath: OtelWritePath | 'ingestion';
  /**
   * The trace-level fields the observation itself carries. Langfuse v4 reads them per observation
   * on the direct path (its per-user and per-session views count only observations that carry
   * them); on the dual path and the ingestion API the observation has none (v4 copies them from
   * the trace later), so they stay null here.
   */
  release: string | null;
  sessionId: string | null;
  userId: string | null;
  traceName: string | null;
  tags: string[];
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
  /** By id, project-wide as in Langfuse: a score written again with an id it already has replaces the stored one. */
  readonly scores = new Map<string, StoredScore>();

  /** Upserts one validated score (from `POST /api/public/scores` or a `score-create` event). */
  upsertScore(body: ScoreBody): StoredScore {
    const now = new Date().toISOString();
    const stored = this.scores.get(body.id);
    const next: StoredScore = { ...body, writes: (stored?.writes ?? 0) + 1, createdAt: stored?.createdAt ?? now, updatedAt: now };
    this.scores.set(body.id, next);
    return next;
  }

  /** Stores one accepted ingestion event. */
  addIngestionEvent(event: IngestionEventLike): void {
    const body = event.body;
    if (event.type === 'score-create') {
      const checked = validateScoreBody(body, () => event.id);
      if (checked.ok) this.upsertScore(checked.body);
      return;
    }
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
      costDetails: (asRecord(body.costDetails) as Record<string, number> | undefined) ?? null,
      environment: str(body.environment),
      version: str(body.version),
      source: 'ingestion',
      writePath: 'ingestion',
    });
    if (typeof body.traceId === 'string' && !this.traces.has(body.traceId)) this.upsertTrace(body.traceId, {});
  }

  /** Stores one accepted OTLP span as Langfuse's OTel processing does on `path` (see `observationFromSpan`). */
  addOtlpSpan(span: DecodedOtlpSpan, path: OtelWritePath): void {
    const observation = observationFromSpan(span, path);
    this.upsertObservation(span.spanId, { ...observation, source: 'otel', writePath: path });
    const update = traceUpdateFromSpan(span);
    if (!update) {
      if (!this.traces.has(span.traceId)) this.upsertTrace(span.traceId, { timestamp: observation.startTime, environment: observation.environment });
      return;
    }
    const { tags, metadata, ...fields } = update;
    const known = this.traces.get(span.traceId);
    this.upsertTrace(span.traceId, {
      ...fields,
      ...(tags && tags.length > 0 ? { tags } : {}),
      // Later spans add to a trace's metadata; a key they repeat takes their value.
      metadata: { ...known?.metadata, ...metadata },
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
      model: null, modelParameters: null, usageDetails: null, costDetails: null, environment: null, version: null, source: 'ingestion',
      writePath: 'ingestion', release: null, sessionId: null, userId: null, traceName: null, tags: [],
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





function str(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
