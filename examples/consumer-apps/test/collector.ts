import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeOtlpTraceRequest, type DecodedOtlpSpan } from '@mini-agent/test-support';

/** An OTLP/HTTP trace receiver standing in for a Collector: it decodes and keeps what it gets. */
export async function startCollector(): Promise<{ url: string; spans: DecodedOtlpSpan[]; close(): Promise<void> }> {
  const spans: DecodedOtlpSpan[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    spans.push(...decodeOtlpTraceRequest(Buffer.concat(chunks), { contentType: req.headers['content-type'], contentEncoding: req.headers['content-encoding'] }));
    res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
