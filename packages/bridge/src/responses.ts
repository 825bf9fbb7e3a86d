import type { ServerResponse } from 'node:http';
import type { OtlpRequestError } from './errors.js';
import { CONTENT_TYPES, type OtlpEncoding } from './media-type.js';
import { ExportTraceServiceResponse, RpcStatus } from './otlp-messages.js';

/**
 * Answers an accepted export with 200 and an `ExportTraceServiceResponse` in the request's
 * encoding; `partialSuccess` is set only when spans were rejected or there is a warning, as the OTLP specification asks.
 */
export function sendExportResponse(res: ServerResponse, encoding: OtlpEncoding, rejectedSpans: number, errorMessage: string): void {
  // A message without rejected spans is a warning, which OTLP allows (rejected_spans 0, error_message set).
  const object = rejectedSpans > 0 || errorMessage ? { partialSuccess: { rejectedSpans, errorMessage } } : {};
  const message = ExportTraceServiceResponse.fromObject(object);
  const body =
    encoding === 'protobuf'
      ? ExportTraceServiceResponse.encode(message).finish()
      : // Proto3's JSON mapping writes 64-bit integers as strings.
        JSON.stringify(ExportTraceServiceResponse.toObject(message, { longs: String }));
  send(res, 200, encoding, body);
}

/**
 * Answers a refused request with its HTTP status and a `google.rpc.Status` body (code + message) in
 * the request's encoding; JSON when the request's own encoding is unknown (a 415). 429 and 503
 * carry `Retry-After`, which OTLP exporters and the Collector honour before retrying.
 */
export function sendErrorResponse(res: ServerResponse, encoding: OtlpEncoding | undefined, error: OtlpRequestError): void {
  if (error.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(error.retryAfterSeconds));
  if (error.statusCode === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="mini-agent-bridge"');
  const status = { code: error.rpcCode, message: error.message };
  const body = encoding === 'protobuf' ? RpcStatus.encode(RpcStatus.fromObject(status)).finish() : JSON.stringify(status);
  send(res, error.statusCode, encoding ?? 'json', body);
}

/** Answers with a JSON document (health, 404/405). */
export function sendJson(res: ServerResponse, statusCode: number, body: unknown): void {
  send(res, statusCode, 'json', JSON.stringify(body));
}

function send(res: ServerResponse, statusCode: number, encoding: OtlpEncoding, body: Uint8Array | string): void {
  if (res.headersSent) return;
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(statusCode, { 'Content-Type': CONTENT_TYPES[encoding], 'Content-Length': bytes.byteLength });
  res.end(bytes);
}
