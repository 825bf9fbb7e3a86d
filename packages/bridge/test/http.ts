import { request } from 'node:http';
import { Readable } from 'node:stream';
import { ExportTraceServiceResponse, RpcStatus } from '../src/otlp-messages.js';

/** An HTTP answer, body kept as bytes. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
}

/** Posts a body with fetch (the client a script or another language's SDK would resemble). */
export async function post(url: string, body: Uint8Array | string, headers: Record<string, string>): Promise<Answer> {
  const res = await fetch(url, { method: 'POST', body, headers });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

/** The `google.rpc.Status` of an error answer, in whichever encoding it came. */
export function statusOf(answer: Answer): { code: number; message: string } {
  if (answer.headers.get('content-type') === 'application/x-protobuf') {
    const o = RpcStatus.toObject(RpcStatus.decode(answer.body), { defaults: true });
    return { code: Number(o.code), message: String(o.message) };
  }
  return JSON.parse(answer.body.toString('utf8')) as { code: number; message: string };
}

/** The `partialSuccess` of a 200 answer (`undefined` when all spans were accepted). */
export function partialSuccessOf(answer: Answer): { rejectedSpans: number; errorMessage: string } | undefined {
  const o =
    answer.headers.get('content-type') === 'application/x-protobuf'
      ? ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(answer.body), { longs: String })
      : (JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>);
  const partial = o.partialSuccess as { rejectedSpans?: string | number; errorMessage?: string } | undefined;
  return partial ? { rejectedSpans: Number(partial.rejectedSpans ?? 0), errorMessage: partial.errorMessage ?? '' } : undefined;
}

/**
 * Streams `megabytes` of body, one megabyte at a time and only as the socket takes it, and reports
 * how many megabytes had been produced when the answer came: proof the server stopped reading.
 */
export function postStreaming(
  url: string,
  megabytes: number,
  headers: Record<string, string>,
): Promise<{ status: number; body: Buffer; megabytesProduced: number }> {
  let produced = 0;
  const source = new Readable({
    read() {
      produced += 1;
      this.push(produced > megabytes ? null : Buffer.alloc(1024 * 1024, 0x0a));
    },
  });
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), megabytesProduced: produced }));
      res.on('error', reject);
    });
    // Writing after the server closed the connection fails; the answer already says why.
    req.on('error', () => {});
    source.pipe(req);
  });
}
