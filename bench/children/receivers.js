// Child process: the HTTP receivers the exporters send to, kept out of the measured process so
// their CPU is not counted as the exporter's.
//  - the Langfuse test server (test-support): Langfuse's OTLP endpoint with auth, decoding and
//    storing every observation, as the tests use it;
//  - a lighter Langfuse endpoint for the long runs (outage, scaling): the same path and Basic
//    auth, each request decoded only to count its spans, so the receiver does not take the CPU
//    the agent and PostgreSQL share on a small machine;
//  - a plain OTLP/HTTP receiver that reads each body and answers 200, as a collector would.
import { createServer } from 'node:http';
import { decodeTraceRequest } from '@mini-agent/bridge';
import { startLangfuseTestServer } from '@mini-agent/test-support';
import { answerParent } from '../lib/children.js';

const LANGFUSE_KEYS = { publicKey: 'pk-lf-bench', secretKey: 'sk-lf-bench' };
const LANGFUSE_OTLP_PATH = '/api/public/otel/v1/traces';

const langfuse = await startLangfuseTestServer({ ...LANGFUSE_KEYS, maxRequestBytes: 64 * 1024 * 1024 });

let otlpBytes = 0;
let otlpRequests = 0;
const otlp = await listen((req, res) => {
  req.on('data', (chunk) => (otlpBytes += chunk.length));
  req.on('end', () => {
    otlpRequests += 1;
    res.writeHead(200, { 'Content-Type': 'application/x-protobuf' }).end();
  });
});

const expectedAuth = `Basic ${Buffer.from(`${LANGFUSE_KEYS.publicKey}:${LANGFUSE_KEYS.secretKey}`).toString('base64')}`;
let liteSpans = 0;
const lite = await listen((req, res) => {
  const parts = [];
  req.on('data', (chunk) => parts.push(chunk));
  req.on('end', () => {
    if (req.url !== LANGFUSE_OTLP_PATH || req.method !== 'POST') return res.writeHead(404).end();
    if (req.headers.authorization !== expectedAuth) return res.writeHead(401).end();
    try {
      liteSpans += decodeTraceRequest(Buffer.concat(parts), req.headers['content-type'], { contentEncoding: req.headers['content-encoding'] }).spans.length;
    } catch {
      return res.writeHead(400).end();
    }
    res.writeHead(200, { 'Content-Type': 'application/x-protobuf' }).end();
  });
});

// The test server keeps every span it accepted; count them and let them go so memory stays flat.
let langfuseSpans = 0;
setInterval(() => {
  langfuseSpans += langfuse.acceptedSpans.length;
  langfuse.reset();
}, 1000).unref();

answerParent((message) => {
  if (message !== 'stats') return undefined;
  const cpu = process.cpuUsage();
  return { langfuseSpans: langfuseSpans + langfuse.acceptedSpans.length + liteSpans, otlpRequests, otlpBytes, cpuMs: (cpu.user + cpu.system) / 1000 };
});
process.on('SIGTERM', () => process.exit(0));
process.send({
  ready: true,
  langfuseUrl: langfuse.baseUrl,
  langfuseLiteUrl: `http://127.0.0.1:${lite.address().port}`,
  otlpUrl: `http://127.0.0.1:${otlp.address().port}/v1/traces`,
});

function listen(handler) {
  const server = createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
