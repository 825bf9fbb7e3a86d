import { deflateSync, gzipSync } from 'node:zlib';
import { TraceFlags } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { decodeTraceRequest, OtlpRequestError } from '../src/index.js';
import { ExportTraceServiceRequest } from '../src/otlp-messages.js';

// The decoder's edges, one by one, on OTLP/JSON bodies written by hand: what the real exporters
// never send (compression choices, limits to the byte, broken ids, link flags) but a hostile or
// buggy client does.

const TRACE_ID = '5b8efff798038103d269b633813fc60c';
const SPAN_ID = 'eee19b7ec3c1b174';
const OTHER_SPAN_ID = 'eee19b7ec3c1b175';

type Json = Record<string, unknown>;
const span = (fields: Json = {}): Json => ({ traceId: TRACE_ID, spanId: SPAN_ID, name: 'op', ...fields });
const request = (spans: Json[], extra: { resource?: Json; schemaUrl?: string } = {}): Buffer =>
  Buffer.from(JSON.stringify({ resourceSpans: [{ ...extra, scopeSpans: [{ scope: { name: 's' }, spans }] }] }));
const decodeJson = (body: Buffer, options: Parameters<typeof decodeTraceRequest>[2] = {}) => decodeTraceRequest(body, 'application/json', options);

/** The error a decode throws (the test fails if it does not). */
function refusal(decode: () => unknown): OtlpRequestError {
  try {
    decode();
  } catch (error) {
    expect(error).toBeInstanceOf(OtlpRequestError);
    return error as OtlpRequestError;
  }
  throw new Error('expected the decode to refuse the body');
}

describe('Content-Encoding', () => {
  it('gzip, deflate, identity and an empty header decode; deflate is not read as gzip', () => {
    const body = request([span()]);
    for (const [header, bytes] of [['gzip', gzipSync(body)], ['deflate', deflateSync(body)], ['identity', body], ['', body], [' GZip ', gzipSync(body)]] as const) {
      expect(decodeJson(bytes, { contentEncoding: header }).spans.map((s) => s.spanContext().spanId), header).toEqual([SPAN_ID]);
    }
  });

  it('another encoding is a 415 that names it and the ones accepted', () => {
    const error = refusal(() => decodeJson(request([]), { contentEncoding: 'br' }));
    expect(error.statusCode).toBe(415);
    expect(error.message).toBe('Unsupported content encoding "br": send gzip, deflate or none');
  });
});

describe('the size limit, to the byte', () => {
  const body = request([span()]);

  it('an uncompressed body of exactly maxBytes is read; one byte more is a 413', () => {
    expect(decodeJson(body, { maxBytes: body.byteLength }).spans).toHaveLength(1);
    const error = refusal(() => decodeJson(body, { maxBytes: body.byteLength - 1 }));
    expect(error.statusCode).toBe(413);
    expect(error.message).toBe(`Request body is larger than the limit of ${body.byteLength - 1} bytes`);
  });

  it.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
  ] as const)('a %s body is held to the limit once inflated', (encoding, compress) => {
    const compressed = compress(body);
    expect(compressed.byteLength).toBeLessThan(body.byteLength - 1);
    expect(decodeJson(compressed, { contentEncoding: encoding, maxBytes: body.byteLength }).spans).toHaveLength(1);
    const error = refusal(() => decodeJson(compressed, { contentEncoding: encoding, maxBytes: body.byteLength - 1 }));
    expect(error.statusCode).toBe(413);
  });
});

