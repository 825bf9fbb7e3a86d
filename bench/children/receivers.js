// Child process: the HTTP receivers the exporters send to, kept out of the measured process so
// their CPU is not counted as the exporter's. Runs the Langfuse test server (OTLP endpoint) and a
// plain OTLP/HTTP receiver that reads each body and answers 200, as a collector would.
import { createServer } from 'node:http';
import { startLangfuseTestServer } from '@mini-agent/test-support';

const LANGFUSE_KEYS = { publicKey: 'pk-lf-bench', secretKey: 'sk-lf-bench' };

const langfuse = await startLangfuseTestServer({ ...LANGFUSE_KEYS, maxRequestBytes: 64 * 1024 * 1024 });
let otlpSpansBytes = 0;
let otlpRequests = 0;
const otlp = createServer((req, res) => {
  req.on('data', (chunk) => (otlpSpansBytes += chunk.length));
  req.on('end', () => {
    otlpRequests += 1;
    res.writeHead(200, { 'Content-Type': 'application/x-protobuf' }).end();
  });
});
await new Promise((resolve) => otlp.listen(0, '127.0.0.1', resolve));

// The test server keeps every span it accepted; count them and let them go so memory stays flat.
let langfuseSpans = 0;
setInterval(() => {
  langfuseSpans += langfuse.acceptedSpans.length;
  langfuse.reset();
}, 1000).unref();

process.on('message', (message) => {
  if (message === 'stats') {
    const cpu = process.cpuUsage();
    process.send({ langfuseSpans: langfuseSpans + langfuse.acceptedSpans.length, otlpRequests, otlpBytes: otlpSpansBytes, cpuMs: (cpu.user + cpu.system) / 1000 });
  }
});
process.on('SIGTERM', () => process.exit(0));
process.send({ ready: true, langfuseUrl: langfuse.baseUrl, otlpUrl: `http://127.0.0.1:${otlp.address().port}/v1/traces` });
