// 4. Bridge: OTLP protobuf requests made by the real exporter → the bridge (a child process) →
// decode → interpret → PostgreSQL. Spans per second per core = spans / the bridge process's CPU
// seconds. Decode-only (spans discarded after decoding) is its ceiling; interpret-only shows the
// step in between.
import { startChild } from '../lib/children.js';
import { fmt, formatStat, interleave, progress, QUICK, summarize, wallMs, writeResult } from '../lib/measure.js';
import { connectDriver, countRows, createDatabase, truncateAll } from '../lib/postgres.js';
import { captureBodies, postAll } from '../lib/otlp-bodies.js';
import { recordWorkload } from '../lib/workload.js';

const NAME = 'bridge';
const SPANS = QUICK ? 6_000 : 16_000;
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

progress(NAME, `${ROUNDS} rounds of ${spanCount.toLocaleString('en-US')} spans, 4 requests at a time, per mode`);
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
