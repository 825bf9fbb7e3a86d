import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBridge, type Bridge } from '../src/index.js';
import { ExportTraceServiceRequest } from '../src/otlp-messages.js';
import { agentRun, memorySink, sendWithOtlpExporter } from './helpers.js';
import { partialSuccessOf, post, postStreaming, statusOf } from './http.js';

const TOKEN = 'test-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const JSON_TYPE = { 'content-type': 'application/json', ...AUTH };
const PROTO_TYPE = { 'content-type': 'application/x-protobuf', ...AUTH };

/** A hand-written OTLP/JSON request: one span per given trace id. */
function jsonRequest(spans: { traceId: unknown; spanId: unknown; name: string }[]) {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bad-input-test' } }] },
        scopeSpans: [
          {
            scope: { name: 'hand-written' },
            spans: spans.map((s) => ({
              ...s,
              kind: 1,
              startTimeUnixNano: '1700000000000000000',
              endTimeUnixNano: '1700000000500000000',
              attributes: [{ key: 'mini_agent.span.kind', value: { stringValue: 'step' } }],
            })),
          },
        ],
      },
    ],
  };
}

describe('the bridge refuses bad input with the documented status and keeps what it accepted', () => {
  const sink = memorySink();
  let bridge: Bridge;
  let acceptedBefore: string[];

  beforeAll(async () => {
    bridge = await createBridge({ sinks: [sink], port: 0, token: TOKEN, maxBodyBytes: 1024 * 1024 });
    // Spans accepted before any bad request: they must all reach the sink in the end.
    const spans = await agentRun('accepted-first');
    const result = await sendWithOtlpExporter(bridge.tracesUrl, spans, { encoding: 'protobuf', headers: AUTH });
    expect(result.code).toBe(0);
    acceptedBefore = spans.map((s) => s.spanContext().spanId);
  });

  afterAll(async () => {
    await bridge.close();
  });

  it('a missing or wrong token gets 401 with WWW-Authenticate, before the body is read', async () => {
    const body = JSON.stringify(jsonRequest([]));
    for (const headers of [{ 'content-type': 'application/json' }, { 'content-type': 'application/json', authorization: 'Bearer wrong' }]) {
      const answer = await post(bridge.tracesUrl, body, headers);
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(statusOf(answer)).toEqual({ code: 16, message: expect.stringContaining('bearer token') });
    }
  });

  it('the real exporter without the token is told 401 and reports a failure', async () => {
    const result = await sendWithOtlpExporter(bridge.tracesUrl, await agentRun('no-token'), { encoding: 'json' });
    expect(result.code).toBe(1);
    expect(String(result.error)).toMatch(/401|Unauthorized/);
  });

  it('another content type gets 415 naming the two accepted ones', async () => {
    const answer = await post(bridge.tracesUrl, 'hello', { 'content-type': 'text/plain', ...AUTH });
    expect(answer.status).toBe(415);
    expect(statusOf(answer).message).toMatch(/application\/x-protobuf or application\/json/);
  });

  it('an unknown Content-Encoding gets 415', async () => {
    const answer = await post(bridge.tracesUrl, '{}', { ...JSON_TYPE, 'content-encoding': 'br' });
    expect(answer.status).toBe(415);
  });

  it('a truncated protobuf body gets 400 with a google.rpc.Status in protobuf', async () => {
    const spans = await agentRun('truncated');
    const full = await captureProtobuf(spans);
    const answer = await post(bridge.tracesUrl, full.subarray(0, Math.floor(full.length / 2)), PROTO_TYPE);
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toBe('application/x-protobuf');
    expect(statusOf(answer)).toEqual({ code: 3, message: expect.stringMatching(/not a protobuf ExportTraceServiceRequest/) });
  });

  it('a body that is not gzip although it says so gets 400', async () => {
    const answer = await post(bridge.tracesUrl, '{"resourceSpans":[]}', { ...JSON_TYPE, 'content-encoding': 'gzip' });
    expect(answer.status).toBe(400);
    expect(statusOf(answer).message).toMatch(/not valid gzip/);
  });

  it('JSON that does not parse, or has fields of the wrong type, gets 400 naming the field', async () => {
    const cases: [string, RegExp][] = [
      ['{"resourceSpans": [', /not JSON/],
      ['[1, 2, 3]', /expected an ExportTraceServiceRequest object/],
      ['{"resourceSpans": {"a": 1}}', /resourceSpans: expected a list/],
      [JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ ...jsonRequest([]).resourceSpans[0], name: 42 }] }] }] }), /spans\[0\]: name: expected a string/],
      [
        JSON.stringify(jsonRequest([{ traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'x' }])).replace(
          '"1700000000000000000"',
          '"yesterday"',
        ),
        /startTimeUnixNano: expected an integer/,
      ],
      [
        JSON.stringify(jsonRequest([{ traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'x' }])).replace(
          '{"stringValue":"step"}',
          '{"intValue":"12abc"}',
        ),
        /attributes\[0\]\.value\.intValue: expected an integer/,
      ],
      [
        JSON.stringify(jsonRequest([{ traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'x' }])).replace('{"stringValue":"step"}', '{"stringValue":7}'),
        /attributes\[0\]\.value\.stringValue: expected a string/,
      ],
      [
        JSON.stringify(jsonRequest([{ traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'x' }])).replace('{"stringValue":"step"}', '{"doubleValue":"abc"}'),
        /attributes\[0\]\.value\.doubleValue: expected a number/,
      ],
      [
        JSON.stringify(jsonRequest([{ traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'x' }])).replace('{"stringValue":"step"}', '{"arrayValue":{"values":[{"stringValue":"a"},{"boolValue":"yes"}]}}'),
        /attributes\[0\]\.value\.arrayValue\.values\[1\]\.boolValue: expected true or false/,
      ],
      [
        JSON.stringify(jsonRequest([{ traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'x' }])).replace('{"stringValue":"step"}', '{"kvlistValue":{"values":[{"key":"k","value":{"stringValue":false}}]}}'),
        /attributes\[0\]\.value\.kvlistValue\.values\[0\]\.value\.stringValue: expected a string/,
      ],
    ];
    for (const [body, message] of cases) {
      const answer = await post(bridge.tracesUrl, body, JSON_TYPE);
      expect(answer.status, body).toBe(400);
      expect(statusOf(answer)).toEqual({ code: 3, message: expect.stringMatching(message) });
    }
  });

  it('spans with invalid trace ids are rejected one by one: 200 with partial success, the others kept', async () => {
    const good = { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'good span' };
    const request = jsonRequest([
      good,
      { traceId: '00000000000000000000000000000000', spanId: 'aaa19b7ec3c1b174', name: 'zero trace id' },
      { traceId: 'not-hex', spanId: 'bbb19b7ec3c1b174', name: 'not hex' },
      { traceId: '5b8efff7', spanId: 'ccc19b7ec3c1b174', name: 'too short' },
    ]);
    const answer = await post(bridge.tracesUrl, JSON.stringify(request), JSON_TYPE);
    expect(answer.status).toBe(200);
    const partial = partialSuccessOf(answer);
    expect(partial?.rejectedSpans).toBe(3);
    expect(partial?.errorMessage).toMatch(/invalid trace id "00000000000000000000000000000000" \(span "zero trace id"\)/);
    expect(partial?.errorMessage).toMatch(/"not-hex"/);

    await bridge.flush();
    expect(sink.records.filter((r) => r.type === 'span').map((r) => r.spanId)).toContain(good.spanId);
    expect(sink.records.filter((r) => r.type === 'span' && r.spanId === 'aaa19b7ec3c1b174')).toEqual([]);
  });

  it('the same partial success comes back in protobuf for a protobuf request', async () => {
    const valid = await captureProtobuf(await agentRun('partial-proto'));
    const message = ExportTraceServiceRequest.toObject(ExportTraceServiceRequest.decode(valid), {}) as {
      resourceSpans: { scopeSpans: { spans: { traceId: Uint8Array }[] }[] }[];
    };
    message.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.traceId = Buffer.alloc(5, 1);
    const body = ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(message as never)).finish();
    const answer = await post(bridge.tracesUrl, body, PROTO_TYPE);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/x-protobuf');
    expect(partialSuccessOf(answer)).toEqual({ rejectedSpans: 1, errorMessage: expect.stringContaining('5 bytes: 0101010101') });
  });

  it('a 100 MB body gets 413 after the first megabytes, without the bridge reading it all', async () => {
    for (const headers of [PROTO_TYPE, { ...PROTO_TYPE, 'content-length': String(100 * 1024 * 1024) }]) {
      const answer = await postStreaming(bridge.tracesUrl, 100, headers);
      expect(answer.status).toBe(413);
      expect(answer.body.toString('latin1')).toContain('larger than the limit of 1048576 bytes');
      // The server stopped reading: the client was still far from done when it got the answer.
      expect(answer.megabytesProduced).toBeLessThan(50);
    }
  });

  it('a small gzip body that inflates past the limit gets 413', async () => {
    const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x20));
    expect(bomb.byteLength).toBeLessThan(1024 * 1024);
    const answer = await post(bridge.tracesUrl, bomb, { ...JSON_TYPE, 'content-encoding': 'gzip' });
    expect(answer.status).toBe(413);
  });

  it('other paths and methods get 404 and 405', async () => {
    expect((await fetch(`${bridge.url}/v1/metrics`, { method: 'POST', body: '{}' })).status).toBe(404);
    const get = await fetch(bridge.tracesUrl);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });

  it('after all of that the bridge still answers and every span accepted before is delivered', async () => {
    const health = await fetch(`${bridge.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', live: true, ready: true });

    const spans = await agentRun('accepted-last');
    expect((await sendWithOtlpExporter(bridge.tracesUrl, spans, { encoding: 'json', gzip: true, headers: AUTH })).code).toBe(0);
    await bridge.flush();
    const stored = new Set(sink.records.filter((r) => r.type === 'span').map((r) => r.spanId));
    for (const id of [...acceptedBefore, ...spans.map((s) => s.spanContext().spanId)]) expect(stored).toContain(id);
    expect(bridge.stats().responses).toMatchObject({ 401: 3, 400: 12, 413: 3, 415: 2 });
  });
});

/** The protobuf body the real exporter sends for these spans. */
async function captureProtobuf(spans: Awaited<ReturnType<typeof agentRun>>): Promise<Buffer> {
  const { createServer } = await import('node:http');
  let captured: Buffer | undefined;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      captured = Buffer.concat(chunks);
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await sendWithOtlpExporter(`http://127.0.0.1:${port}/v1/traces`, spans, { encoding: 'protobuf' });
  server.close();
  return captured!;
}
