import type { StoredObservation } from '../langfuse-store.js';
import type { DecodedOtlpSpan, OtlpAttributes } from '../otlp-decode.js';
import {
  ENVIRONMENT_KEYS,
  INPUT_OUTPUT_KEYS,
  INPUT_OUTPUT_PREFIXES,
  ServerAttributes as A,
  SESSION_ID_KEYS,
  TAGS_KEYS,
  TRACE_UPDATE_KEYS,
  USER_ID_KEYS,
} from './attributes.js';
import type { OtelWritePath } from './write-path.js';

/** What the server makes of one span as an observation (before it is stored). */
export type ProcessedObservation = Omit<StoredObservation, 'id' | 'source' | 'writePath'> & { traceId: string; environment: string };

/** What a span writes to its trace: for root spans and spans with trace attributes; undefined otherwise. */
export interface ProcessedTraceUpdate {
  timestamp?: string | null;
  name?: string | null;
  sessionId?: string | null;
  userId?: string | null;
  release?: string | null;
  version?: string | null;
  environment?: string;
  input?: unknown;
  output?: unknown;
  tags?: string[];
  metadata: Record<string, unknown>;
}

/**
 * One span as Langfuse's OTel processing turns it into an observation on `path`: the name (a GenAI
 * tool span is named by `gen_ai.tool.name`), the metadata merged in the server's order (on the dual
 * path its own `attributes`, `resourceAttributes` and `scope` win over the span's metadata keys; on
 * the direct path the span's win), an event's end time dropped on the dual path (the ingestion
 * schema of events has none), `version` and `release` with their resource fallbacks, and the
 * trace-level fields per observation on the direct path only.
 */
export function observationFromSpan(span: DecodedOtlpSpan, path: OtelWritePath): ProcessedObservation {
  const at = span.attributes;
  const startTime = nanosToIso(span.startTimeUnixNano);
  const type = (str(at[A.OBSERVATION_TYPE]) ?? inferredType(at)).toUpperCase();
  const own = { ...metadataOf(at, A.OBSERVATION_METADATA) };
  const server = serverMetadata(span);
  const metadata = path === 'direct' ? { ...server, ...own, ...metadataOf(at, A.TRACE_METADATA) } : { ...own, ...server };
  const direct = path === 'direct';
  return {
    traceId: span.traceId,
    type,
    name: str(at['gen_ai.tool.name']) ?? str(at['ai.toolCall.name']) ?? span.name,
    parentObservationId: span.parentSpanId,
    startTime,
    endTime: type === 'EVENT' && !direct ? null : nanosToIso(span.endTimeUnixNano),
    completionStartTime: str(parseMaybeJson(at[A.OBSERVATION_COMPLETION_START_TIME])),
    input: parseMaybeJson(at[A.OBSERVATION_INPUT]) ?? null,
    output: parseMaybeJson(at[A.OBSERVATION_OUTPUT]) ?? null,
    metadata,
    level: str(at[A.OBSERVATION_LEVEL])?.toUpperCase() ?? (span.status.code === 2 ? 'ERROR' : 'DEFAULT'),
    statusMessage: str(at[A.OBSERVATION_STATUS_MESSAGE]) ?? (span.status.message || null),
    model: str(at[A.OBSERVATION_MODEL]) ?? str(at['gen_ai.response.model']) ?? str(at['gen_ai.request.model']),
    modelParameters: asRecord(parseMaybeJson(at[A.OBSERVATION_MODEL_PARAMETERS])) ?? null,
    usageDetails: (asRecord(parseMaybeJson(at[A.OBSERVATION_USAGE_DETAILS])) as Record<string, number> | undefined) ?? null,
    costDetails: costDetailsOf(at),
    environment: environmentOf(span),
    version: versionOf(span),
    release: direct ? releaseOf(span) : null,
    sessionId: direct ? firstString(at, SESSION_ID_KEYS) : null,
    userId: direct ? firstString(at, USER_ID_KEYS) : null,
    traceName: direct ? str(at[A.TRACE_NAME]) : null,
    tags: direct ? tagsOf(at) : [],
  };
}

/**
 * What a span writes to its trace: a root span the full trace (name, ids, tags, release, version,
 * input and output, metadata with the server's keys last), any other span only when it carries
 * trace attributes (without input and output unless given as trace attributes).
 */
