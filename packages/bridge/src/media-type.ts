import { OtlpRequestError } from './errors.js';

/** The two encodings OTLP/HTTP defines. */
export type OtlpEncoding = 'protobuf' | 'json';

/** The `Content-Type` of each encoding, as the bridge answers with it. */
export const CONTENT_TYPES: Readonly<Record<OtlpEncoding, string>> = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
};

/**
 * The encoding a `Content-Type` header names (parameters such as `charset` ignored), or a 415
 * {@link OtlpRequestError} for anything else.
 */
export function encodingOf(contentType: string | undefined): OtlpEncoding {
  const mediaType = (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (mediaType === 'application/x-protobuf' || mediaType === 'application/protobuf') return 'protobuf';
  if (mediaType === 'application/json') return 'json';
  throw new OtlpRequestError(
    415,
    `Unsupported content type ${JSON.stringify(contentType ?? '')}: send application/x-protobuf or application/json`,
  );
}
