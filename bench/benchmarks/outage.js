// 5. Memory under outage: an agent (its own process) produces 1M spans while both sinks are
// unreachable, with the durable spool on. Its peak RSS must stay under 256 MB and within 1.5× a
// bare SDK's on the same spans (the rest waits on disk); then the sinks come back and the time to
// drain the spool is measured, and the rows counted.
// A second, shorter outage runs the same agent with V8's old space capped at 128 MB: the heap the
// agent really holds is small, and most of the default peak is garbage V8 has not collected yet.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LANGFUSE_KEYS, startChild } from '../lib/children.js';
import { fmt, progress, QUICK, writeResult } from '../lib/measure.js';
import { backendCpuMs, connectDriver, countRows, createDatabase } from '../lib/postgres.js';
import { startTcpProxy } from '../lib/tcp-proxy.js';
import { SPANS_PER_TRACE } from '../lib/workload.js';

const NAME = 'outage';
const SPANS = QUICK ? 100_000 : 1_000_000;
const CAPPED_SPANS = QUICK ? 50_000 : 200_000;
const CAPPED_FLAGS = ['--max-old-space-size=128'];
const WARMUP_SPANS = 2_000;
const RSS_TARGET_MB = 256;
// …and at most this many times the bare SDK's peak on the same spans.
const RSS_VS_BARE = 1.5;

const receivers = await startChild('receivers');
const database = await createDatabase('outage');
const admin = connectDriver(database.url);
const pgUrl = new URL(database.url);
const pgProxy = await startTcpProxy({ host: pgUrl.hostname, port: Number(pgUrl.port || 5432) });
const lfUrl = new URL(receivers.info.langfuseLiteUrl);
const lfProxy = await startTcpProxy({ host: lfUrl.hostname, port: Number(lfUrl.port) });
const proxiedPg = new URL(database.url);
proxiedPg.host = `127.0.0.1:${pgProxy.port}`;

const bare = await bareRun(SPANS);
const main = await outage({ label: 'default V8 heap', spans: SPANS });
let rows = await countRows(admin);
const langfuseSpans = (await receivers.ask('stats')).langfuseSpans;
if (rows.spans !== SPANS + WARMUP_SPANS) throw new Error(`expected ${SPANS + WARMUP_SPANS} span rows, found ${rows.spans}`);

const capped = await outage({ label: `agent run with ${CAPPED_FLAGS.join(' ')}`, spans: CAPPED_SPANS, execArgv: CAPPED_FLAGS });
const spanRowsBefore = rows.spans;
rows = await countRows(admin);
if (rows.spans !== spanRowsBefore + CAPPED_SPANS + WARMUP_SPANS) {
  throw new Error(`capped run: expected ${CAPPED_SPANS + WARMUP_SPANS} more span rows, found ${rows.spans - spanRowsBefore}`);
}

await admin.end();
await pgProxy.close();
await lfProxy.close();
await receivers.stop();
await database.drop();

const { produced, drained, drainCpu, spoolMb, lost, after } = main;
writeResult(NAME, {
  title: `Memory under outage: ${SPANS.toLocaleString('en-US')} spans produced while both sinks are down (spool on)`,
  spans: SPANS,
  produced,
  spoolMb,
  droppedRecords: lost + capped.lost,
  drain: drained,
  drainCpu,
  rows,
  langfuseSpans,
  deliveryStats: after.sinks,
  bare: { spans: SPANS, produced: bare },
  capped: { flags: CAPPED_FLAGS, spans: CAPPED_SPANS, produced: capped.produced, drain: capped.drained, droppedRecords: capped.lost },
  ratios: [
    { label: `peak RSS while ${fmt(SPANS / 1e6, 1)}M spans are produced`, value: produced.maxRssMb, target: RSS_TARGET_MB, better: 'lower', unit: 'MB' },
    { label: `  … against the bare SDK on the same spans (${fmt(bare.maxRssMb, 0)} MB)`, value: produced.maxRssMb / bare.maxRssMb, target: RSS_VS_BARE, better: 'lower' },
    {
      label: `  … with ${CAPPED_FLAGS.join(' ')} (${CAPPED_SPANS.toLocaleString('en-US')} spans)`,
      value: capped.produced.maxRssMb,
      target: RSS_TARGET_MB,
      better: 'lower',
      unit: 'MB',
      informational: true,
    },
  ],
  notes: [
    `the bare SDK (BatchSpanProcessor, an exporter that does nothing) producing the same ${fmt(SPANS / 1e6, 1)}M spans peaked at ${fmt(bare.maxRssMb, 0)} MB RSS`,
    `time to drain after recovery: ${fmt(drained.wallMs / 1000, 1)} s (${fmt((SPANS + WARMUP_SPANS) / (drained.wallMs / 1000), 0)} spans/s into both sinks)`,
    `spool ${fmt((Object.values(spoolMb).reduce((a, b) => a + b, 0) / SPANS) * 1024, 2)} KB a span over both sinks; ${rows.total.toLocaleString('en-US')} rows stored after both drains; ${SPANS_PER_TRACE} spans a trace`,
    `CPU a span while producing: ${fmt((produced.cpuMs * 1000) / SPANS, 0)} µs (default heap), ${fmt((capped.produced.cpuMs * 1000) / CAPPED_SPANS, 0)} µs (capped old space)`,
  ],
});

