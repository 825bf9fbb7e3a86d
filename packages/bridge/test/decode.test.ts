import { InterpretingExporter } from '@mini-agent/core';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
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

  it('keeps ids, times, kinds, status, events, links, resource and scope as the SDK had them', async () => {
    const spans = await agentRun('fields');
    const [{ body, contentType }] = await captureBodies((url) => sendWithOtlpExporter(url, spans, { encoding: 'protobuf' }));
    const decoded = decodeTraceRequest(body!, contentType);
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
      expect(span.instrumentationScope.name).toBe(original.instrumentationScope.name);
    }
  });
});