describe('spans refused one by one', () => {
  it('names the first three reasons, joined by "; ", and counts the rest', () => {
    const bad = ['', 'abc', `${'z'.repeat(32)}`, '00000000000000000000000000000000', 'f'.repeat(41)].map((traceId) => span({ traceId }));
    const decoded = decodeJson(request([span(), ...bad]));
    expect(decoded.spans).toHaveLength(1);
    expect(decoded.rejectedSpans).toBe(5);
    const at = (i: number) => `resourceSpans[0].scopeSpans[0].spans[${i}]`;
    expect(decoded.rejectionMessage).toBe(
      `5 span(s) rejected: ${at(1)}: invalid trace id "" (span "op"); ${at(2)}: invalid trace id "abc" (span "op"); ` +
        `${at(3)}: invalid trace id "${'z'.repeat(32)}" (span "op") (and 2 more)`,
    );
  });

  it('exactly three refused spans are all named, with nothing more to count', () => {
    const decoded = decodeJson(request([span({ spanId: 'x' }), span({ spanId: 'y' }), span({ spanId: 'z' })]));
    expect(decoded.rejectionMessage).toMatch(/^3 span\(s\) rejected: .*spans\[0\].*; .*spans\[1\].*; .*spans\[2\]: invalid span id "z" \(span "op"\)$/);
  });

  it('says what was wrong with each id: missing, too long, of the wrong type, a bad parent, a bad link', () => {
    const reasons = (s: Json) => decodeJson(request([s])).rejectionMessage.replace(/^1 span\(s\) rejected: resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]: /, '');
    expect(reasons(span({ spanId: undefined }))).toBe('invalid span id (missing) (span "op")');
    expect(reasons(span({ spanId: 42 }))).toBe('invalid span id (number) (span "op")');
    expect(reasons(span({ spanId: 'a'.repeat(40) }))).toBe(`invalid span id "${'a'.repeat(40)}" (span "op")`);
    expect(reasons(span({ spanId: 'a'.repeat(41) }))).toBe(`invalid span id "${'a'.repeat(40)}…" (span "op")`);
    expect(reasons(span({ parentSpanId: 'nope' }))).toBe('invalid parent span id "nope" (span "op")');
    expect(reasons(span({ links: [{ traceId: TRACE_ID, spanId: '0000000000000000' }] }))).toBe('links[0] has an invalid trace or span id');
  });

  it('in protobuf, says how many bytes an id had, and shows them in hex', () => {
    const protobufRequest = (traceId: Uint8Array) =>
      Buffer.from(
        ExportTraceServiceRequest.encode(
          ExportTraceServiceRequest.fromObject({
            resourceSpans: [{ scopeSpans: [{ spans: [{ traceId, spanId: Buffer.from(SPAN_ID, 'hex'), name: 'op' }] }] }],
          }),
        ).finish(),
      );
    const reason = (traceId: Uint8Array) => decodeTraceRequest(protobufRequest(traceId), 'application/x-protobuf').rejectionMessage;
    expect(reason(Buffer.from('abcd', 'hex'))).toContain('invalid trace id (2 bytes: abcd) (span "op")');
    expect(reason(new Uint8Array(0))).toContain('invalid trace id (0 bytes: empty) (span "op")');
    expect(reason(new Uint8Array(16))).toContain('invalid trace id (16 bytes: 00000000000000000000000000000000) (span "op")');
  });
});

describe('structural errors name the field', () => {
  it('a body that is not a request object says so, with no position', () => {
    for (const body of ['[]', '"spans"', 'null']) {
      const error = refusal(() => decodeJson(Buffer.from(body)));
      expect(error.statusCode).toBe(400);
      expect(error.message).toBe('Invalid OTLP trace request: expected an ExportTraceServiceRequest object');
    }
  });

  it.each([
    ['flags', { flags: 'sampled' }, 'links[1].flags'],
    ['traceState', { traceState: 7 }, 'links[1].traceState'],
    ['attributes', { attributes: 'x' }, 'links[1].attributes'],
    ['droppedAttributesCount', { droppedAttributesCount: 1.5 }, 'links[1].droppedAttributesCount'],
  ])('a link whose %s has the wrong type', (_field, bad, path) => {
    const links = [{ traceId: TRACE_ID, spanId: OTHER_SPAN_ID }, { traceId: TRACE_ID, spanId: OTHER_SPAN_ID, ...bad }];
    const error = refusal(() => decodeJson(request([span({ links })])));
    expect(error.statusCode).toBe(400);
    expect(error.message).toContain(`at resourceSpans[0].scopeSpans[0].spans[0]: ${path}: expected`);
  });
});

describe('what a span keeps', () => {
  it('link flags as sent (sampled when absent), and the trace state of span and link', () => {
    const [decoded] = decodeJson(
      request([
        span({
          traceState: 'vendor=a1',
          links: [
            { traceId: TRACE_ID, spanId: OTHER_SPAN_ID, flags: 0x300 },
            { traceId: TRACE_ID, spanId: OTHER_SPAN_ID, flags: 0x301, traceState: 'k=v' },
            { traceId: TRACE_ID, spanId: OTHER_SPAN_ID },
          ],
        }),
      ]),
    ).spans;
    expect(decoded!.spanContext().traceState?.serialize()).toBe('vendor=a1');
    expect(decoded!.links.map((l) => l.context.traceFlags)).toEqual([TraceFlags.NONE, TraceFlags.SAMPLED, TraceFlags.SAMPLED]);
    expect(decoded!.links.map((l) => l.context.traceState?.serialize())).toEqual([undefined, 'k=v', undefined]);
  });

  it("the resource's schema URL", () => {
    const [decoded] = decodeJson(request([span()], { resource: { attributes: [] }, schemaUrl: 'https://opentelemetry.io/schemas/1.28.0' })).spans;
    expect(decoded!.resource.schemaUrl).toBe('https://opentelemetry.io/schemas/1.28.0');
    const [plain] = decodeJson(request([span()])).spans;
    expect(plain!.resource.schemaUrl).toBeUndefined();
  });
});