export function traceUpdateFromSpan(span: DecodedOtlpSpan): ProcessedTraceUpdate | undefined {
  const at = span.attributes;
  const isRoot = span.parentSpanId === null || String(at[A.AS_ROOT]) === 'true';
  const hasTraceUpdates = TRACE_UPDATE_KEYS.some((key) => Boolean(at[key])) || Object.keys(at).some((key) => key.startsWith(A.TRACE_METADATA));
  if (!isRoot && !hasTraceUpdates) return undefined;
  const { attributes, ...serverRest } = serverMetadata(span);
  const traceMetadata = metadataOf(at, A.TRACE_METADATA);
  const common = {
    sessionId: firstString(at, SESSION_ID_KEYS),
    userId: firstString(at, USER_ID_KEYS),
    release: releaseOf(span),
    version: versionOf(span),
    environment: environmentOf(span),
    tags: tagsOf(at),
  };
  if (isRoot) {
    return {
      ...common,
      timestamp: nanosToIso(span.startTimeUnixNano),
      name: str(at[A.TRACE_NAME]) ?? span.name,
      input: parseMaybeJson(at[A.TRACE_INPUT] ?? at[A.OBSERVATION_INPUT]),
      output: parseMaybeJson(at[A.TRACE_OUTPUT] ?? at[A.OBSERVATION_OUTPUT]),
      metadata: { ...traceMetadata, ...metadataOf(at, A.OBSERVATION_METADATA), ...(attributes === undefined ? {} : { attributes }), ...serverRest },
    };
  }
  return {
    ...common,
    name: str(at[A.TRACE_NAME]),
    input: parseMaybeJson(at[A.TRACE_INPUT]),
    output: parseMaybeJson(at[A.TRACE_OUTPUT]),
    metadata: { ...traceMetadata, ...serverRest },
  };
}

/** The server's own metadata keys: the span's other attributes (not for Langfuse SDK spans), the resource, the scope. */
function serverMetadata(span: DecodedOtlpSpan): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!span.scope.name.startsWith('langfuse-sdk')) {
    const attributes: Record<string, string> = {};
    for (const [key, value] of Object.entries(span.attributes)) {
      if (INPUT_OUTPUT_KEYS.has(key) || INPUT_OUTPUT_PREFIXES.some((prefix) => key.startsWith(prefix))) continue;
      attributes[key] = typeof value === 'string' ? value : JSON.stringify(value);
    }
    out.attributes = attributes;
  }
  out.resourceAttributes = span.resource.attributes;
  out.scope = { name: span.scope.name, version: span.scope.version, attributes: span.scope.attributes };
  return out;
}

/** `<prefix>` as a JSON object, then `<prefix>.<key>` attributes one by one. */
function metadataOf(attributes: OtlpAttributes, prefix: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...asRecord(parseMaybeJson(attributes[prefix])) };
  for (const [key, value] of Object.entries(attributes)) if (key.startsWith(`${prefix}.`) && key.length > prefix.length + 1) out[key.slice(prefix.length + 1)] = parseMaybeJson(value);
  return out;
}

function inferredType(at: OtlpAttributes): string {
  const operation = str(at['gen_ai.operation.name']);
  if (operation === 'execute_tool') return 'tool';
  if (operation === 'invoke_agent') return 'agent';
  if (operation === 'chat' || operation === 'text_completion' || at['gen_ai.request.model'] !== undefined) return 'generation';
  return 'span';
}

function environmentOf(span: DecodedOtlpSpan): string {
  for (const key of ENVIRONMENT_KEYS) {
    const value = str(span.attributes[key]) ?? str(span.resource.attributes[key]);
    if (value) return value;
  }
  return 'default';
}

function versionOf(span: DecodedOtlpSpan): string | null {
  return str(span.attributes[A.VERSION]) ?? str(span.resource.attributes['service.version']);
}

function releaseOf(span: DecodedOtlpSpan): string | null {
  return str(span.attributes[A.RELEASE]) ?? str(span.resource.attributes[A.RELEASE]);
}

function firstString(attributes: OtlpAttributes, keys: readonly string[]): string | null {
  for (const key of keys) if (attributes[key]) return str(attributes[key]);
  return null;
}

function tagsOf(attributes: OtlpAttributes): string[] {
  const key = TAGS_KEYS.find((k) => Boolean(attributes[k]));
  const value = key === undefined ? undefined : attributes[key];
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string') return [];
  const parsed = value.trim().startsWith('[') ? parseMaybeJson(value) : undefined;
  if (Array.isArray(parsed)) return parsed.map(String);
  return value.includes(',') ? value.split(',').map((tag) => tag.trim()) : [value];
}

/** Parses JSON text; anything else comes back as it was. */
export function parseMaybeJson(value: unknown): unknown {
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
  if (value === undefined || value === null || value === '') return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * What the server takes as the provided cost: `langfuse.observation.cost_details` when it parses
 * as JSON, else `gen_ai.usage.cost` as the `total`, else none (it would price the generation itself).
 */
function costDetailsOf(at: OtlpAttributes): Record<string, number> | null {
  const given = at[A.OBSERVATION_COST_DETAILS];
  if (typeof given === 'string') {
    try {
      const parsed: unknown = JSON.parse(given);
      const record = asRecord(parsed);
      if (record) return record as Record<string, number>;
    } catch {
      // falls through, as the server's does
    }
  }
  const cost = at['gen_ai.usage.cost'];
  return cost ? { total: Number(cost) } : null;
}
