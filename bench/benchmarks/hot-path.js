// 1. Hot path: what one span (start, 10 attributes, end) costs the agent's own thread with
// registerMiniAgentTracing and both sinks attached, against a bare NodeTracerProvider with a
// BatchSpanProcessor and an exporter that does nothing. Only the time inside the loop counts: that
// is what the agent waits for. Between timed blocks the exporters are flushed, untimed.
import { registerMiniAgentTracing } from '@mini-agent/otel';
import { ExportResultCode } from '@opentelemetry/core';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { LANGFUSE_KEYS, startChild } from '../lib/children.js';
import { fmt, mainThreadCpuMs, formatStat, pairedRatio, progress, QUICK, summarize, wallMs, writeResult } from '../lib/measure.js';
import { createDatabase } from '../lib/postgres.js';

const NAME = 'hot-path';
const BLOCK = 1_000; // spans per timed block: past the processor's 512-span batch, as a busy agent is
const BLOCKS = QUICK ? 10 : 15;
const ROUNDS = QUICK ? 3 : 5;

// Ten attribute values made once: the loop measures the SDK calls, not building strings.
const VALUES = [
  ['mini_agent.span.kind', 'tool'], ['mini_agent.tool.name', 'read_file'], ['mini_agent.tool.category', 'file'],
  ['mini_agent.tool.input', JSON.stringify({ path: '/srv/data/notes.md', limit: 20 })],
  ['mini_agent.tool.output', JSON.stringify({ ok: true, bytes: 5120, lines: ['first', 'second'] })],
  ['step.index', 3], ['http.response.status_code', 200], ['cache.hit', true], ['retry.count', 0], ['cloud.region', 'eu-west-1'],
];

const receivers = await startChild('receivers');
const database = await createDatabase('hot_path');
const tracing = registerMiniAgentTracing({
  serviceName: 'bench-agent',
  postgres: { databaseUrl: database.url },
  langfuse: { ...LANGFUSE_KEYS, baseUrl: receivers.info.langfuseUrl },
  otlp: false,
  exitHooks: false,
});
await tracing.ready;

const bare = new NodeTracerProvider({
  spanProcessors: [new BatchSpanProcessor({ export: (_spans, done) => done({ code: ExportResultCode.SUCCESS }), shutdown: async () => {} })],
});

/** One timed block: BLOCK spans through `tracer`. */
function block(tracer) {
  const w0 = wallMs();
  const c0 = mainThreadCpuMs();
  for (let i = 0; i < BLOCK; i++) {
    const span = tracer.startSpan('tool read_file');
    for (let a = 0; a < 10; a++) span.setAttribute(VALUES[a][0], VALUES[a][1]);
    span.end();
  }
  return { cpu: mainThreadCpuMs() - c0, wall: wallMs() - w0 };
}

/**
 * Settles what a block left behind, untimed, so every block starts alike (processor buffer empty,
 * no export in flight): the exporters flushed and idle (the export work is not the agent's),
 * then a full garbage collection, so neither variant's block pays for the other's garbage.
 */
async function settle(variant) {
  await variant.provider.forceFlush();
  // The processor's forceFlush does not wait for an export already in flight; the exporter's does.
  await variant.exporter?.forceFlush();
  await new Promise((resolve) => setImmediate(resolve));
  globalThis.gc();
}

const variants = {
  bare: { tracer: bare.getTracer('bench'), provider: bare },
  'mini-agent': { tracer: tracing.provider.getTracer('bench'), provider: tracing.provider, exporter: tracing.exporter },
};

/** One round: BLOCKS blocks of each variant, alternating block by block; the sums per variant. */
async function round(r) {
  const sums = { bare: { units: 0, wallMs: 0, cpuMs: 0 }, 'mini-agent': { units: 0, wallMs: 0, cpuMs: 0 } };
  for (let b = 0; b < BLOCKS * 2; b++) {
    const name = (b + r) % 2 === 0 ? 'bare' : 'mini-agent';
    const t = block(variants[name].tracer);
    sums[name].units += BLOCK;
    sums[name].cpuMs += t.cpu;
    sums[name].wallMs += t.wall;
    await settle(variants[name]);
  }
  return sums;
}

progress(NAME, `${ROUNDS} rounds of ${BLOCKS} blocks of ${BLOCK} spans per variant, alternating block by block`);
const rounds = [];
for (let r = -2; r < ROUNDS; r++) {
  const sums = await round(r);
  if (r >= 0) rounds.push(sums);
  const us = (v) => fmt((sums[v].cpuMs * 1000) / sums[v].units);
  progress(NAME, `${r < 0 ? 'warm-up' : `round ${r + 1}/${ROUNDS}`}: bare ${us('bare')} µs CPU/span, mini-agent ${us('mini-agent')} µs CPU/span`);
}
const results = Object.fromEntries(
  Object.keys(variants).map((v) => {
    const samples = rounds.map((sums) => sums[v]);
    return [v, { rounds: samples, cpuUsPerUnit: summarize(samples.map((s) => (s.cpuMs * 1000) / s.units)), wallUsPerUnit: summarize(samples.map((s) => (s.wallMs * 1000) / s.units)) }];
  }),
);
const stats = tracing.stats();
const produced = (ROUNDS + 2) * BLOCKS * BLOCK;
await tracing.shutdown();
await bare.shutdown();
await receivers.stop();
await database.drop();

const cpuRatio = pairedRatio(results['mini-agent'], results.bare, (s) => s.cpuMs);
const wallRatio = pairedRatio(results['mini-agent'], results.bare, (s) => s.wallMs);
progress(NAME, `bare SDK: ${formatStat(results.bare.cpuUsPerUnit, ' µs CPU')} a span; mini-agent: ${formatStat(results['mini-agent'].cpuUsPerUnit, ' µs CPU')}`);
progress(NAME, `ratio (CPU) ${formatStat(cpuRatio, '×')}; (wall) ${formatStat(wallRatio, '×')}; spans received by the exporter ${stats.spans.received} of ${produced}`);
writeResult(NAME, {
  title: 'Hot path: agent-side cost of one span (start, 10 attributes, end)',
  baseline: 'NodeTracerProvider + BatchSpanProcessor + no-op exporter',
  results,
  exporterStats: { received: stats.spans.received, produced, sinks: stats.sinks },
  ratios: [
    { label: 'hot path, main-thread CPU per span vs bare SDK', value: cpuRatio.median, spread: cpuRatio.spread, target: 1.15, better: 'lower' },
    { label: 'hot path, wall per span vs bare SDK', value: wallRatio.median, spread: wallRatio.spread, target: 1.15, better: 'lower', informational: true },
  ],
});
