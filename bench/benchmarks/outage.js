// 5. Memory under outage: an agent (its own process) produces 1M spans while both sinks are
// unreachable, with the durable spool on. Its peak RSS must stay under 256 MB (the rest waits on
// disk); then the sinks come back and the time to drain the spool is measured, and the rows counted.
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
const WARMUP_SPANS = 2_000;
const RSS_TARGET_MB = 256;

const receivers = await startChild('receivers');
const database = await createDatabase('outage');
const admin = connectDriver(database.url);
const pgUrl = new URL(database.url);
const pgProxy = await startTcpProxy({ host: pgUrl.hostname, port: Number(pgUrl.port || 5432) });
const lfUrl = new URL(receivers.info.langfuseLiteUrl);
const lfProxy = await startTcpProxy({ host: lfUrl.hostname, port: Number(lfUrl.port) });
const spoolDir = mkdtempSync(join(tmpdir(), 'mini-agent-bench-spool-'));

const proxiedPg = new URL(database.url);
proxiedPg.host = `127.0.0.1:${pgProxy.port}`;
const agent = await startChild('agent', {
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
progress(NAME, `agent ready (RSS ${fmt(agent.info.rssMb, 0)} MB); ${WARMUP_SPANS} spans with the sinks up first`);
await agent.ask({ produce: WARMUP_SPANS });
await agent.ask('drain');

progress(NAME, `sinks down; producing ${SPANS.toLocaleString('en-US')} spans`);
pgProxy.down();
lfProxy.down();
const produced = await agent.ask({ produce: SPANS });
const during = await agent.ask('stats');
const spoolMb = Object.fromEntries(Object.entries(during.sinks).map(([name, s]) => [name, s.spoolBytes / 1024 ** 2]));
const lost = Object.values(during.sinks).reduce((n, s) => n + Object.values(s.dropped).reduce((a, b) => a + b, 0), 0);
progress(
  NAME,
  `produced in ${fmt(produced.wallMs / 1000, 1)} s (${fmt((produced.cpuMs * 1000) / SPANS)} µs CPU a span); peak RSS ${fmt(produced.maxRssMb, 0)} MB; ` +
    `peak heap ${fmt(produced.peakMemoryMb.heapUsed, 0)} MB used of ${fmt(produced.peakMemoryMb.heapTotal, 0)} MB, external ${fmt(produced.peakMemoryMb.external, 0)} MB; ` +
    `spooled ${Object.entries(spoolMb).map(([n, mb]) => `${n} ${fmt(mb, 0)} MB`).join(', ')}; records dropped ${lost}`,
);

progress(NAME, 'sinks up; draining');
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
const drained = await draining;
clearInterval(watch);
const receivers1 = await receivers.ask('stats');
const server1 = await backendCpuMs(admin, database.name);
const drainCpu = {
  agentMs: drained.cpuMs,
  langfuseTestServerMs: receivers1.cpuMs - receivers0.cpuMs,
  postgresBackendsMs: server0 === null || server1 === null ? null : server1 - server0,
};
const after = await agent.ask('stats');
await agent.ask('shutdown');
const rows = await countRows(admin);
const langfuseSpans = (await receivers.ask('stats')).langfuseSpans;
progress(NAME, `drain CPU: agent ${fmt(drainCpu.agentMs / 1000, 1)} s, Langfuse test server ${fmt(drainCpu.langfuseTestServerMs / 1000, 1)} s, PostgreSQL backends ${drainCpu.postgresBackendsMs === null ? 'n/a' : `${fmt(drainCpu.postgresBackendsMs / 1000, 1)} s`}`);
progress(NAME, `drained in ${fmt(drained.wallMs / 1000, 1)} s (${fmt((SPANS + WARMUP_SPANS) / (drained.wallMs / 1000), 0)} spans/s); ${rows.spans.toLocaleString('en-US')} span rows, ${langfuseSpans.toLocaleString('en-US')} spans at Langfuse`);
if (rows.spans !== SPANS + WARMUP_SPANS) throw new Error(`expected ${SPANS + WARMUP_SPANS} span rows, found ${rows.spans}`);

await admin.end();
await pgProxy.close();
await lfProxy.close();
await receivers.stop();
await database.drop();
rmSync(spoolDir, { recursive: true, force: true });

writeResult(NAME, {
  title: `Memory under outage: ${SPANS.toLocaleString('en-US')} spans produced while both sinks are down (spool on)`,
  spans: SPANS,
  produced,
  spoolMb,
  droppedRecords: lost,
  drain: drained,
  drainCpu,
  rows,
  langfuseSpans,
  deliveryStats: after.sinks,
  ratios: [
    { label: `peak RSS while ${fmt(SPANS / 1e6, 1)}M spans are produced`, value: produced.maxRssMb, target: RSS_TARGET_MB, better: 'lower', unit: 'MB' },
  ],
  notes: [
    `time to drain after recovery: ${fmt(drained.wallMs / 1000, 1)} s (${fmt((SPANS + WARMUP_SPANS) / (drained.wallMs / 1000), 0)} spans/s into both sinks)`,
    `spool ${fmt(Object.values(spoolMb).reduce((a, b) => a + b, 0) / SPANS * 1024, 2)} KB a span over both sinks; ${rows.total.toLocaleString('en-US')} rows stored after the drain; ${SPANS_PER_TRACE} spans a trace`,
  ],
});
