import { InterpretingExporter } from '@mini-agent/core';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, trace } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { decodeTraceRequest } from '../src/index.js';
import { agentRun, ENCODINGS, sendWithOtlpExporter, sortRecords } from './helpers.js';

/** Captures the raw request bodies the real exporters send, to decode them directly. */
async function captureBodies(send: (url: string) => Promise<unknown>) {
  const bodies: { body: Buffer; contentType: string; contentEncoding: string | undefined }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push({ body: Buffer.concat(chunks), contentType: req.headers['content-type'] ?? '', contentEncoding: req.headers['content-encoding'] });
      res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/json' }).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await send(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`);
  } finally {
    server.close();
  }
  return bodies;
}

describe('decodeTraceRequest on bodies from the real OTLP exporters', () => {
  for (const encoding of ENCODINGS) {
    for (const gzip of [false, true]) {
      it(`gives the same records as the SDK spans themselves (${encoding}${gzip ? ', gzip' : ''})`, async () => {
        const spans = await agentRun(`decode-${encoding}`);
        const bodies = await captureBodies((url) => sendWithOtlpExporter(url, spans, { encoding, gzip }));
        expect(bodies).toHaveLength(1);
        const { body, contentType, contentEncoding } = bodies[0]!;
        expect(contentEncoding).toBe(gzip ? 'gzip' : undefined);

        const decoded = decodeTraceRequest(body, contentType, { contentEncoding });
        expect(decoded.rejectedSpans).toBe(0);
        expect(decoded.spans.map((s) => s.spanContext().spanId).sort()).toEqual(spans.map((s) => s.spanContext().spanId).sort());

        const direct = new InterpretingExporter({ sinks: [] }).interpretAll(spans);
        const viaOtlp = new InterpretingExporter({ sinks: [] }).interpretAll(decoded.spans);
        expect(sortRecords(viaOtlp)).toEqual(sortRecords(direct));
      });
    }
  }

  it.each(ENCODINGS)('keeps ids, times, kinds, status, events, links, resource and scope as the SDK had them (%s)', async (encoding) => {
    const spans = [...(await agentRun('fields')), ...(await linkedSpans())];
    // The fixture has what the test names: links (with attributes and a trace state) and a versioned scope.
    expect(spans.filter((s) => s.links.length > 0)).toHaveLength(2);
    expect(spans.some((s) => s.instrumentationScope.version)).toBe(true);
    const bodies = await captureBodies((url) => sendWithOtlpExporter(url, spans, { encoding }));
    expect(bodies).toHaveLength(1);
    const decoded = decodeTraceRequest(bodies[0]!.body, bodies[0]!.contentType);
    expect(decoded.spans).toHaveLength(spans.length);
    for (const original of spans) {
      const span = decoded.spans.find((s) => s.spanContext().spanId === original.spanContext().spanId)!;
      expect(span.name).toBe(original.name);
      expect(span.kind).toBe(original.kind);
      expect(span.spanContext().traceId).toBe(original.spanContext().traceId);
      expect(span.parentSpanContext?.spanId).toBe(original.parentSpanContext?.spanId);
      expect(span.startTime).toEqual(original.startTime);
      expect(span.endTime).toEqual(original.endTime);
      expect(span.duration).toEqual(original.duration);
      expect(span.status).toEqual(original.status);
      expect({ ...span.attributes }).toEqual(original.attributes);
      expect(span.events.map((e) => [e.name, e.time, { ...e.attributes }])).toEqual(original.events.map((e) => [e.name, e.time, e.attributes ?? {}]));
      expect(span.resource.attributes).toEqual(original.resource.attributes);
      expect(span.instrumentationScope).toEqual(original.instrumentationScope);
      expect(span.links.map((l) => [l.context.traceId, l.context.spanId, l.context.traceFlags, l.context.traceState?.serialize(), { ...l.attributes }])).toEqual(
        original.links.map((l) => [l.context.traceId, l.context.spanId, l.context.traceFlags, l.context.traceState?.serialize(), l.attributes ?? {}]),
      );
    }
  });
});

/**
 * Spans of a tracer with a version and a schema URL, one linking to two others (a batch consumer)
 * and one given a link after it started.
 */
async function linkedSpans(): Promise<ReadableSpan[]> {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('queue-worker', '4.5.6', { schemaUrl: 'https://opentelemetry.io/schemas/1.28.0' });
  const first = tracer.startSpan('enqueue a');
  const second = tracer.startSpan('enqueue b');
  first.end();
  second.end();
  const consumer = tracer.startSpan('process batch', {
    links: [
      { context: { ...first.spanContext(), traceState: new TraceState('vendor=a1,other=b2') }, attributes: { 'messaging.message.id': 'm-1', attempt: 2 } },
      { context: second.spanContext() },
    ],
  }, context.active());
  consumer.end();
  const later = tracer.startSpan('late link', {}, trace.setSpan(context.active(), consumer));
  later.addLink({ context: first.spanContext(), attributes: { reason: 'retry of' } });
  later.end();
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  await provider.shutdown();
  return spans;
}
