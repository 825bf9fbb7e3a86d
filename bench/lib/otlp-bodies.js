// OTLP request bodies as the real exporter makes them, and posting them the way a sender does:
// shared by the benchmarks that feed the bridge and the Collector the same requests.
import { createServer, request, Agent } from 'node:http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { chunk } from './workload.js';

/** What a BatchSpanProcessor in front of the OTLP exporter sends in one request. */
export const SPANS_PER_REQUEST = 512;
/** Requests in flight at once. */
export const CONCURRENT_REQUESTS = 4;

/** The request bodies the real OTLP proto exporter sends for `spans`, 512 spans a request. */
export async function captureBodies(spans) {
  const captured = [];
  const server = createServer((req, res) => {
    const parts = [];
    req.on('data', (part) => parts.push(part));
    req.on('end', () => {
      captured.push(Buffer.concat(parts));
      res.writeHead(200, { 'Content-Type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const exporter = new OTLPTraceExporter({ url: `http://127.0.0.1:${server.address().port}/v1/traces` });
  const batches = chunk(spans, SPANS_PER_REQUEST);
  for (const batch of batches) {
    const result = await new Promise((resolve) => exporter.export(batch, resolve));
    if (result.code !== 0) throw new Error(`capture failed: ${result.error?.message}`);
  }
  await exporter.shutdown();
  server.close();
  return captured.map((body, i) => ({ body, spans: batches[i].length }));
}

/** Posts every body, a few at a time, on keep-alive connections; a 429 or 503 is retried shortly after. */
export async function postAll(url, items) {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENT_REQUESTS });
  const queue = [...items];
  let retries = 0;
  await Promise.all(
    Array.from({ length: CONCURRENT_REQUESTS }, async () => {
      for (let item = queue.shift(); item; item = queue.shift()) {
        for (;;) {
          const status = await post(url, item.body, agent);
          if (status === 200) break;
          if (status !== 429 && status !== 503) throw new Error(`the bridge answered ${status}`);
          retries += 1;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    }),
  );
  agent.destroy();
  return retries;
}

export function post(url, body, agent) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(body);
  });
}
