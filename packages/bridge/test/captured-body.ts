import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { sendWithOtlpExporter } from './helpers.js';

/** The body the real OTLP exporter (protobuf or JSON) sends for these spans, caught by a local server. */
export async function capturedBody(spans: ReadableSpan[], encoding: 'protobuf' | 'json' = 'protobuf'): Promise<Buffer> {
  let captured: Buffer | undefined;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      captured = Buffer.concat(chunks);
      res.writeHead(200, { 'content-type': encoding === 'json' ? 'application/json' : 'application/x-protobuf' }).end(encoding === 'json' ? '{}' : undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await sendWithOtlpExporter(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`, spans, { encoding });
  await new Promise((resolve) => server.close(resolve));
  return captured!;
}
