import { LangfuseOtelSpanAttributes as A } from '@langfuse/core';
import { knownJsonText, type JsonObject, type JsonValue } from '@mini-agent/core';
import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { MAX_REQUEST_BYTES } from './batching.js';
import { truncateJson, utf8Bytes } from './limits.js';
import type { LangfuseBatch, LangfuseObservation, LangfuseTrace } from './model.js';
import type { OtlpSpanData } from './otlp-protobuf.js';
import { EXPORTER_NAME, EXPORTER_VERSION } from './version.js';

/**
 * The instrumentation scope of rebuilt spans (the original scope is in the observation's metadata).
 * Langfuse classifies spans whose scope name contains "langfuse" as its own SDK's traffic and keeps
 * them on the old write path: the name is ours alone.
 */
export const EXPORTER_SCOPE = { name: EXPORTER_NAME, version: EXPORTER_VERSION } as const;

/** OTLP's `Span.SpanKind` values (the API's `SpanKind` plus one). */
const OTLP_KINDS: Record<string, number> = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };

/** OTLP's `Status.StatusCode` values. */
const STATUS_CODES: Record<string, number> = { unset: 0, ok: 1, error: 2 };

/**
 * One span per observation, with the original trace id, span id, parent, times and status, and
 * attributes in Langfuse's own OTel names (`langfuse.observation.*`, `langfuse.trace.*`, …), which
 * the Langfuse OTLP endpoint reads. Every span carries the trace-level fields (session, user, tags,
 * trace name, release, version, environment), as Langfuse v4 reads them per observation; the
 * trace's input, output and metadata ride on the session span alone.
 */
export function toOtlpSpans(batch: LangfuseBatch): OtlpSpanData[] {
  const traceBySpan = new Map(batch.traces.map((t) => [`${t.id}/${t.spanId}`, t]));
  const resources = new Map<string, Attributes>();
  const resourceFor = (attributes: JsonObject): Attributes => {
    // Spans of one process share one resource object: known by identity, it needs no JSON key.
    let resource = resourcesByObject.get(attributes);
    if (resource) return resource;
    const key = JSON.stringify(attributes);
    resource = resources.get(key);
    if (!resource) resources.set(key, (resource = toAttributes(attributes)));
    resourcesByObject.set(attributes, resource);
    return resource;
  };
  return batch.observations.map((o) => {
    const attributes = observationAttributes(o);
    const trace = traceBySpan.get(`${o.traceId}/${o.id}`);
    if (trace) Object.assign(attributes, traceAttributes(trace, o.parentObservationId === null ? o : undefined));
    const { fitted, bytes } = fitAttributes(attributes);
    return toSpanData(o, fitted, resourceFor(o.otel.resource), bytes);
  });
}

/** Resource attributes already converted, by the record's resource object. */
const resourcesByObject = new WeakMap<JsonObject, Attributes>();

/** Langfuse's attributes for an observation. */
export function observationAttributes(o: LangfuseObservation): Attributes {
  const attributes: Attributes = { [A.OBSERVATION_TYPE]: o.type };
  set(attributes, A.OBSERVATION_INPUT, serialize(o.input));
  set(attributes, A.OBSERVATION_OUTPUT, serialize(o.output));
  // Flattened per key, as Langfuse's SDK does: each key becomes a filterable metadata field.
  for (const key in o.metadata) set(attributes, prefixed(OBSERVATION_METADATA_NAMES, A.OBSERVATION_METADATA, key), serialize(o.metadata[key] as JsonValue));
  if (o.level !== 'DEFAULT') set(attributes, A.OBSERVATION_LEVEL, o.level);
  set(attributes, A.OBSERVATION_STATUS_MESSAGE, o.statusMessage);
  set(attributes, A.OBSERVATION_MODEL, o.model);
  set(attributes, A.OBSERVATION_MODEL_PARAMETERS, o.modelParameters ? JSON.stringify(o.modelParameters) : null);
  set(attributes, A.OBSERVATION_USAGE_DETAILS, o.usageDetails ? JSON.stringify(o.usageDetails) : null);
  set(attributes, A.OBSERVATION_COST_DETAILS, o.costDetails ? JSON.stringify(o.costDetails) : null);
  set(attributes, A.OBSERVATION_COMPLETION_START_TIME, o.completionStartTime?.toISOString() ?? null);
  setTraceIdentity(attributes, { name: o.traceName, sessionId: o.sessionId, userId: o.userId, tags: o.tags });
  set(attributes, A.ENVIRONMENT, o.environment);
  set(attributes, A.RELEASE, o.release);
  // Without it the server takes the resource's `service.version`: for the agent's spans, not the agent's version.
  set(attributes, A.VERSION, o.version);
  return attributes;
}

/**
 * Langfuse's attributes for the trace, set on the session span (its trace-level fields are on
 * every observation already). Langfuse copies a trace's input and output from its root
 * observation, so when the session span is that root (`root`) and says the same, they are not
 * sent twice.
 */
