import { isValidSpanId, isValidTraceId, SpanKind, TraceFlags, type Attributes, type Link, type SpanContext } from '@opentelemetry/api';
import { TraceState, type InstrumentationScope } from '@opentelemetry/core';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { dropInvalidIdentity, type TimedEvent } from '@mini-agent/core';
import { readAttributes } from './attributes.js';
import { malformed } from './errors.js';
import { OtlpSpan } from './otlp-span.js';
import {
  FieldError,
  readId,
  readInteger,
  readList,
  readMessage,
  readString,
  readUint64,
  toHrTime,
  type WireEncoding,
} from './wire-values.js';

/** What a trace request held: the spans to export, and the ones refused (OTLP partial success). */
export interface DecodedTraceRequest {
  readonly spans: OtlpSpan[];
  /** Spans refused one by one (an invalid id); the rest of the request is still accepted. */
  readonly rejectedSpans: number;
  /** Why spans were refused, for the `partialSuccess.errorMessage` of the answer; `''` when none were. */
  readonly rejectionMessage: string;
  /**
   * Session identity values (`mini_agent.session.id`, `.user.id`, agent name and version,
   * environment: the keys W3C baggage may carry) that were not short printable strings, removed
   * from their spans; the spans themselves are kept.
   */
  readonly refusedIdentities: number;
}

/** A span that cannot be accepted on its own; the request's other spans still are. */
class SpanRejection extends Error {}

// OTLP numbers span kinds from 1 (0 is "unspecified"); the API's SpanKind starts at INTERNAL = 0.
const SPAN_KINDS: readonly SpanKind[] = [SpanKind.INTERNAL, SpanKind.INTERNAL, SpanKind.SERVER, SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER];
// Span.flags: bits 0-7 are the W3C trace flags; bit 8 says whether bit 9 (remote parent) is known.
const FLAGS_TRACE_MASK = 0xff;
const FLAGS_PARENT_REMOTE_KNOWN = 0x100;
const FLAGS_PARENT_REMOTE = 0x200;
const MAX_MESSAGES_KEPT = 3;

/**
 * Reads a decoded protobuf message or a parsed OTLP/JSON document as spans. A structural error (a
 * field of the wrong type) refuses the whole request with HTTP 400, naming the field; a span with an
 * invalid id is refused alone and counted, so one bad span does not cost the others.
 */
export function readTraceRequest(request: unknown, encoding: WireEncoding): DecodedTraceRequest {
  const spans: OtlpSpan[] = [];
  const reasons: string[] = [];
  let rejectedSpans = 0;
  const refused = { count: 0 };
  let where = '';
  try {
    if (typeof request !== 'object' || request === null || Array.isArray(request)) {
      throw new FieldError('expected an ExportTraceServiceRequest object');
    }
    const root = request as Record<string, unknown>;
    const resourceSpansList = readList(root.resourceSpans, 'resourceSpans');
    for (let r = 0; r < resourceSpansList.length; r++) {
      where = `resourceSpans[${r}]`;
      const resourceSpans = readMessage(resourceSpansList[r], where) ?? {};
      const resourceMessage = readMessage(resourceSpans.resource, `${where}.resource`);
      const resource = toResource(resourceMessage, readString(resourceSpans.schemaUrl, `${where}.schemaUrl`), encoding);
      const scopeSpansList = readList(resourceSpans.scopeSpans, `${where}.scopeSpans`);
      for (let s = 0; s < scopeSpansList.length; s++) {
        where = `resourceSpans[${r}].scopeSpans[${s}]`;
        const scopeSpans = readMessage(scopeSpansList[s], where) ?? {};
        const scope = toScope(readMessage(scopeSpans.scope, 'scope'), readString(scopeSpans.schemaUrl, 'schemaUrl'));
        const spanList = readList(scopeSpans.spans, 'spans');
        for (let i = 0; i < spanList.length; i++) {
          where = `resourceSpans[${r}].scopeSpans[${s}].spans[${i}]`;
          try {
            spans.push(toSpan(readMessage(spanList[i], 'span') ?? {}, resource, scope, encoding, refused));
          } catch (error) {
            if (!(error instanceof SpanRejection)) throw error;
            rejectedSpans += 1;
            if (reasons.length < MAX_MESSAGES_KEPT) reasons.push(`${where}: ${error.message}`);
          }
        }
      }
    }
  } catch (error) {
    if (error instanceof FieldError) throw malformed(`Invalid OTLP trace request${where ? ` at ${where}` : ''}: ${error.message}`);
    throw error;
  }
  const more = rejectedSpans > reasons.length ? ` (and ${rejectedSpans - reasons.length} more)` : '';
  return {
    spans,
    rejectedSpans,
    refusedIdentities: refused.count,
    rejectionMessage: rejectedSpans === 0 ? '' : `${rejectedSpans} span(s) rejected: ${reasons.join('; ')}${more}`,
  };
}

