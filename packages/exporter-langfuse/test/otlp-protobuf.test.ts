import { interpret } from '@mini-agent/core';
import { SpanKind, TraceFlags, type Attributes } from '@opentelemetry/api';
import { hrTimeDuration, millisToHrTime } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeOtlpTraceRequest, startLangfuseTestServer } from '@mini-agent/test-support';
import { mapRecords, resolveLangfuseOptions } from '../src/index.js';
import { OtlpTransport } from '../src/otlp-transport.js';
import { encodeTraceRequest, type OtlpSpanData } from '../src/otlp-protobuf.js';
import { EXPORTER_SCOPE, toOtlpSpans } from '../src/otlp-spans.js';
import { recordAgentRun } from './agent-run.js';
import { KEYS } from './server.js';

const API_KINDS = [SpanKind.INTERNAL, SpanKind.SERVER, SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER];

/**
 * The same span as the SDK's `ReadableSpan`, the input of `@opentelemetry/otlp-transformer`'s
 * serializer: the reference the hand-written encoder must match byte for byte.
 */
function asReadableSpan(span: OtlpSpanData, resources: Map<Attributes, Resource>): ReadableSpan {
  let resource = resources.get(span.resource);
  if (!resource) resources.set(span.resource, (resource = resourceFromAttributes(span.resource)));
  const startTime = millisToHrTime(span.startTimeMs);
  const endTime = millisToHrTime(span.endTimeMs);
  return {
    name: span.name,
    kind: API_KINDS[span.kind - 1]!,
    spanContext: () => ({ traceId: span.traceId, spanId: span.spanId, traceFlags: TraceFlags.SAMPLED }),
    parentSpanContext: span.parentSpanId ? { traceId: span.traceId, spanId: span.parentSpanId, traceFlags: TraceFlags.SAMPLED } : undefined,
    startTime,
    endTime,
    duration: hrTimeDuration(startTime, endTime),
    status: span.statusMessage ? { code: span.statusCode, message: span.statusMessage } : { code: span.statusCode },
    attributes: span.attributes,
    links: [],
    events: [],
    ended: true,
    resource,
    instrumentationScope: EXPORTER_SCOPE,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

function reference(spans: readonly OtlpSpanData[]): Buffer {
  const resources = new Map<Attributes, Resource>();
  return Buffer.from(ProtobufTraceSerializer.serializeRequest(spans.map((s) => asReadableSpan(s, resources)))!);
}

const RESOURCE: Attributes = { 'service.name': 'agent', 'process.pid': 4242, 'host.arch': 'amd64', 'app.flags': [true, false] };

function span(overrides: Partial<OtlpSpanData> = {}): OtlpSpanData {
  return {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    parentSpanId: '00f067aa0ba902b7',
    name: 'read_file',
    kind: 1,
    startTimeMs: 1_764_633_600_123,
    endTimeMs: 1_764_633_600_456,
    statusCode: 0,
    statusMessage: null,
    attributes: { 'langfuse.observation.type': 'tool' },
    resource: RESOURCE,
    ...overrides,
  };
}

describe('the OTLP protobuf encoder of observations', () => {
  let mapped: OtlpSpanData[];
  beforeAll(async () => {
    const run = await recordAgentRun({ toolInput: { path: 'orders/123.json', note: 'naïve café – ✓ 🚀' } });
    mapped = toOtlpSpans(mapRecords(run.spans.flatMap((s) => interpret(s))));
  });

  it('writes the bytes @opentelemetry/otlp-transformer writes for a mapped agent run', () => {
    expect(mapped.length).toBeGreaterThan(5);
    const ours = Buffer.from(encodeTraceRequest(mapped, EXPORTER_SCOPE));
    expect(ours.equals(reference(mapped))).toBe(true);
  });

  it('matches it on every value type, kind, status and size edge', () => {
    const long = 'x'.repeat(20_000) + 'é'.repeat(70_000); // lengths needing 3-byte varints
    const spans = [
      span({ attributes: { s: '', unicode: 'naïve ✓ 🚀', lone: 'a\ud800b', b: true, f: false, zero: 0, int: 1234567, neg: -42, big: 2 ** 60, dbl: 3.25, nan: Number.NaN, inf: -Infinity, arr: ['a', 'b'], nums: [1, -2, 2.5], mixed: [null, 'x'] as never, long, ['k'.repeat(200)]: 'a key with a two-byte length', 'clé ✓': 'a key of more bytes than characters' } }),
      span({ spanId: '1111111111111111', parentSpanId: null, kind: 2, statusCode: 2, statusMessage: 'boom ✗', name: '' }),
      span({ spanId: '2222222222222222', kind: 3, statusCode: 1, startTimeMs: 0, endTimeMs: 1 }),
      span({ spanId: '3333333333333333', kind: 4, resource: { 'service.name': 'other' } }),
      span({ spanId: '4444444444444444', kind: 5, attributes: {}, resource: {} }),
      span({ spanId: '5555555555555555', traceId: 'ABCDEF0123456789ABCDEF0123456789' }),
    ];
    const ours = Buffer.from(encodeTraceRequest(spans, EXPORTER_SCOPE));
    const theirs = reference(spans);
    expect(ours.length).toBe(theirs.length);
    expect(ours.equals(theirs)).toBe(true);
    expect(encodeTraceRequest([], EXPORTER_SCOPE)).toHaveLength(0);
  });

  it('matches it on a request large enough to grow its reused size table, and again on the next request', () => {
    const many = Array.from({ length: 300 }, (_, i) =>
      span({ spanId: (i + 1).toString(16).padStart(16, '0'), attributes: { 'langfuse.observation.type': 'span', n: i, note: `item ${i} ✓`, list: ['a', String(i)] } }),
    );
    const first = Buffer.from(encodeTraceRequest(many, EXPORTER_SCOPE));
    expect(first.equals(reference(many))).toBe(true);
    // A smaller request after it reads only its own sizes from the table, not the last one's.
    const few = many.slice(0, 3);
    expect(Buffer.from(encodeTraceRequest(few, EXPORTER_SCOPE)).equals(reference(few))).toBe(true);
    expect(Buffer.from(encodeTraceRequest(many, EXPORTER_SCOPE)).equals(first)).toBe(true);
  });

  it('is read back by the OTLP decoder of the Langfuse test server: ids, times, attributes, resources', () => {
    const spans = [span({ attributes: { 'langfuse.observation.input': '{"q":"✓"}', n: 7, tags: ['a', 'b'] } }), span({ spanId: '3333333333333333', resource: { 'service.name': 'other' } })];
    const decoded = decodeOtlpTraceRequest(Buffer.from(encodeTraceRequest(spans, EXPORTER_SCOPE)));
    expect(decoded).toHaveLength(2);
    expect(decoded[0]).toMatchObject({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      parentSpanId: '00f067aa0ba902b7',
      name: 'read_file',
      kind: 1,
      startTimeUnixNano: '1764633600123000000',
      endTimeUnixNano: '1764633600456000000',
      attributes: { 'langfuse.observation.input': '{"q":"✓"}', n: 7, tags: ['a', 'b'] },
      status: { code: 0, message: '' },
      resource: { attributes: { 'service.name': 'agent', 'process.pid': 4242 } },
      scope: { name: EXPORTER_SCOPE.name, version: EXPORTER_SCOPE.version },
    });
    expect(decoded[1]!.resource.attributes).toEqual({ 'service.name': 'other' });
  });

  it('refuses an id that is not hex instead of sending a wrong one', () => {
    expect(() => encodeTraceRequest([span({ spanId: 'not-a-hex-id!!!!' })], EXPORTER_SCOPE)).toThrow(/hex id/);
  });

  it('turns spans it cannot encode into a refusal (not a retry, not a throw), and sends nothing', async () => {
    const server = await startLangfuseTestServer(KEYS);
    try {
      const run = await recordAgentRun();
      const batch = mapRecords(run.spans.flatMap((s) => interpret(s)));
      const broken = { ...batch, observations: batch.observations.map((o, i) => (i === 0 ? { ...o, id: 'zz'.repeat(8) } : o)) };
      const counts = { delivered: 0, rejected: 0, failedRetryable: 0, retries: 0 };
      const transport = new OtlpTransport(resolveLangfuseOptions({ ...KEYS, baseUrl: server.baseUrl }), counts);
      const outcome = await transport.send(broken);
      await transport.shutdown();
      expect(outcome.retryable).toBeNull();
      expect(outcome.rejected?.error).toMatchObject({ retryable: false, reason: 'encode_error' });
      expect(outcome.rejected?.error.message).toMatch(/could not be encoded: not a 8-byte hex id/);
      expect(counts).toMatchObject({ rejected: batch.observations.length, delivered: 0, retries: 0 });
      expect(server.requests).toHaveLength(0);
    } finally {
      await server.close();
    }
  });
});
