import { decodeOtlpTraceRequest, type DecodedOtlpSpan, type OtlpAttributeValue } from '@mini-agent/test-support';
import { hrTimeToNanoseconds } from '@opentelemetry/core';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { decodeTraceRequest, type OtlpSpan } from '../src/index.js';
import { agentRun, ENCODINGS, sendWithOtlpExporter } from './helpers.js';

/*
 * The Langfuse test server (test-support) decodes OTLP with its own small decoder: it cannot import
 * this package, because every workspace package (this one included) depends on test-support for
 * its tests, and the dependency would close a cycle turbo refuses to build. So the two decoders
 * are held to the same answers here, on the same bodies.
 */

/** One span as plain data both decoders can be reduced to. */
function fromBridge(span: OtlpSpan) {
  return {
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId ?? null,
    name: span.name,
    kind: span.kind + 1, // the API's SpanKind is OTLP's minus one
    start: String(BigInt(span.startTime[0]) * 1_000_000_000n + BigInt(span.startTime[1])),
    end: String(BigInt(span.endTime[0]) * 1_000_000_000n + BigInt(span.endTime[1])),
    attributes: plain(span.attributes),
    events: span.events.map((e) => ({ name: e.name, time: String(BigInt(e.time[0]) * 1_000_000_000n + BigInt(e.time[1])), attributes: plain(e.attributes ?? {}) })),
    links: span.links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId, attributes: plain(l.attributes ?? {}) })),
    status: { code: span.status.code, message: span.status.message ?? '' },
    resource: plain(span.resource.attributes),
    scope: { name: span.instrumentationScope.name, version: span.instrumentationScope.version ?? '' },
  };
}

function fromFixture(span: DecodedOtlpSpan) {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    name: span.name,
    kind: span.kind === 0 ? 1 : span.kind,
    start: span.startTimeUnixNano,
    end: span.endTimeUnixNano,
    attributes: plain(span.attributes),
    events: span.events.map((e) => ({ name: e.name, time: e.timeUnixNano, attributes: plain(e.attributes) })),
    links: span.links.map((l) => ({ traceId: l.traceId, spanId: l.spanId, attributes: plain(l.attributes) })),
    status: span.status,
    resource: plain(span.resource.attributes),
    scope: { name: span.scope.name, version: span.scope.version },
  };
}

/** Bytes as base64 (what the bridge stores), objects without prototypes made ordinary. */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v as OtlpAttributeValue)]));
  return value;
}

async function capture(send: (url: string) => Promise<unknown>): Promise<{ body: Buffer; type: string; encoding: string | undefined }> {
  let captured: { body: Buffer; type: string; encoding: string | undefined } | undefined;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      captured = { body: Buffer.concat(chunks), type: req.headers['content-type']!, encoding: req.headers['content-encoding'] };
      res.writeHead(200, { 'content-type': req.headers['content-type']! }).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  await send(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`);
  server.close();
  return captured!;
}

const byId = <T extends { spanId: string }>(spans: T[]) => spans.sort((a, b) => a.spanId.localeCompare(b.spanId));

describe("the test server's OTLP decoder and the bridge's agree", () => {
  for (const encoding of ENCODINGS) {
    it(`on what the real ${encoding} exporter sends, gzip included`, async () => {
      const spans = await agentRun(`agreement-${encoding}`);
      const { body, type, encoding: contentEncoding } = await capture((url) => sendWithOtlpExporter(url, spans, { encoding, gzip: true }));
      const bridge = byId(decodeTraceRequest(body, type, { contentEncoding }).spans.map(fromBridge));
      const fixture = byId(decodeOtlpTraceRequest(body, { contentType: type, contentEncoding }).map(fromFixture));
      expect(bridge).toHaveLength(spans.length);
      expect(fixture).toEqual(bridge);
      expect(bridge[0]!.start).toBe(String(hrTimeToNanoseconds(spans.find((s) => s.spanContext().spanId === bridge[0]!.spanId)!.startTime)));
    });
  }

  it('on hand-written OTLP/JSON with nested lists, key/value lists, bytes and 64-bit integers', () => {
    const body = Buffer.from(
      JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'agreement' } }] },
            scopeSpans: [
              {
                scope: { name: 'hand', version: '1' },
                spans: [
                  {
                    traceId: '5B8EFFF798038103D269B633813FC60C',
                    spanId: 'eee19b7ec3c1b174',
                    parentSpanId: 'aaa19b7ec3c1b174',
                    name: 'all value types',
                    kind: 3,
                    startTimeUnixNano: '1700000000123456789',
                    endTimeUnixNano: 1700000001000000000,
                    attributes: [
                      { key: 's', value: { stringValue: 'x' } },
                      { key: 'big', value: { intValue: '9007199254740993' } },
                      { key: 'd', value: { doubleValue: 1.5 } },
                      { key: 'b', value: { boolValue: false } },
                      { key: 'bytes', value: { bytesValue: 'AAEC' } },
                      { key: 'list', value: { arrayValue: { values: [{ intValue: 1 }, { arrayValue: { values: [{ stringValue: 'nested' }] } }] } } },
                      { key: 'map', value: { kvlistValue: { values: [{ key: 'k', value: { kvlistValue: { values: [{ key: 'deep', value: { boolValue: true } }] } } }] } } },
                    ],
                    events: [{ name: 'e', timeUnixNano: '1700000000500000000', attributes: [{ key: 'n', value: { intValue: 3 } }] }],
                    links: [{ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', attributes: [] }],
                    status: { code: 2, message: 'failed' },
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    const bridge = decodeTraceRequest(body, 'application/json').spans.map(fromBridge);
    const fixture = decodeOtlpTraceRequest(body, { contentType: 'application/json' }).map(fromFixture);
    expect(fixture).toEqual(bridge);
    expect(bridge[0]).toMatchObject({
      traceId: '5b8efff798038103d269b633813fc60c',
      start: '1700000000123456789',
      attributes: { big: '9007199254740993', bytes: 'AAEC', list: [1, ['nested']], map: { k: { deep: true } } },
    });
  });
});
