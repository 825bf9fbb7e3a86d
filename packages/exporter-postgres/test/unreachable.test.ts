import { DeliveryError } from '@mini-agent/core';
import { createTestDatabase, freePort, hasPostgres, recordSpans } from '@mini-agent/test-support';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPostgresSink, migrate, PostgresExporter } from '../src/index.js';
import { exportAsync } from './backends.js';
import { newTraceId, spanRecord } from './records.js';

const PASSWORD = 'hunter2-Secret';

describe('a database that cannot be reached', () => {
  let url: string;
  let masked: string;
  let spans: ReadableSpan[];

  beforeAll(async () => {
    // A port nobody listens on: the connection is refused at once.
    const port = await freePort();
    url = `postgres://agent:${PASSWORD}@127.0.0.1:${port}/observability`;
    masked = `postgres://agent:***@127.0.0.1:${port}/observability`;
    spans = await recordSpans((tracer) => tracer.startSpan('step').end());
  });

  function expectOneLineNamingTheMaskedUrl(error: unknown): asserts error is DeliveryError {
    expect(error).toBeInstanceOf(DeliveryError);
    const { message } = error as DeliveryError;
    expect(message).toBe(message.split('\n')[0]);
    expect(message).toContain(masked);
    expect(message).toContain('ECONNREFUSED');
    expect(message).not.toContain(PASSWORD);
    expect(JSON.stringify({ ...(error as object) })).not.toContain(PASSWORD);
  }

  it('fails the sink\'s readiness with a retryable one-line error naming the masked URL', async () => {
    const sink = createPostgresSink({ databaseUrl: url });
    const error = await sink.ready.catch((e: unknown) => e);
    expectOneLineNamingTheMaskedUrl(error);
    expect(error).toMatchObject({ retryable: true, reason: 'unreachable' });
    expect(error.message).toMatch(/^postgres: cannot reach /);
    expect(sink.target).toBe(masked);
    await sink.shutdown();
  });

  it('rejects each write the same way, trying to connect again each time', async () => {
    const sink = createPostgresSink({ databaseUrl: url, migrate: false });
    for (let attempt = 0; attempt < 2; attempt++) {
      const error = await sink.write([spanRecord(newTraceId())]).catch((e: unknown) => e);
      expectOneLineNamingTheMaskedUrl(error);
      expect(error.retryable).toBe(true);
    }
    await sink.shutdown();
  });

  it('makes export report FAILED through its callback, never throw, when retries are off', async () => {
    const exporter = new PostgresExporter({ databaseUrl: url, delivery: { retries: false } });
    let result: Awaited<ReturnType<typeof exportAsync>> | undefined;
    const done = new Promise<void>((resolve) => {
      expect(() => exporter.export(spans, (r) => ((result = r), resolve()))).not.toThrow();
    });
    await done;
    expect(result?.code).toBe(ExportResultCode.FAILED);
    expectOneLineNamingTheMaskedUrl(result?.error);
    const stats = exporter.stats().sinks.postgres;
    expect(stats?.dropped).toEqual({ failed_without_retry: 2 }); // the span record and its trace record
    expect(stats?.lastError).toContain(masked);
    await exporter.shutdown();
  });

  it('keeps batches for a retry by default, and counts them as dropped if it shuts down still unreachable', async () => {
    const exporter = new PostgresExporter({ databaseUrl: url, flushTimeoutMs: 50 });
    const result = await exportAsync(exporter, spans);
    expect(result.code).toBe(ExportResultCode.SUCCESS); // queued in memory, not lost
    expect(exporter.stats().sinks.postgres).toMatchObject({ healthy: false, queuedRecords: 2 });
    expect(exporter.stats().sinks.postgres?.lastError).not.toContain(PASSWORD);
    await exporter.shutdown();
    expect(exporter.stats().sinks.postgres?.dropped).toEqual({ shutdown: 2 });
  });

  it('names the masked URL when migrate() cannot reach it', async () => {
    const error = await migrate(url).catch((e: unknown) => e);
    expectOneLineNamingTheMaskedUrl(error);
    expect(error.retryable).toBe(true);
  });
});

describe.runIf(hasPostgres())('a server that refuses the connection for good', () => {
  it('reports a database that does not exist as not retryable', async () => {
    const database = await createTestDatabase('exporter_pg');
    await database.drop();
    const sink = createPostgresSink({ databaseUrl: database.url });
    const error = await sink.ready.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ retryable: false, reason: 'sqlstate_3D000' });
    expect((error as Error).message).toContain(database.name);
    await sink.shutdown();
  });
});
