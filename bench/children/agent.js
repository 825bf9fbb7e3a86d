// Child process: an agent traced by registerMiniAgentTracing with both sinks, producing the
// benchmark workload. Its own process, so its peak RSS is the agent's alone. With `bare: true` in
// its config it is the baseline instead: a NodeTracerProvider with a BatchSpanProcessor in front
// of an exporter that does nothing. Driven over IPC:
//   { produce: n, throttleRecords }  emit n spans (whole traces); reply with time, CPU and memory
//   'drain'                          wait until every sink delivered everything held; reply with the time
//   'stats'                          the exporter's counters
import { registerMiniAgentTracing } from '@mini-agent/otel';
import { getHeapSpaceStatistics } from 'node:v8';
import { trace } from '@opentelemetry/api';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { answerParent } from '../lib/children.js';
import { emitTrace, SPANS_PER_TRACE } from '../lib/workload.js';

const config = JSON.parse(process.env.BENCH_AGENT_CONFIG);
const tracing = config.bare ? bareTracing() : registerMiniAgentTracing({
  serviceName: 'bench-agent',
  serviceVersion: '1.4.0',
  resourceAttributes: { 'deployment.environment.name': 'bench' },
  postgres: { databaseUrl: config.databaseUrl },
  langfuse: { publicKey: config.publicKey, secretKey: config.secretKey, baseUrl: config.langfuseUrl },
  delivery: config.delivery,
  ...(config.reparenting ? { reparenting: config.reparenting } : {}),
  otlp: false,
  exitHooks: false,
});
await tracing.ready;
const tracer = trace.getTracer('bench-agent', '1.4.0');

// Spans handed to the exporter so far: the producer waits for the batch processor to keep up
// (it holds 2,048 spans at most and drops the rest), as an agent whose spans are all kept would.
const exporter = tracing.exporter;
const exportSpans = exporter.export.bind(exporter);
let exported = 0;
let exportCalled;
exporter.export = (spans, done) => {
  exported += spans.length;
  exportSpans(spans, done);
  exportCalled?.();
};
// Waits for the next export() call without spinning (a spinning wait would count as the agent's CPU).
const nextExport = () => new Promise((resolve) => (exportCalled = resolve));

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const queued = () => Object.values(tracing.stats().sinks).reduce((n, s) => n + s.queuedRecords, 0);

let produced = 0;
let traceNumber = 0;
let rssSamples = [];
let peakMemory = {};
let peakSpaces = {};
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  rssSamples.push(m.rss / 1024 ** 2);
  for (const [key, value] of Object.entries(m)) peakMemory[key] = Math.max(peakMemory[key] ?? 0, value / 1024 ** 2);
  // Which V8 space the peak is in (old space, large objects for big strings, the young generation).
  for (const s of getHeapSpaceStatistics()) peakSpaces[s.space_name] = Math.max(peakSpaces[s.space_name] ?? 0, Math.round(s.space_size / 1024 ** 2));
}, 100);
sampler.unref();

async function produce(count, throttleRecords) {
  rssSamples = [];
  peakMemory = {};
  peakSpaces = {};
  const w0 = performance.now();
  const c0 = cpuMs();
  const target = produced + count;
  while (produced < target) {
    emitTrace(tracer, traceNumber++);
    produced += SPANS_PER_TRACE;
    while (produced - exported > 1_500) await nextExport();
    // Without a spool, records wait in memory while a sink is slower than the agent (and are
    // dropped past its bound): keep the agent at the sinks' pace instead.
    if (throttleRecords && traceNumber % 10 === 0) while (queued() > throttleRecords) await new Promise((r) => setTimeout(r, 5));
  }
  return { spans: count, wallMs: performance.now() - w0, cpuMs: cpuMs() - c0, maxRssMb: process.resourceUsage().maxRSS / 1024, peakMemoryMb: peakMemory, peakSpacesMb: peakSpaces, rssSamples };
}

async function drain() {
  const w0 = performance.now();
  const c0 = cpuMs();
  await tracing.provider.forceFlush();
  for (;;) {
    const sinks = Object.values(tracing.stats().sinks);
    const idle = sinks.every((s) => s.healthy && s.queuedRecords === 0 && s.spoolBytes === 0);
    if (idle && exported >= produced) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await exporter.forceFlush();
  return { wallMs: performance.now() - w0, cpuMs: cpuMs() - c0, maxRssMb: process.resourceUsage().maxRSS / 1024 };
}

answerParent(async (message) => {
  if (message.produce) return produce(message.produce, message.throttleRecords);
  if (message === 'drain') return drain();
  if (message === 'stats') return { produced, exported, ...tracing.stats() };
  if (message === 'shutdown') {
    await tracing.shutdown();
    setTimeout(() => process.exit(0), 100);
    return { done: true };
  }
  return undefined;
});
process.send({ ready: true, rssMb: process.memoryUsage.rss() / 1024 ** 2 });

/** The baseline: what registerMiniAgentTracing returns, for a bare SDK whose exporter does nothing. */
function bareTracing() {
  // The export callback comes a macrotask later, as it does from any exporter that does I/O.
  const exporter = { export: (_spans, done) => setImmediate(() => done({ code: 0 })), forceFlush: async () => {}, shutdown: async () => {} };
  const provider = new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
  provider.register();
  return { provider, exporter, ready: Promise.resolve(), stats: () => ({ sinks: {} }), shutdown: () => provider.shutdown() };
}
