// 4. Bridge: OTLP protobuf requests made by the real exporter → the bridge (a child process) →
// decode → interpret → PostgreSQL. Spans per second per core = spans / the bridge process's CPU
// seconds. Decode-only (spans discarded after decoding) is its ceiling; interpret-only shows the
// step in between.
import { createServer, request, Agent } from 'node:http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { startChild } from '../lib/children.js';
import { fmt, formatStat, interleave, progress, QUICK, summarize, wallMs, writeResult } from '../lib/measure.js';
import { connectDriver, countRows, createDatabase, truncateAll } from '../lib/postgres.js';
import { chunk, recordWorkload } from '../lib/workload.js';

const NAME = 'bridge';
const SPANS = QUICK ? 6_000 : 16_000;
const SPANS_PER_REQUEST = 512; // what a BatchSpanProcessor in front of the OTLP exporter sends
const CONCURRENT_REQUESTS = 4;
const ROUNDS = QUICK ? 3 : 5;
const TARGET = 24_000;

progress(NAME, `recording ${SPANS.toLocaleString('en-US')} spans and encoding them with the OTLP proto exporter (untimed)`);
const bodies = await captureBodies(recordWorkload(SPANS));
const spanCount = bodies.reduce((n, b) => n + b.spans, 0);
const megabytes = bodies.reduce((n, b) => n + b.body.length, 0) / 1024 ** 2;
progress(NAME, `${bodies.length} requests, ${fmt(megabytes, 1)} MB, ${fmt((megabytes * 1024 ** 2) / spanCount, 0)} bytes a span`);

const database = await createDatabase('bridge');
const admin = connectDriver(database.url);
const env = { BENCH_BRIDGE_DATABASE_URL: database.url };
const bridges = {
  decode: await startChild('bridge', { args: ['decode'] }),
  interpret: await startChild('bridge', { args: ['interpret'] }),
  postgres: await startChild('bridge', { args: ['postgres'], env }),
};

/** One round: every body posted to the bridge, then its queue flushed; the bridge's CPU in between. */
const variant = (name) => async () => {
  const bridge = bridges[name];
  if (name.startsWith('postgres')) await truncateAll(admin);
  const before = await bridge.ask('cpu');
  const w0 = wallMs();
  const retries = await postAll(bridge.info.url, bodies);
  const after = await bridge.ask('flush');
  const stats = after.stats.queue;
  if (stats.failed > 0) throw new Error(`the bridge failed to export ${stats.failed} spans: ${stats.lastError}`);
  return { units: spanCount, wallMs: wallMs() - w0, cpuMs: after.cpuMs - before.cpuMs, retries };
};

progress(NAME, `${ROUNDS} rounds of ${spanCount.toLocaleString('en-US')} spans, ${CONCURRENT_REQUESTS} requests at a time, per mode`);
const results = await interleave(NAME, Object.fromEntries(Object.keys(bridges).map((name) => [name, variant(name)])), { warmup: 1, rounds: ROUNDS, unit: 'span' });
const rows = await countRows(admin);
if (rows.spans !== spanCount) throw new Error(`expected ${spanCount} span rows, found ${rows.spans}`);
const rss = {};
for (const [name, bridge] of Object.entries(bridges)) rss[name] = (await bridge.ask('cpu')).maxRssKb / 1024;
for (const bridge of Object.values(bridges)) await bridge.stop();
await admin.end();
await database.drop();

const perCore = (name) => results[name].unitsPerCpuSecond;
for (const name of Object.keys(bridges)) {
  progress(NAME, `${name}: ${formatStat(perCore(name), ' spans/s per core', 0)}, ${formatStat(results[name].unitsPerSecond, ' spans/s wall', 0)}, peak RSS ${fmt(rss[name], 0)} MB`);
}
const retries = summarize(results.postgres.rounds.map((r) => r.retries));
writeResult(NAME, {
  title: 'Bridge: OTLP protobuf → decode → interpret → Postgres, spans per CPU-second of the bridge process',
  baseline: `target ${TARGET.toLocaleString('en-US')} spans/s per core (twice the Collector's published ~12k for OTLP traces)`,
  spans: spanCount,
  bytesPerSpan: (megabytes * 1024 ** 2) / spanCount,
  results,
  peakRssMb: rss,
  rowsStored: rows,
  ratios: [
    { label: 'bridge → Postgres, spans/s per core', value: perCore('postgres').median, spread: perCore('postgres').spread, target: TARGET, better: 'higher', unit: 'spans/s' },
    { label: '  … decode + interpret only', value: perCore('interpret').median, spread: perCore('interpret').spread, target: TARGET, better: 'higher', unit: 'spans/s', informational: true },
    { label: '  … decode only (the ceiling)', value: perCore('decode').median, spread: perCore('decode').spread, target: TARGET, better: 'higher', unit: 'spans/s', informational: true },
  ],
  notes: [`bridge → Postgres wall clock: ${fmt(results.postgres.unitsPerSecond.median, 0)} spans/s (server on the same cores); 429 retries a round: ${retries.median}`],
});

/** The request bodies the real OTLP proto exporter sends for `spans`, 512 spans a request. */
async function captureBodies(spans) {
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
async function postAll(url, items) {
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

function post(url, body, agent) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(body);
  });
}
