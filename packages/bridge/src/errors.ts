/**
 * A request the bridge refuses, with the HTTP status the OTLP/HTTP specification gives for it and
 * the gRPC status code carried in the `google.rpc.Status` body of the answer.
 */
export class OtlpRequestError extends Error {
  override readonly name = 'OtlpRequestError';
  constructor(
    /** The HTTP status to answer with: 400, 401, 413, 415, 429 or 503. */
    readonly statusCode: number,
    message: string,
    /** Seconds the client should wait before retrying (429 and 503). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }

  /** The `google.rpc.Code` matching {@link statusCode}. */
  get rpcCode(): number {
    return RPC_CODES[this.statusCode] ?? RPC_INTERNAL;
  }
}

const RPC_INTERNAL = 13;
// google.rpc.Code values: the numbers are part of the published gRPC contract.
const RPC_CODES: Record<number, number> = {
  400: 3, // INVALID_ARGUMENT
  401: 16, // UNAUTHENTICATED
  404: 5, // NOT_FOUND
  405: 12, // UNIMPLEMENTED
  413: 8, // RESOURCE_EXHAUSTED
  415: 3, // INVALID_ARGUMENT
  429: 8, // RESOURCE_EXHAUSTED
  503: 14, // UNAVAILABLE
};

/** A body that is not a valid OTLP trace request (HTTP 400). */
export function malformed(message: string): OtlpRequestError {
  return new OtlpRequestError(400, message);
}
