// 7. The OpenTelemetry Collector as a measured baseline: the CPU a span costs the Collector
// (collector/build.sh's build, running the shipped otel-collector.yaml: memory_limiter, redaction,
// attributes, batch, otlphttp with gzip and the file_storage queue) forwarding the benchmark
// workload over OTLP, next to what the same requests cost the bridge storing them in PostgreSQL.
// Both get the same OTLP/HTTP protobuf bodies from the real exporter, 512 spans a request.
import { createServer } from 'node:http';
import { decodeOtlpTraceRequest } from '@mini-agent/test-support';
import { startChild } from '../lib/children.js';
import { collectorBinary, peakRssMb, startCollector } from '../lib/collector.js';
import { fmt, formatStat, interleave, progress, QUICK, wallMs, writeResult } from '../lib/measure.js';
import { captureBodies, postAll } from '../lib/otlp-bodies.js';
import { connectDriver, createDatabase, truncateAll } from '../lib/postgres.js';
import { recordWorkload } from '../lib/workload.js';

const NAME = 'collector';
const SPANS = QUICK ? 6_000 : 16_000;
const ROUNDS = QUICK ? 3 : 5;

const binary = collectorBinary();
progress(NAME, `Collector: ${binary}`);
progress(NAME, `recording ${SPANS.toLocaleString('en-US')} spans and encoding them with the OTLP proto exporter (untimed)`);
const bodies = await captureBodies(recordWorkload(SPANS));
const spanCount = bodies.reduce((n, b) => n + b.spans, 0);

// Where the Collector forwards to: an endpoint that counts the spans and answers 200 (its own
// decoding is this process's CPU, not the Collector's).
let forwarded = 0;
const sink = createServer((req, res) => {
  const parts = [];
  req.on('data', (p) => parts.push(p));
  req.on('end', () => {
    forwarded += decodeOtlpTraceRequest(Buffer.concat(parts), { contentType: req.headers['content-type'], contentEncoding: req.headers['content-encoding'] }).length;
    res.writeHead(200, { 'Content-Type': 'application/x-protobuf' }).end();
  });
});
await new Promise((resolve) => sink.listen(0, '127.0.0.1', resolve));
const collector = await startCollector(binary, `http://127.0.0.1:${sink.address().port}`);

const database = await createDatabase('collector');
const admin = connectDriver(database.url);
const bridge = await startChild('bridge', { args: ['postgres'], env: { BENCH_BRIDGE_DATABASE_URL: database.url } });

const variants = {
  /** Every body into the Collector, until all its spans came out of its exporter. */
  async collector() {
    const target = forwarded + spanCount;
    const before = collector.cpuMs();
    const w0 = wallMs();
    const retries = await postAll(collector.tracesUrl, bodies);
    while (forwarded < target) await new Promise((resolve) => setTimeout(resolve, 20));
    return { units: spanCount, wallMs: wallMs() - w0, cpuMs: collector.cpuMs() - before, retries };
  },
  /** Every body into the bridge, until its spans are rows in PostgreSQL. */
  async bridge() {
    await truncateAll(admin);
    const before = await bridge.ask('cpu');
    const w0 = wallMs();
    const retries = await postAll(bridge.info.url, bodies);
    const after = await bridge.ask('flush');
    if (after.stats.queue.failed > 0) throw new Error(`the bridge failed to export ${after.stats.queue.failed} spans: ${after.stats.queue.lastError}`);
    return { units: spanCount, wallMs: wallMs() - w0, cpuMs: after.cpuMs - before.cpuMs, retries };
  },
};

progress(NAME, `${ROUNDS} rounds of ${spanCount.toLocaleString('en-US')} spans, 4 requests at a time, Collector and bridge interleaved`);
const results = await interleave(NAME, variants, { warmup: 1, rounds: ROUNDS, unit: 'span' });
const collectorRss = peakRssMb(collector.pid);
const bridgeRss = (await bridge.ask('cpu')).maxRssKb / 1024;
await collector.stop();
await bridge.stop();
sink.close();
await admin.end();
await database.drop();

const cpuUs = (name) => results[name].cpuUsPerUnit;
for (const name of Object.keys(variants)) {
  progress(NAME, `${name}: ${formatStat(cpuUs(name), ' µs CPU a span')}, ${formatStat(results[name].unitsPerCpuSecond, ' spans/s per core', 0)}`);
}
const ratio = cpuUs('bridge').median / cpuUs('collector').median;
writeResult(NAME, {
  title: 'The Collector (otel-collector.yaml) forwarding the workload over OTLP, next to the bridge storing it: CPU a span',
  baseline: 'the Collector of collector/build.sh, same OTLP/HTTP protobuf requests as the bridge',
  spans: spanCount,
  results,
  peakRssMb: { collector: collectorRss, bridge: bridgeRss },
  ratios: [
    { label: 'Collector, CPU a span (receive, redact, batch, gzip, disk queue, send)', value: cpuUs('collector').median, spread: cpuUs('collector').spread, target: 100, better: 'lower', unit: 'µs', informational: true },
    { label: 'bridge → Postgres, CPU a span (same requests)', value: cpuUs('bridge').median, spread: cpuUs('bridge').spread, target: 100, better: 'lower', unit: 'µs', informational: true },
    { label: 'bridge CPU a span ÷ Collector CPU a span', value: ratio, target: 1, better: 'lower', informational: true },
  ],
  notes: [`peak RSS: Collector ${fmt(collectorRss, 0)} MB, bridge ${fmt(bridgeRss, 0)} MB; the Collector's CPU is its whole process (/proc), the bridge's process.cpuUsage()`],
});
