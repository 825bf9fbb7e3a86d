// Child process: one variant of the langfuse-peer benchmark, alone in its process so that no other
// variant's heap, JIT state or pending work is billed to it. Records the benchmark workload itself
// (deterministic: every variant gets the same spans), builds its span processor, and on each
// 'round' ends every recorded span on it in batches, flushing after each, and replies with the
// CPU and wall time the round took. Config (BENCH_VARIANT_CONFIG): { variant, spans, batch,
// langfuseUrl, databaseUrl, publicKey, secretKey, timeoutSeconds }.
import { LangfuseSpanProcessor } from '@langfuse/otel';
import { InterpretingExporter } from '@mini-agent/core';
import { createLangfuseSink } from '@mini-agent/exporter-langfuse';
import { createPostgresSink } from '@mini-agent/exporter-postgres';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { answerParent } from '../lib/children.js';
import { cpuMs, mainThreadCpuMs, wallMs } from '../lib/measure.js';
import { chunk, recordWorkload } from '../lib/workload.js';

const config = JSON.parse(process.env.BENCH_VARIANT_CONFIG);
const batches = chunk(recordWorkload(config.spans), config.batch);
const spanCount = batches.reduce((n, b) => n + b.length, 0);
const keys = { publicKey: config.publicKey, secretKey: config.secretKey };

/** This package's exporter, in its variants: a round ends once it has delivered everything. */
let exporter;
const processor = await build(config.variant);

/** The processor a user of each option would install. */
async function build(variant) {
  if (variant === 'langfuse-processor') {
    // Langfuse's defaults, no mask; every span exported (its default filter keeps only LLM-ish spans).
    return new LangfuseSpanProcessor({ ...keys, baseUrl: config.langfuseUrl, timeout: config.timeoutSeconds, shouldExportSpan: () => true });
  }
  const langfuse = createLangfuseSink({ ...keys, baseUrl: config.langfuseUrl, timeoutMillis: config.timeoutSeconds * 1000 });
  const sinks = [langfuse];
  if (variant === 'mini-agent-both') {
    const postgres = createPostgresSink({ databaseUrl: config.databaseUrl });
    await postgres.ready;
    sinks.unshift(postgres);
  } else if (variant !== 'mini-agent-langfuse') {
    throw new Error(`unknown variant ${variant}`);
  }
  exporter = new InterpretingExporter({ sinks });
  return new BatchSpanProcessor(exporter, { maxExportBatchSize: config.batch, maxQueueSize: 4 * config.batch });
}

answerParent(async (message) => {
  if (message === 'round') {
    // What the previous round left is collected untimed (the child runs with --expose-gc).
    globalThis.gc?.();
    const w0 = wallMs();
    const c0 = cpuMs();
    const m0 = mainThreadCpuMs();
    for (const batch of batches) {
      for (const span of batch) processor.onEnd(span);
      await processor.forceFlush();
    }
    // The processor's flush ends when the exporter has queued a batch, not stored it: what the
    // sinks still had to write is part of the round (Langfuse's processor flushes after its request).
    await exporter?.forceFlush();
    return { units: spanCount, wallMs: wallMs() - w0, cpuMs: cpuMs() - c0, mainThreadCpuMs: mainThreadCpuMs() - m0 };
  }
  if (message === 'shutdown') {
    await processor.shutdown();
    return { ok: true };
  }
  return undefined;
});
process.on('SIGTERM', () => process.exit(0));
process.send({ ready: true, spans: spanCount });
