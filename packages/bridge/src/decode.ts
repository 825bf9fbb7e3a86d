import { gunzipSync, inflateSync } from 'node:zlib';
import { malformed, OtlpRequestError } from './errors.js';
import { encodingOf } from './media-type.js';
import { ExportTraceServiceRequest } from './otlp-messages.js';
import { readTraceRequest, type DecodedTraceRequest } from './read-request.js';

/** Options of {@link decodeTraceRequest}. */
export interface DecodeOptions {
  /** The request's `Content-Encoding`: `gzip`, `deflate` or `identity` (default). */
  readonly contentEncoding?: string | undefined;
  /** Largest body accepted once decompressed, in bytes. Default 20 MiB. */
  readonly maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;

/**
 * Decodes an OTLP/HTTP trace export body — `application/x-protobuf` or `application/json`, optionally
 * gzip- or deflate-compressed — into spans in the SDK's `ReadableSpan` shape, ready for
 * `interpret()` or any `SpanExporter`. Spans with invalid ids are counted in `rejectedSpans`.
 *
 * Throws {@link OtlpRequestError}: 415 for another content type, 413 when the decompressed body is
 * larger than `maxBytes`, 400 for a body that does not decode (the message says where and why).
 *
 * @example
 * ```ts
 * const { spans, rejectedSpans } = decodeTraceRequest(body, req.headers['content-type'], {
 *   contentEncoding: req.headers['content-encoding'],
 * });
 * ```
 */
export function decodeTraceRequest(body: Uint8Array, contentType: string | undefined, options: DecodeOptions = {}): DecodedTraceRequest {
  const encoding = encodingOf(contentType);
  const raw = decompressSync(asBuffer(body), options.contentEncoding, options.maxBytes ?? DEFAULT_MAX_BYTES);
  return encoding === 'json' ? decodeJson(raw) : decodeProtobuf(raw);
}

/** Decodes an uncompressed protobuf body. */
export function decodeProtobuf(body: Buffer): DecodedTraceRequest {
  let message: unknown;
  try {
    // A Buffer (not a plain Uint8Array) keeps protobufjs on its fast path.
    message = ExportTraceServiceRequest.decode(body);
  } catch (error) {
    throw malformed(`Body is not a protobuf ExportTraceServiceRequest: ${(error as Error).message}`);
  }
  return readTraceRequest(message, 'protobuf');
}

/** Decodes an uncompressed OTLP/JSON body. */
export function decodeJson(body: Buffer): DecodedTraceRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw malformed(`Body is not JSON: ${(error as Error).message}`);
  }
  return readTraceRequest(parsed, 'json');
}

/** Validates a `Content-Encoding` header; returns the lowercase name. */
export function contentEncodingOf(header: string | undefined): 'gzip' | 'deflate' | 'identity' {
  const name = (header ?? '').trim().toLowerCase() || 'identity';
  if (name === 'gzip' || name === 'deflate' || name === 'identity') return name;
  throw new OtlpRequestError(415, `Unsupported content encoding ${JSON.stringify(header)}: send gzip, deflate or none`);
}

function decompressSync(body: Buffer, header: string | undefined, maxBytes: number): Buffer {
  const encoding = contentEncodingOf(header);
  if (encoding === 'identity') {
    if (body.byteLength > maxBytes) throw tooLarge(maxBytes);
    return body;
  }
  try {
    return encoding === 'gzip' ? gunzipSync(body, { maxOutputLength: maxBytes }) : inflateSync(body, { maxOutputLength: maxBytes });
  } catch (error) {
    throw decompressionError(error, encoding, maxBytes);
  }
}

/** The answer for a body that fails to decompress: 413 past the limit, else 400. */
export function decompressionError(error: unknown, encoding: string, maxBytes: number): OtlpRequestError {
  if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return tooLarge(maxBytes);
  return malformed(`Body is not valid ${encoding} data: ${(error as Error).message}`);
}

/** The 413 answer. */
export function tooLarge(maxBytes: number): OtlpRequestError {
  return new OtlpRequestError(413, `Request body is larger than the limit of ${maxBytes} bytes`);
}

function asBuffer(body: Uint8Array): Buffer {
  return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}