export function traceAttributes(t: LangfuseTrace, root?: LangfuseObservation): Attributes {
  const attributes: Attributes = {};
  setTraceIdentity(attributes, t);
  const input = serialize(t.input);
  const output = serialize(t.output);
  if (!root || input !== serialize(root.input)) set(attributes, A.TRACE_INPUT, input);
  if (!root || output !== serialize(root.output)) set(attributes, A.TRACE_OUTPUT, output);
  for (const key in t.metadata) set(attributes, prefixed(TRACE_METADATA_NAMES, A.TRACE_METADATA, key), serialize(t.metadata[key] as JsonValue));
  set(attributes, A.RELEASE, t.release);
  set(attributes, A.VERSION, t.version);
  set(attributes, A.ENVIRONMENT, t.environment);
  return attributes;
}

/**
 * Attribute names made of a prefix and a metadata key, made once per key: the same dozen keys
 * recur on every span, and each concatenation was a new string to hash when set and when encoded.
 */
const OBSERVATION_METADATA_NAMES = new Map<string, string>();
const TRACE_METADATA_NAMES = new Map<string, string>();
const NAME_CACHE_LIMIT = 4096;

function prefixed(cache: Map<string, string>, prefix: string, key: string): string {
  let name = cache.get(key);
  if (name === undefined) {
    name = `${prefix}.${key}`;
    if (cache.size < NAME_CACHE_LIMIT) cache.set(key, name);
  }
  return name;
}

/** The trace's name, session, user and tags. */
function setTraceIdentity(attributes: Attributes, t: { name: string | null; sessionId: string | null; userId: string | null; tags: readonly string[] }): void {
  set(attributes, A.TRACE_NAME, t.name);
  // Both spellings: current servers read `session.id`/`user.id` (and `langfuse.*` first), earlier v3 servers the `langfuse.` ones.
  set(attributes, A.TRACE_SESSION_ID, t.sessionId);
  set(attributes, A.TRACE_COMPAT_SESSION_ID, t.sessionId);
  set(attributes, A.TRACE_USER_ID, t.userId);
  set(attributes, A.TRACE_COMPAT_USER_ID, t.userId);
  if (t.tags.length > 0) attributes[A.TRACE_TAGS] = [...t.tags];
}

function toSpanData(o: LangfuseObservation, attributes: Attributes, resource: Attributes, attributeBytes: number): OtlpSpanData {
  return {
    traceId: o.traceId,
    spanId: o.id,
    parentSpanId: o.parentObservationId,
    name: o.name,
    kind: OTLP_KINDS[o.otel.kind] ?? OTLP_KINDS.internal!,
    startTimeMs: o.startTime.getTime(),
    endTimeMs: o.endTime.getTime(),
    statusCode: STATUS_CODES[o.otel.status] ?? 0,
    statusMessage: o.otel.statusMessage || null,
    attributes,
    resource,
    attributeBytes,
  };
}

/**
 * Langfuse reads strings as they are and parses JSON text for everything else. A payload's text is
 * known (the text it was parsed from); a metadata value is new and stringified once, here.
 */
function serialize(value: JsonValue | null): string | null {
  if (value === null) return null;
  if (typeof value === 'string') return value;
  return typeof value === 'object' ? (knownJsonText(value) ?? JSON.stringify(value)) : JSON.stringify(value);
}

function set(attributes: Attributes, key: string, value: string | null | undefined): void {
  if (value !== null && value !== undefined) attributes[key] = value;
}

/** Resource attributes back to OTel attribute values: scalars and scalar arrays as they are, anything else as JSON. */
function toAttributes(values: JsonObject): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(values)) {
    if (value === null) continue;
    out[key] = isAttributeValue(value) ? value : JSON.stringify(value);
  }
  return out;
}

function isAttributeValue(value: JsonValue): value is AttributeValue & JsonValue {
  if (typeof value !== 'object') return true;
  if (!Array.isArray(value)) return false;
  const types = new Set(value.map((item) => (item === null ? 'null' : typeof item)));
  types.delete('null');
  return types.size <= 1 && ![...types].includes('object');
}

/** Room left for one span in a request, after its ids, times, resource and framing. */
const SPAN_BUDGET_BYTES = MAX_REQUEST_BYTES - 256 * 1024;

/**
 * A span whose fields each fit `maxFieldBytes` can still be too big for one request when
 * `maxFieldBytes` is set high (the session span carries the trace's input and output besides its
 * own). Its longest values are then cut further until the span fits.
 */
function fitAttributes(attributes: Attributes): { fitted: Attributes; bytes: number } {
  let total = 0;
  for (const key in attributes) total += key.length + valueBytes(attributes[key]);
  while (total > SPAN_BUDGET_BYTES) {
    const [key, value] = Object.entries(attributes).reduce((a, b) => (valueBytes(b[1]) > valueBytes(a[1]) ? b : a));
    if (typeof value !== 'string') break;
    const cut = truncateJson(value, Math.max(1024, Math.floor(utf8Bytes(value) / 2))).value as string;
    total -= utf8Bytes(value) - utf8Bytes(cut);
    attributes[key] = cut;
  }
  return { fitted: attributes, bytes: total };
}

function valueBytes(value: AttributeValue | undefined): number {
  return typeof value === 'string' ? utf8Bytes(value) : JSON.stringify(value ?? null).length;
}

/** A lower bound of a span's encoded size, for keeping requests under the byte limit. */
export function spanBytes(span: OtlpSpanData): number {
  let bytes = span.attributeBytes;
  if (bytes === undefined) {
    bytes = 0;
    for (const [key, value] of Object.entries(span.attributes)) bytes += key.length + valueBytes(value);
  }
  return 200 + utf8Bytes(span.name) + bytes;
}
