import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeOtlpTraceRequest, type DecodedOtlpSpan } from '@mini-agent/test-support';

/** An OTLP/HTTP trace endpoint that keeps what a Collector forwarded, decoded, and answers 200. */
export interface CaptureServer {
  /** `http://127.0.0.1:<port>`: an `otlphttp` exporter's endpoint (it adds /v1/traces). */
  readonly url: string;
  readonly spans: DecodedOtlpSpan[];
  close(): Promise<void>;
}

/** Starts the capture endpoint on a free loopback port. */
export async function startCaptureServer(): Promise<CaptureServer> {
  const spans: DecodedOtlpSpan[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        spans.push(...decodeOtlpTraceRequest(Buffer.concat(chunks), { contentType: req.headers['content-type'], contentEncoding: req.headers['content-encoding'] }));
        // An empty ExportTraceServiceResponse: everything accepted.
        res.writeHead(200, { 'Content-Type': 'application/x-protobuf' }).end();
      } catch (error) {
        res.writeHead(400, { 'Content-Type': 'text/plain' }).end(String(error));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, spans, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
