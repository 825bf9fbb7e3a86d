// 3. Whole pipeline CPU: what this process spends per span to interpret the agent workload and
// deliver it to both sinks (rows into PostgreSQL, observations to the Langfuse test server),
// against the standard OTLP/HTTP protobuf exporter sending the same spans to a local receiver.
// The receivers run in a child process, so only the exporting side is counted.
import { InterpretingExporter } from '@mini-agent/core';
import { createLangfuseSink } from '@mini-agent/exporter-langfuse';
import { createPostgresSink } from '@mini-agent/exporter-postgres';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { LANGFUSE_KEYS, startChild } from '../lib/children.js';
import { cpuMs, fmt, formatStat, interleave, pairedRatio, progress, QUICK, wallMs, writeResult } from '../lib/measure.js';
import { connectDriver, createDatabase, truncateAll } from '../lib/postgres.js';
import { chunk, recordWorkload } from '../lib/workload.js';

const NAME = 'pipeline-cpu';
const SPANS = QUICK ? 5_000 : 10_000;
const BATCH = 512; // the BatchSpanProcessor's default export batch
const ROUNDS = QUICK ? 3 : 5;

const receivers = await startChild('receivers');
const database = await createDatabase('pipeline');
const admin = connectDriver(database.url);

progress(NAME, `recording ${SPANS.toLocaleString('en-US')} spans of the agent workload (untimed)`);
const batches = chunk(recordWorkload(SPANS), BATCH);
const spanCount = batches.reduce((n, b) => n + b.length, 0);

const postgresSink = createPostgresSink({ databaseUrl: database.url });
await postgresSink.ready;
const langfuseSink = createLangfuseSink({ ...LANGFUSE_KEYS, baseUrl: receivers.info.langfuseUrl });
const miniAgent = new InterpretingExporter({ sinks: [postgresSink, langfuseSink] });
// Parts of the same work, for the breakdown: interpretation alone, each sink alone.
const onlyPostgres = new InterpretingExporter({ sinks: [createPostgresSink({ databaseUrl: database.url })] });
const onlyLangfuse = new InterpretingExporter({ sinks: [createLangfuseSink({ ...LANGFUSE_KEYS, baseUrl: receivers.info.langfuseUrl })] });
const interpretOnly = new InterpretingExporter({ sinks: [] });
const otlp = new OTLPTraceExporter({ url: receivers.info.otlpUrl });

const exportAll = (exporter) => async () => {
  for (const batch of batches) {
    const result = await new Promise((resolve) => exporter.export(batch, resolve));
    if (result.code !== 0) throw new Error(`export failed: ${result.error?.message}`);
  }
  // An export's callback comes once the records are stored or queued: what the sinks still have to
  // write belongs to this round, not to the time between rounds (the OTLP exporter's flush is a no-op).
  await exporter.forceFlush();
};

/** One round: the tables emptied (untimed), then every batch exported one after the other. */
const variant = (run, { truncate = false } = {}) => async () => {
  if (truncate) await truncateAll(admin);
  const w0 = wallMs();
  const c0 = cpuMs();
  await run();
  return { units: spanCount, wallMs: wallMs() - w0, cpuMs: cpuMs() - c0 };
};

progress(NAME, `${ROUNDS} rounds of ${spanCount.toLocaleString('en-US')} spans in batches of ${BATCH}, interleaved`);
const results = await interleave(
  NAME,
  {
    'otlp-proto': variant(exportAll(otlp)),
    'mini-agent': variant(exportAll(miniAgent), { truncate: true }),
  },
  { warmup: 1, rounds: ROUNDS, unit: 'span' },
);
const ratio = pairedRatio(results['mini-agent'], results['otlp-proto'], (s) => s.cpuMs);
progress(NAME, `CPU a span: mini-agent ${formatStat(results['mini-agent'].cpuUsPerUnit, ' µs')}, OTLP proto exporter ${formatStat(results['otlp-proto'].cpuUsPerUnit, ' µs')}; ratio ${formatStat(ratio, '×')}`);

progress(NAME, 'breakdown: interpretation alone, each sink alone');
const breakdown = await interleave(
  `${NAME} parts`,
  {
    interpret: variant(exportAll(interpretOnly)),
    'interpret+postgres': variant(exportAll(onlyPostgres), { truncate: true }),
    'interpret+langfuse': variant(exportAll(onlyLangfuse)),
  },
  { warmup: 1, rounds: QUICK ? 2 : 3, unit: 'span' },
);
const part = (name) => breakdown[name].cpuUsPerUnit.median;
const parts = {
  interpret: part('interpret'),
  postgres: part('interpret+postgres') - part('interpret'),
  langfuse: part('interpret+langfuse') - part('interpret'),
};
progress(NAME, `CPU a span: interpret ${fmt(parts.interpret)} µs, Postgres sink ${fmt(parts.postgres)} µs, Langfuse sink ${fmt(parts.langfuse)} µs`);

const receiverStats = await receivers.ask('stats');
for (const exporter of [miniAgent, onlyPostgres, onlyLangfuse, interpretOnly, otlp]) await exporter.shutdown();
await admin.end();
await receivers.stop();
await database.drop();

writeResult(NAME, {
  title: 'Whole pipeline CPU per span: interpret + Postgres + Langfuse vs the OTLP proto exporter',
  baseline: '@opentelemetry/exporter-trace-otlp-proto 0.223 to a local receiver (no compression)',
  spans: spanCount,
  results,
  breakdown: { parts, results: breakdown },
  receiverStats,
  ratios: [{ label: 'pipeline CPU per span vs OTLP proto exporter', value: ratio.median, spread: ratio.spread, target: 1.5, better: 'lower' }],
  notes: [
    `CPU a span: mini-agent ${fmt(results['mini-agent'].cpuUsPerUnit.median)} µs (interpret ${fmt(parts.interpret)}, Postgres ${fmt(parts.postgres)}, Langfuse ${fmt(parts.langfuse)}), OTLP exporter ${fmt(results['otlp-proto'].cpuUsPerUnit.median)} µs`,
  ],
});
