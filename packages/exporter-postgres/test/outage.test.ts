import { ATTR_SPAN_KIND, ATTR_TOOL_NAME } from '@mini-agent/semconv';
import { findPostgresBinaries, recordSpans, startThrowawayPostgres, type ThrowawayPostgres } from '@mini-agent/test-support';
import { ExportResultCode } from '@opentelemetry/core';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, PostgresExporter } from '../src/index.js';
import { exportAsync } from './backends.js';

const binDir = findPostgresBinaries();

// A server of its own: stopping the run's shared server would break the suites running beside this one.
describe.runIf(binDir !== null)('a PostgreSQL server that goes down and comes back', () => {
  let server: ThrowawayPostgres;
  beforeAll(async () => {
    server = await startThrowawayPostgres(binDir as string);
    await migrate(server.url);
  });
  afterAll(() => server?.stop());

  const toolSpans = (name: string) =>
    recordSpans((tracer) => {
      for (let i = 0; i < 3; i++) tracer.startSpan(`${name} ${i}`, { attributes: { [ATTR_SPAN_KIND]: 'tool', [ATTR_TOOL_NAME]: name } }).end();
    });

  async function toolCounts(): Promise<Record<string, number>> {
    const sql = postgres(server.url, { max: 1 });
    try {
      const rows = await sql<{ tool_name: string; n: number }[]>`
        SELECT tool_name, count(*)::int AS n FROM mini_agent_observability.tool_executions GROUP BY 1 ORDER BY 1`;
      return Object.fromEntries(rows.map((r) => [r.tool_name, r.n]));
    } finally {
      await sql.end();
    }
  }

  it('keeps the batches exported during the outage and stores each span once when it is back', async () => {
    const exporter = new PostgresExporter({
      databaseUrl: server.url,
      migrate: false,
      delivery: { retry: { initialDelayMs: 50, maxDelayMs: 500 } },
      flushTimeoutMs: 60_000,
    });
    const before = await toolSpans('before');
    expect((await exportAsync(exporter, before)).code).toBe(ExportResultCode.SUCCESS);

    server.pause();
    const during = await toolSpans('during');
    expect((await exportAsync(exporter, during)).code).toBe(ExportResultCode.SUCCESS); // held for a retry
    const down = exporter.stats().sinks.postgres;
    expect(down?.healthy).toBe(false);
    expect(down?.lastError).toMatch(/^postgres: cannot reach postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres: /);

    server.start();
    await exporter.forceFlush();
    // The batch from before the outage, delivered again, still makes no second row.
    expect((await exportAsync(exporter, before)).code).toBe(ExportResultCode.SUCCESS);
    await exporter.shutdown();

    expect(await toolCounts()).toEqual({ before: 3, during: 3 });
    expect(exporter.stats().sinks.postgres).toMatchObject({ healthy: true, dropped: {}, rejected: {}, queuedRecords: 0 });
  });
});
