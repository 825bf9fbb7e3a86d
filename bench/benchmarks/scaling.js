// 6. Scaling curve: the same agent (its own process, both sinks) at 10k, 100k and 1M spans:
// throughput, CPU per span and peak memory. Linear growth means the per-span cost stays flat and
// the memory does not grow with the number of spans.
import { LANGFUSE_KEYS, startChild } from '../lib/children.js';
import { fmt, progress, QUICK, writeResult } from '../lib/measure.js';
import { connectDriver, countRows, createDatabase, truncateAll } from '../lib/postgres.js';

const NAME = 'scaling';
const SIZES = QUICK ? [10_000, 100_000] : [10_000, 100_000, 1_000_000];

const receivers = await startChild('receivers');
const database = await createDatabase('scaling');
const admin = connectDriver(database.url);

const points = [];
for (const size of SIZES) {
  await truncateAll(admin);
  const agent = await startChild('agent', {
    env: { BENCH_AGENT_CONFIG: JSON.stringify({ databaseUrl: database.url, langfuseUrl: receivers.info.langfuseLiteUrl, ...LANGFUSE_KEYS }) },
  });
  const lf0 = (await receivers.ask('stats')).langfuseSpans;
  progress(NAME, `${size.toLocaleString('en-US')} spans`);
  const produced = await agent.ask({ produce: size, throttleRecords: 20_000 });
  const drained = await agent.ask('drain');
  const stats = await agent.ask('stats');
  await agent.ask('shutdown');
  const rows = await countRows(admin);
  const langfuseSpans = (await receivers.ask('stats')).langfuseSpans - lf0;
  const lost = Object.values(stats.sinks).reduce((n, s) => n + Object.values(s.dropped).reduce((a, b) => a + b, 0), 0);
  if (rows.spans !== size) throw new Error(`expected ${size} span rows, found ${rows.spans}`);
  const wallMs = produced.wallMs + drained.wallMs;
  const cpuMs = produced.cpuMs + drained.cpuMs;
  const point = {
    spans: size,
    spansPerSecond: size / (wallMs / 1000),
    cpuUsPerSpan: (cpuMs * 1000) / size,
    wallUsPerSpan: (wallMs * 1000) / size,
    maxRssMb: Math.max(produced.maxRssMb, drained.maxRssMb),
    peakHeapUsedMb: produced.peakMemoryMb.heapUsed,
    peakHeapTotalMb: produced.peakMemoryMb.heapTotal,
    rows: rows.total,
    langfuseSpans,
    droppedRecords: lost,
  };
  points.push(point);
  progress(
    NAME,
    `${size.toLocaleString('en-US')} spans: ${fmt(point.spansPerSecond, 0)} spans/s, ${fmt(point.cpuUsPerSpan)} µs agent CPU a span, ` +
      `peak RSS ${fmt(point.maxRssMb, 0)} MB (heap ${fmt(point.peakHeapUsedMb, 0)} of ${fmt(point.peakHeapTotalMb, 0)} MB), ${rows.total.toLocaleString('en-US')} rows, ${langfuseSpans.toLocaleString('en-US')} spans at Langfuse, ${lost} records dropped`,
  );
}
await admin.end();
await receivers.stop();
await database.drop();

const [, mid, last] = points;
const top = last ?? mid;
const base = last ? mid : points[0];
const growth = (key) => top[key] / base[key];
writeResult(NAME, {
  title: 'Scaling: throughput, CPU and memory at 10k, 100k, 1M spans (agent with both sinks)',
  points,
  ratios: [
    { label: `CPU per span, ${fmt(top.spans / 1000, 0)}k vs ${fmt(base.spans / 1000, 0)}k spans`, value: growth('cpuUsPerSpan'), target: 1.2, better: 'lower' },
    { label: `wall time per span, ${fmt(top.spans / 1000, 0)}k vs ${fmt(base.spans / 1000, 0)}k spans`, value: growth('wallUsPerSpan'), target: 1.2, better: 'lower' },
    { label: `peak RSS, ${fmt(top.spans / 1000, 0)}k vs ${fmt(base.spans / 1000, 0)}k spans`, value: growth('maxRssMb'), target: 1.2, better: 'lower' },
  ],
  notes: points.map((p) => `${p.spans.toLocaleString('en-US')} spans: ${fmt(p.spansPerSecond, 0)} spans/s, ${fmt(p.cpuUsPerSpan)} µs CPU a span, peak RSS ${fmt(p.maxRssMb, 0)} MB`),
});