/** The baseline: the same agent workload through a bare SDK whose exporter does nothing; its peak RSS. */
async function bareRun(spans) {
  const agent = await startChild('agent', { env: { BENCH_AGENT_CONFIG: JSON.stringify({ bare: true }) } });
  try {
    await agent.ask({ produce: WARMUP_SPANS });
    const produced = await agent.ask({ produce: spans });
    progress(
      NAME,
      `bare SDK baseline: ${spans.toLocaleString('en-US')} spans in ${fmt(produced.wallMs / 1000, 1)} s; peak RSS ${fmt(produced.maxRssMb, 0)} MB; ` +
        `peak heap ${fmt(produced.peakMemoryMb.heapUsed, 0)} MB used of ${fmt(produced.peakMemoryMb.heapTotal, 0)} MB (old space ${fmt(produced.peakSpacesMb.old_space, 0)} MB)`,
    );
    await agent.ask('shutdown');
    return produced;
  } finally {
    await agent.stop();
  }
}

/**
 * One outage: an agent process (spool on) produces `spans` while both sinks are cut off, then the
 * sinks come back and its spool drains. Returns what it measured; throws if anything was dropped.
 */
async function outage({ label, spans, execArgv = [] }) {
  const spoolDir = mkdtempSync(join(tmpdir(), 'mini-agent-bench-spool-'));
  const agent = await startChild('agent', {
    execArgv,
    env: {
      BENCH_AGENT_CONFIG: JSON.stringify({
        databaseUrl: proxiedPg.toString(),
        langfuseUrl: `http://127.0.0.1:${lfProxy.port}`,
        ...LANGFUSE_KEYS,
        // Room for the whole outage on disk; retries at most 2 s apart, so the drain starts soon after recovery.
        delivery: { spoolDir, spoolMaxBytes: 32 * 1024 ** 3, retry: { maxDelayMs: 2_000 } },
      }),
    },
  });
  try {
    progress(NAME, `${label}: agent ready (RSS ${fmt(agent.info.rssMb, 0)} MB); ${WARMUP_SPANS} spans with the sinks up first`);
    await agent.ask({ produce: WARMUP_SPANS });
    await agent.ask('drain');

    progress(NAME, `${label}: sinks down; producing ${spans.toLocaleString('en-US')} spans`);
    pgProxy.down();
    lfProxy.down();
    const produced = await agent.ask({ produce: spans });
    const during = await agent.ask('stats');
    const spoolMb = Object.fromEntries(Object.entries(during.sinks).map(([name, s]) => [name, s.spoolBytes / 1024 ** 2]));
    const lost = Object.values(during.sinks).reduce((n, s) => n + Object.values(s.dropped).reduce((a, b) => a + b, 0), 0);
    progress(
      NAME,
      `${label}: produced in ${fmt(produced.wallMs / 1000, 1)} s (${fmt((produced.cpuMs * 1000) / spans)} µs CPU a span); peak RSS ${fmt(produced.maxRssMb, 0)} MB; ` +
        `peak heap ${fmt(produced.peakMemoryMb.heapUsed, 0)} MB used of ${fmt(produced.peakMemoryMb.heapTotal, 0)} MB (old space ${fmt(produced.peakSpacesMb.old_space, 0)} MB), ` +
        `external ${fmt(produced.peakMemoryMb.external, 0)} MB (array buffers ${fmt(produced.peakMemoryMb.arrayBuffers, 0)} MB); ` +
        `spooled ${Object.entries(spoolMb).map(([n, mb]) => `${n} ${fmt(mb, 0)} MB`).join(', ')}; records dropped ${lost}`,
    );
    if (lost > 0) throw new Error(`${label}: ${lost} records dropped during the outage`);

    progress(NAME, `${label}: sinks up; draining`);
    const receivers0 = await receivers.ask('stats');
    const server0 = await backendCpuMs(admin, database.name);
    pgProxy.up();
    lfProxy.up();
    const draining = agent.ask('drain');
    const watch = setInterval(async () => {
      // Progress while draining: what each sink has replayed from its spool so far.
      const stats = await agent.ask('stats').catch(() => undefined);
      if (stats?.sinks) progress(NAME, `  replayed ${Object.entries(stats.sinks).map(([name, s]) => `${name} ${s.replayed.toLocaleString('en-US')}`).join(', ')} records`);
    }, 5_000);
    const drained = await draining.finally(() => clearInterval(watch));
    const receivers1 = await receivers.ask('stats');
    const server1 = await backendCpuMs(admin, database.name);
    const drainCpu = {
      agentMs: drained.cpuMs,
      langfuseTestServerMs: receivers1.cpuMs - receivers0.cpuMs,
      postgresBackendsMs: server0 === null || server1 === null ? null : server1 - server0,
    };
    const after = await agent.ask('stats');
    progress(
      NAME,
      `${label}: drain CPU: agent ${fmt(drainCpu.agentMs / 1000, 1)} s, Langfuse test server ${fmt(drainCpu.langfuseTestServerMs / 1000, 1)} s, ` +
        `PostgreSQL backends ${drainCpu.postgresBackendsMs === null ? 'n/a' : `${fmt(drainCpu.postgresBackendsMs / 1000, 1)} s`}`,
    );
    progress(NAME, `${label}: drained in ${fmt(drained.wallMs / 1000, 1)} s (${fmt((spans + WARMUP_SPANS) / (drained.wallMs / 1000), 0)} spans/s)`);
    await agent.ask('shutdown');
    return { produced, drained, drainCpu, spoolMb, lost, after };
  } finally {
    await agent.stop();
    rmSync(spoolDir, { recursive: true, force: true });
  }
}
