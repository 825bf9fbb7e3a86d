import { ingestionEventId } from './ids.js';
import { MetadataKeys } from './metadata-keys.js';
import type { LangfuseBatch, LangfuseObservation, LangfuseTrace, ObservationType } from './model.js';

/** One event of `POST /api/public/ingestion`. */
export interface IngestionEvent {
  readonly id: string;
  readonly type: string;
  readonly timestamp: string;
  readonly body: Readonly<Record<string, unknown>>;
}

/** How the events are shaped for the server at hand. */
export interface IngestionEventOptions {
  /** Agents and tools as `span-create` (metadata `observationType` keeps what they were). */
  readonly legacyObservationTypes: boolean;
  /** The client-side time stamped on each event; Langfuse orders updates of one body by it. */
  readonly now?: Date;
}

const CREATE_EVENT: Record<ObservationType, string> = {
  span: 'span-create',
  generation: 'generation-create',
  event: 'event-create',
  agent: 'agent-create',
  tool: 'tool-create',
};

/**
 * The legacy ingestion API's events for a batch: `trace-create` for each session, then one
 * `<type>-create` per observation. Event ids derive from the body id and the event type, so a
 * retried batch upserts what the first attempt stored.
 */
export function toIngestionEvents(batch: LangfuseBatch, options: IngestionEventOptions): IngestionEvent[] {
  const timestamp = (options.now ?? new Date()).toISOString();
  const events: IngestionEvent[] = [];
  for (const trace of batch.traces) {
    events.push({ id: ingestionEventId(trace.id, 'trace-create'), type: 'trace-create', timestamp, body: traceBody(trace) });
  }
  for (const observation of batch.observations) {
    const legacy = options.legacyObservationTypes && (observation.type === 'agent' || observation.type === 'tool');
    const type = legacy ? 'span-create' : CREATE_EVENT[observation.type];
    const body = observationBody(observation, type, options.legacyObservationTypes);
    events.push({ id: ingestionEventId(observation.id, type), type, timestamp, body });
  }
  return events;
}

function traceBody(trace: LangfuseTrace): Record<string, unknown> {
  return compact({
    id: trace.id,
    timestamp: trace.timestamp?.toISOString(),
    name: trace.name,
    userId: trace.userId,
    sessionId: trace.sessionId,
    release: trace.release,
    version: trace.version,
    environment: trace.environment,
    input: trace.input,
    output: trace.output,
    tags: trace.tags.length > 0 ? [...trace.tags] : undefined,
    metadata: Object.keys(trace.metadata).length > 0 ? trace.metadata : undefined,
  });
}

function observationBody(o: LangfuseObservation, eventType: string, legacy: boolean): Record<string, unknown> {
  const metadata = eventType === 'span-create' && o.type !== 'span' ? { ...o.metadata, [MetadataKeys.OBSERVATION_TYPE]: o.type } : o.metadata;
  const body: Record<string, unknown> = {
    id: o.id,
    traceId: o.traceId,
    parentObservationId: o.parentObservationId,
    name: o.name,
    startTime: o.startTime.toISOString(),
    // An event is a point in time: its body has no end.
    endTime: o.type === 'event' ? undefined : o.endTime.toISOString(),
    input: o.input,
    output: o.output,
    metadata: Object.keys(metadata).length > 0 ? metadata : undefined,
    level: o.level === 'DEFAULT' ? undefined : o.level,
    statusMessage: o.statusMessage,
    environment: o.environment,
    // The agent's version, as on the OTLP transport (Langfuse's `version` of an observation).
    version: o.version,
  };
  if (o.type === 'generation') {
    Object.assign(body, {
      model: o.model,
      modelParameters: o.modelParameters ?? undefined,
      usageDetails: o.usageDetails ?? undefined,
      costDetails: o.costDetails ?? undefined,
      completionStartTime: o.completionStartTime?.toISOString(),
      // v2 servers before `usageDetails` read the older `usage` object.
      usage: legacy ? legacyUsage(o.usageDetails) : undefined,
    });
  }
  return compact(body);
}

function legacyUsage(details: Readonly<Record<string, number>> | null): Record<string, unknown> | undefined {
  if (!details || details.input === undefined || details.output === undefined) return undefined;
  return { input: details.input, output: details.output, total: details.total ?? details.input + details.output, unit: 'TOKENS' };
}

// Absent and null fields are left out: the server keeps what an earlier event of the same body set.
function compact(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined && value !== null));
}
