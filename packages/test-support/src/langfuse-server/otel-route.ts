import type { IncomingHttpHeaders } from 'node:http';
import { decodeOtlpTraceRequest, OtlpDecodeError, OtlpInvalidIdsError, type DecodedOtlpSpan } from '../otlp-decode.js';
import { otelWritePath, unsupportedIngestionVersion, type LangfuseDeployment, type OtelWritePath, type OtelWritePathReason } from './write-path.js';

/** Above this, Langfuse's OTel endpoint logs a warning and goes on: it has no body limit of its own. */
export const OTEL_WARN_BYTES = 16 * 1024 * 1024;

/** Something the server would have logged as a warning, kept for assertions. */
export interface LangfuseServerWarning {
  readonly kind: 'otel-request-over-16mb';
  readonly bytes: number;
  readonly spans: number;
}

/** One OTLP request, handled: refused with a status and Langfuse's `{ error }` text, or accepted on a path. */
export type OtelRequestOutcome =
  | { readonly accepted: false; readonly status: number; readonly error: string }
  | { readonly accepted: true; readonly spans: DecodedOtlpSpan[]; readonly path: OtelWritePath; readonly reason: OtelWritePathReason; readonly warning?: LangfuseServerWarning };

/**
 * What Langfuse's `POST /api/public/otel/v1/traces` does with a body, in its order: content type
 * (JSON or protobuf, else 400), decoding, per-span id validation (one span without a usable trace
 * or span id and the whole export is refused, 400, nothing stored), the 16 MB warning, the
 * `x-langfuse-ingestion-version` check (above 4: 400), then the write path.
 */
export function handleOtelRequest(body: Buffer, headers: IncomingHttpHeaders, deployment: LangfuseDeployment): OtelRequestOutcome {
  const contentType = headers['content-type']?.toLowerCase();
  if (!contentType || (!contentType.includes('application/json') && !contentType.includes('application/x-protobuf'))) {
    return { accepted: false, status: 400, error: 'Invalid content type' };
  }
  let spans: DecodedOtlpSpan[];
  try {
    spans = decodeOtlpTraceRequest(body, { contentType, contentEncoding: headers['content-encoding'] }, 'present');
  } catch (error) {
    if (error instanceof OtlpInvalidIdsError) return { accepted: false, status: 400, error: invalidIdsMessage(error) };
    if (error instanceof OtlpDecodeError) {
      return { accepted: false, status: 400, error: contentType.includes('json') ? 'Failed to parse OTel JSON Trace' : 'Failed to parse OTel Protobuf Trace' };
    }
    throw error;
  }
  const warning: LangfuseServerWarning | undefined = body.byteLength > OTEL_WARN_BYTES ? { kind: 'otel-request-over-16mb', bytes: body.byteLength, spans: spans.length } : undefined;
  const badVersion = unsupportedIngestionVersion(headers);
  if (badVersion) return { accepted: false, status: 400, error: badVersion };
  const { path, reason } = otelWritePath(deployment, headers, spans);
  return { accepted: true, spans, path, reason, ...(warning ? { warning } : {}) };
}

function invalidIdsMessage(error: OtlpInvalidIdsError): string {
  const reasons = Object.keys(error.reasons);
  return (
    `Invalid OTLP trace export: ${error.invalidSpans} of ${error.totalSpans} span(s) cannot be processed (${reasons.join(', ')}). ` +
    'traceId and spanId are required on every span, and each must be a string or a byte array. ' +
    'The entire export was rejected and no spans were ingested. ' +
    `Instrumentation scopes: ${error.scopeNames.join(', ') || 'unknown'}.`
  );
}
