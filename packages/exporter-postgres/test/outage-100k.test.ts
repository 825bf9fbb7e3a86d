import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ATTR_SPAN_KIND, ATTR_TOOL_CATEGORY, ATTR_TOOL_INPUT, ATTR_TOOL_NAME } from '@mini-agent/semconv';
import { findPostgresBinaries, startThrowawayPostgres, type ThrowawayPostgres } from '@mini-agent/test-support';
import { context, trace } from '@opentelemetry/api';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, PostgresExporter } from '../src/index.js';

const binDir = findPostgresBinaries();
const SPANS = 100_000;
const SPANS_PER_SESSION = 10;
/** The agent's pace: 100k spans in about 40 s, so the outage falls in the middle of the run. */
const SPANS_PER_SECOND = 2_500;
const OUTAGE_AFTER_SPANS = 20_000;
const OUTAGE_MILLIS = 30_000;
/** A tick's spans at most: well under the BatchSpanProcessor's queue of 20,000 below. */
const MAX_SPANS_A_TICK = 1_000;

// A server of its own: stopping the run's shared server would break the suites running beside this one.
describe.runIf(binDir !== null)('a 30 s PostgreSQL outage in the middle of a 100k-span run', () => {
  let server: ThrowawayPostgres;
  let spoolDir: string;
  beforeAll(async () => {
    server = await startThrowawayPostgres(binDir as string);
    await migrate(server.url);
    spoolDir = mkdtempSync(join(tmpdir(), 'outage-spool-'));
  });
  afterAll(() => {
    server?.stop();
    if (spoolDir) rmSync(spoolDir, { recursive: true, force: true });
  });

  it('every span has exactly one row once the server is back, and the spool drains', async () => {
    const exporter = new PostgresExporter({
      databaseUrl: server.url,
      migrate: false,
      // The configuration `serve` and `demo` use: what cannot be delivered goes to the spool on disk.
      delivery: { spoolDir, retry: { initialDelayMs: 100, maxDelayMs: 2_000 } },
      flushTimeoutMs: 180_000,
    });
    const provider = new BasicTracerProvider({
      spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: 20_000, maxExportBatchSize: 1_000, scheduledDelayMillis: 200 })],
    });
    const tracer = provider.getTracer('outage-agent');
    const ids = new Set<string>();
    const figures = { spoolPeakBytes: 0, drainMillis: 0, outageMillis: 0 };
    const started = Date.now();
    let produced = 0;
    let outage: Promise<void> | undefined;

    while (produced < SPANS) {
      // Keep to the agent's pace: a real agent makes spans over time, not in one burst.
      // At most one burst's worth a tick: an agent starved of CPU (a loaded machine) makes fewer
      // spans, it does not make up for lost time with 20,000 at once, which would overflow the
      // SDK's own BatchSpanProcessor queue before the exporter ever sees them.
      const paced = Math.floor(((Date.now() - started) / 1000) * SPANS_PER_SECOND) + SPANS_PER_SESSION;
      const due = Math.min(SPANS, paced, produced + MAX_SPANS_A_TICK);
      while (produced < due) {
        const session = tracer.startSpan(`session ${produced}`, { attributes: { [ATTR_SPAN_KIND]: 'session' } });
        const parent = trace.setSpan(context.active(), session);
        for (let i = 1; i < SPANS_PER_SESSION; i++) {
          const tool = tracer.startSpan(
            `tool ${i}`,
            { attributes: { [ATTR_SPAN_KIND]: 'tool', [ATTR_TOOL_NAME]: `tool_${i}`, [ATTR_TOOL_CATEGORY]: 'file', [ATTR_TOOL_INPUT]: JSON.stringify({ path: `/src/${produced}/${i}.ts` }) } },
            parent,
          );
          ids.add(tool.spanContext().spanId);
          tool.end();
        }
        ids.add(session.spanContext().spanId);
        session.end();
        produced += SPANS_PER_SESSION;
      }
      if (!outage && produced >= OUTAGE_AFTER_SPANS) {
        outage = (async () => {
          const down = Date.now();
          server.pause();
          await sleep(OUTAGE_MILLIS);
          server.start();
          figures.outageMillis = Date.now() - down;
        })();
      }
      figures.spoolPeakBytes = Math.max(figures.spoolPeakBytes, exporter.stats().sinks.postgres?.spoolBytes ?? 0);
      await sleep(50);
    }
    await outage;
    const back = Date.now();
    await provider.forceFlush();
    await exporter.forceFlush();
    figures.drainMillis = Date.now() - back;
    const stats = exporter.stats();
    await provider.shutdown();

    const sql = postgres(server.url, { max: 1, onnotice: () => {} });
    try {
      const rows = await sql<{ span_id: string }[]>`SELECT span_id FROM mini_agent_observability.spans`;
      const stored = new Set(rows.map((r) => r.span_id));
      const lost = [...ids].filter((id) => !stored.has(id)).length;
      const [tools] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM mini_agent_observability.tool_executions`;
      console.log(
        `[reliability] postgres outage: ${ids.size} spans, ${rows.length} span rows, lost ${lost}; ` +
          `outage ${figures.outageMillis} ms; ${stats.sinks.postgres?.spooled} records spooled (peak ${figures.spoolPeakBytes} bytes), ` +
          `${stats.sinks.postgres?.replayed} replayed; drained ${figures.drainMillis} ms after the server came back`,
      );
      expect(ids.size).toBe(SPANS);
      expect(stats.spans).toMatchObject({ received: SPANS, interpreted: SPANS, rejected: 0 });
      // No span lost, and not one row more than the spans made: the rows are exactly these spans.
      // (Two rows for one span id cannot happen at all, the id being the primary key.)
      expect(lost).toBe(0);
      expect(rows.length).toBe(SPANS);
      expect(tools?.n).toBe(SPANS - SPANS / SPANS_PER_SESSION);
      expect(stats.sinks.postgres).toMatchObject({ dropped: {}, rejected: {}, spoolBytes: 0, healthy: true });
      // The outage really happened mid-run: batches went to the spool and came back from it.
      expect(stats.sinks.postgres?.spooled).toBeGreaterThan(0);
      expect(stats.sinks.postgres?.replayed).toBe(stats.sinks.postgres?.spooled);
    } finally {
      await sql.end();
    }
  }, 300_000);
});