function toSpan(span: Record<string, unknown>, resource: Resource, scope: InstrumentationScope, encoding: WireEncoding, refused: { count: number }): OtlpSpan {
  const name = readString(span.name, 'name');
  const traceId = readId(span.traceId, encoding);
  const spanId = readId(span.spanId, encoding);
  const parentSpanId = readId(span.parentSpanId, encoding);
  if (traceId === null || !isValidTraceId(traceId)) throw new SpanRejection(`invalid trace id ${describeId(span.traceId)} (span "${name}")`);
  if (spanId === null || !isValidSpanId(spanId)) throw new SpanRejection(`invalid span id ${describeId(span.spanId)} (span "${name}")`);
  if (parentSpanId === null || (parentSpanId !== '' && !isValidSpanId(parentSpanId))) {
    throw new SpanRejection(`invalid parent span id ${describeId(span.parentSpanId)} (span "${name}")`);
  }
  const flags = span.flags == null ? TraceFlags.SAMPLED : readInteger(span.flags, 'flags');
  // A span that reached an exporter was recorded; without flags it is taken as sampled.
  const traceFlags = span.flags == null ? TraceFlags.SAMPLED : flags & FLAGS_TRACE_MASK;
  const traceState = toTraceState(readString(span.traceState, 'traceState'));
  const context: SpanContext = { traceId, spanId, traceFlags, ...(traceState ? { traceState } : {}) };
  const parentSpanContext: SpanContext | undefined =
    parentSpanId === ''
      ? undefined
      : { traceId, spanId: parentSpanId, traceFlags, isRemote: (flags & FLAGS_PARENT_REMOTE_KNOWN) !== 0 && (flags & FLAGS_PARENT_REMOTE) !== 0 };
  const status = readMessage(span.status, 'status');
  const message = readString(status?.message, 'status.message');
  const attributes = readAttributes(span.attributes, 'attributes', encoding);
  // These may come from baggage a client set: the identity of a session is never taken on trust.
  refused.count += dropInvalidIdentity(attributes as Record<string, unknown>);
  return new OtlpSpan({
    name,
    kind: SPAN_KINDS[readInteger(span.kind, 'kind')] ?? SpanKind.INTERNAL,
    context,
    parentSpanContext,
    startTime: toHrTime(readUint64(span.startTimeUnixNano, 'startTimeUnixNano')),
    endTime: toHrTime(readUint64(span.endTimeUnixNano, 'endTimeUnixNano')),
    status: { code: readInteger(status?.code, 'status.code'), ...(message ? { message } : {}) },
    attributes,
    events: readList(span.events, 'events').map((event, i) => toEvent(event, `events[${i}]`, encoding)),
    links: readList(span.links, 'links').map((link, i) => toLink(link, `links[${i}]`, encoding)),
    resource,
    instrumentationScope: scope,
    droppedAttributesCount: readInteger(span.droppedAttributesCount, 'droppedAttributesCount'),
    droppedEventsCount: readInteger(span.droppedEventsCount, 'droppedEventsCount'),
    droppedLinksCount: readInteger(span.droppedLinksCount, 'droppedLinksCount'),
  });
}

function toEvent(value: unknown, field: string, encoding: WireEncoding): TimedEvent {
  const event = readMessage(value, field) ?? {};
  return {
    name: readString(event.name, `${field}.name`),
    time: toHrTime(readUint64(event.timeUnixNano, `${field}.timeUnixNano`)),
    attributes: readAttributes(event.attributes, `${field}.attributes`, encoding),
    droppedAttributesCount: readInteger(event.droppedAttributesCount, `${field}.droppedAttributesCount`),
  };
}

function toLink(value: unknown, field: string, encoding: WireEncoding): Link {
  const link = readMessage(value, field) ?? {};
  const traceId = readId(link.traceId, encoding);
  const spanId = readId(link.spanId, encoding);
  if (traceId === null || !isValidTraceId(traceId) || spanId === null || !isValidSpanId(spanId)) {
    throw new SpanRejection(`${field} has an invalid trace or span id`);
  }
  const flags = link.flags == null ? TraceFlags.SAMPLED : readInteger(link.flags, `${field}.flags`) & FLAGS_TRACE_MASK;
  const traceState = toTraceState(readString(link.traceState, `${field}.traceState`));
  return {
    context: { traceId, spanId, traceFlags: flags, ...(traceState ? { traceState } : {}) },
    attributes: readAttributes(link.attributes, `${field}.attributes`, encoding),
    droppedAttributesCount: readInteger(link.droppedAttributesCount, `${field}.droppedAttributesCount`),
  };
}

function toResource(resource: Record<string, unknown> | undefined, schemaUrl: string, encoding: WireEncoding): Resource {
  const attributes: Attributes = readAttributes(resource?.attributes, 'resource.attributes', encoding);
  // Copied into a plain object: the Resource keeps its own copy, and its API expects one.
  return resourceFromAttributes({ ...attributes }, schemaUrl ? { schemaUrl } : undefined);
}

function toScope(scope: Record<string, unknown> | undefined, schemaUrl: string): InstrumentationScope {
  const version = readString(scope?.version, 'scope.version');
  return {
    name: readString(scope?.name, 'scope.name'),
    // An absent version is '' on the wire; the SDK leaves it undefined.
    ...(version ? { version } : {}),
    ...(schemaUrl ? { schemaUrl } : {}),
  };
}

function toTraceState(value: string): TraceState | undefined {
  return value === '' ? undefined : new TraceState(value);
}

function describeId(value: unknown): string {
  if (value instanceof Uint8Array) return `(${value.byteLength} bytes: ${Buffer.from(value).toString('hex') || 'empty'})`;
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return value == null ? '(missing)' : `(${typeof value})`;
}
