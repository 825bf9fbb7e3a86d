// Langfuse's own processor as the baseline: what a Langfuse user would run instead of this
// package. `LangfuseSpanProcessor` of `@langfuse/otel` (its defaults, no mask, every span exported
// with `shouldExportSpan: () => true`) against this package's pipeline with the Langfuse sink only
// (P3a, redaction on as by default) and with both sinks (P3b), each behind a `BatchSpanProcessor`
// fed the same recorded spans in batches of 512. Every Langfuse-bound variant sends to the
// Langfuse test server, which decodes and stores each observation; it runs in a child process (and
// PostgreSQL in its own), so only the exporting side's CPU is counted.
import { LangfuseSpanProcessor } from '@langfuse/otel';
import { InterpretingExporter } from '@mini-agent/core';
import { createLangfuseSink } from '@mini-agent/exporter-langfuse';
import { createPostgresSink } from '@mini-agent/exporter-postgres';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { LANGFUSE_KEYS, startChild } from '../lib/children.js';
import { cpuMs, formatStat, interleave, pairedRatio, progress, QUICK, wallMs, writeResult } from '../lib/measure.js';
import { connectDriver, createDatabase, truncateAll } from '../lib/postgres.js';
import { chunk, recordWorkload } from '../lib/workload.js';

const NAME = 'langfuse-peer';
const SPANS = QUICK ? 3_000 : 6_000;
const BATCH = 512; // the BatchSpanProcessor's default export batch, Langfuse's `flushAt` default too
const ROUNDS = QUICK ? 3 : 5;

const receivers = await startChild('receivers');
const database = await createDatabase('peer');
const admin = connectDriver(database.url);

progress(NAME, `recording ${SPANS.toLocaleString('en-US')} spans of the agent workload (untimed)`);
const batches = chunk(recordWorkload(SPANS), BATCH);
const spanCount = batches.reduce((n, b) => n + b.length, 0);

// A shared machine can hold a request past the 5 s defaults: a timeout would fail the round, not measure it.
const TIMEOUT_SECONDS = 60;
const langfuseTarget = { ...LANGFUSE_KEYS, baseUrl: receivers.info.langfuseUrl, timeoutMillis: TIMEOUT_SECONDS * 1000 };
const peer = new LangfuseSpanProcessor({ ...LANGFUSE_KEYS, baseUrl: receivers.info.langfuseUrl, timeout: TIMEOUT_SECONDS, shouldExportSpan: () => true });
const processorOf = (exporter) => new BatchSpanProcessor(exporter, { maxExportBatchSize: BATCH, maxQueueSize: 4 * BATCH });
const langfuseOnly = processorOf(new InterpretingExporter({ sinks: [createLangfuseSink(langfuseTarget)] }));
const postgresSink = createPostgresSink({ databaseUrl: database.url });
await postgresSink.ready;
const bothSinks = processorOf(new InterpretingExporter({ sinks: [postgresSink, createLangfuseSink(langfuseTarget)] }));

/** Every batch ended on the processor, then flushed: the processor's whole export of it. */
const feed = (processor) => async () => {
  for (const batch of batches) {
    for (const span of batch) processor.onEnd(span);
    await processor.forceFlush();
  }
};

// The garbage one variant leaves is collected before the next is timed (run with --expose-gc):
// left alone, the major collections of the pipeline's garbage landed in whichever variant ran
// next, and Langfuse's processor measured 2-8× its cost when run alone.
const collectGarbage = async () => {
  globalThis.gc?.();
  await new Promise((resolve) => setTimeout(resolve, 50));
};

const variant = (run, { truncate = false } = {}) => async () => {
  if (truncate) await truncateAll(admin);
  await collectGarbage();
  const w0 = wallMs();
  const c0 = cpuMs();
  await run();
  return { units: spanCount, wallMs: wallMs() - w0, cpuMs: cpuMs() - c0 };
};

const before = await receivers.ask('stats');
progress(NAME, `${ROUNDS} rounds of ${spanCount.toLocaleString('en-US')} spans in batches of ${BATCH}, interleaved`);
const results = await interleave(
  NAME,
  {
    'langfuse-processor': variant(feed(peer)),
    'mini-agent-langfuse': variant(feed(langfuseOnly)),
    'mini-agent-both': variant(feed(bothSinks), { truncate: true }),
  },
  { warmup: 1, rounds: ROUNDS, unit: 'span' },
);
const after = await receivers.ask('stats');
const cpu = (s) => s.cpuMs;
const p3a = pairedRatio(results['mini-agent-langfuse'], results['langfuse-processor'], cpu);
const p3b = pairedRatio(results['mini-agent-both'], results['langfuse-processor'], cpu);
const us = (name) => formatStat(results[name].cpuUsPerUnit, ' µs');
progress(NAME, `CPU a span: LangfuseSpanProcessor ${us('langfuse-processor')}, mini-agent Langfuse only ${us('mini-agent-langfuse')}, both sinks ${us('mini-agent-both')}`);
progress(NAME, `P3a ${formatStat(p3a, '×')}, P3b ${formatStat(p3b, '×')}`);

// Every variant's spans reached the server: (warm-up + rounds) × spans × 2 Langfuse-bound variants.
const expected = (ROUNDS + 1) * spanCount * 2;
const received = after.langfuseSpans - before.langfuseSpans;
if (received < expected) throw new Error(`the Langfuse test server accepted ${received} spans, expected at least ${expected}`);

for (const processor of [peer, langfuseOnly, bothSinks]) await processor.shutdown();
await admin.end();
await receivers.stop();
await database.drop();

writeResult(NAME, {
  title: "CPU a span against Langfuse's own LangfuseSpanProcessor",
  baseline: '@langfuse/otel 5.11 LangfuseSpanProcessor (defaults, no mask, shouldExportSpan: () => true) to the Langfuse test server',
  spans: spanCount,
  results,
  receivedByLangfuse: received,
  ratios: [
    { label: 'P3a Langfuse sink only vs LangfuseSpanProcessor', value: p3a.median, spread: p3a.spread, target: 1.0, better: 'lower' },
    { label: 'P3b both sinks vs LangfuseSpanProcessor', value: p3b.median, spread: p3b.spread, target: 2.0, better: 'lower' },
  ],
  notes: [
    `CPU a span: LangfuseSpanProcessor ${us('langfuse-processor')}, Langfuse sink only ${us('mini-agent-langfuse')}, both sinks ${us('mini-agent-both')}`,
  ],
});
