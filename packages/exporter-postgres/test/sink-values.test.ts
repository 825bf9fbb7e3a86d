import { DeliveryError, type GenerationRecord, type MetricRecord } from '@mini-agent/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import { createPostgresSink, migrate, type PostgresSink, type PostgresSinkOptions } from '../src/index.js';
import { BACKENDS, countRows, type Backend, type TestDb } from './backends.js';
import { newSpanId, newTraceId, partialTrace, spanRecord, toolRecord } from './records.js';
import { startStatementNamesProxy } from './statement-names-proxy.js';

/** Sink options for `db` through a watch that counts the statements sent to it. */
async function watchStatements(db: TestDb, kind: Backend['name']): Promise<{ options: PostgresSinkOptions; statements(): number; close(): Promise<void> }> {
  if (kind === 'PostgreSQL server') {
    const proxy = await startStatementNamesProxy(db.target as string);
    return { options: { databaseUrl: proxy.url }, statements: proxy.statements, close: () => proxy.close() };
  }
  // PGlite runs in this process: count the calls that send SQL to it.
  const pglite = db.target as PGlite;
  let statements = 0;
  const counted = new Set<PropertyKey>(['query', 'exec', 'transaction', 'sql']);
  const watched = new Proxy(pglite, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (counted.has(key)) statements += 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { options: { pglite: watched }, statements: () => statements, close: async () => {} };
}

for (const backend of BACKENDS) {
  describe.runIf(backend.available)(`values as the sink stores them in ${backend.name}`, () => {
    let db: TestDb;
    let sink: PostgresSink;
    const toolRow = async (id: string) =>
      (await db.query('SELECT *, jsonb_typeof(input) AS input_type, jsonb_typeof(output) AS output_type FROM mini_agent_observability.tool_executions WHERE id = $1', [id]))[0];

    beforeAll(async () => {
      db = await backend.create();
      await migrate(db.target);
      sink = createPostgresSink({ ...db.options, migrate: false });
      await sink.ready;
    });
    afterAll(async () => {
      await sink.shutdown();
      await db.close();
    });

    it('stores a tool input that is not JSON as a jsonb string, not as an error', async () => {
      const tool = toolRecord(newTraceId(), { input: 'rm -rf {not json', output: '{"looks":"like JSON"}' });
      await sink.write([tool]);
      expect(await toolRow(tool.spanId)).toMatchObject({
        input: 'rm -rf {not json', input_type: 'string',
        // A string stays a string: the sink neither parses nor encodes it twice.
        output: '{"looks":"like JSON"}', output_type: 'string',
      });
    });

    it('stores objects, arrays, numbers, booleans and text with quotes, backslashes and emoji exactly', async () => {
      const input = { path: 'C:\\temp\\"quoted".txt', tags: ['a', 'b'], n: 1.5, big: 2 ** 53 - 1, ok: true, none: null, emoji: 'déjà vu 🚀\u2028' };
      const tool = toolRecord(newTraceId(), { input, output: [1, 'two', { three: 3 }], errorMessage: "it's \"fine\"" });
      await sink.write([tool]);
      expect(await toolRow(tool.spanId)).toMatchObject({ input, input_type: 'object', output: [1, 'two', { three: 3 }], error_message: "it's \"fine\"" });
    });

    it('stores a 5 MB JSON value', async () => {
      const big = { chunks: Array.from({ length: 5 * 1024 }, (_, i) => `${i}:${'x'.repeat(1020)}`) };
      const tool = toolRecord(newTraceId(), { output: big });
      await sink.write([tool]);
      const [row] = await db.query('SELECT output FROM mini_agent_observability.tool_executions WHERE id = $1', [tool.spanId]);
      expect(JSON.stringify(big).length).toBeGreaterThan(5 * 1024 * 1024);
      expect(row?.output).toEqual(big);
    });

    it('stores a metric without a usable value as NULL, and rounds fractional token counts', async () => {
      const traceId = newTraceId();
      const spanId = newSpanId();
      const metric: MetricRecord = {
        type: 'metric', traceId, spanId, id: `${spanId}:0`, metricType: 'cpu', value: null, unit: 'percent',
        recordedAt: new Date(), metadata: { invalid_value: 'NaN' },
      };
      const generation: GenerationRecord = {
        type: 'generation', traceId, spanId, parentSpanId: null, name: 'chat', model: null, provider: null, input: null,
        output: null, usage: { input: 10.6, output: 2, total: null, cached: null, cacheCreation: null, reasoning: null }, modelParameters: {},
        success: true, errorMessage: null, startTime: new Date(), endTime: new Date(), durationMs: 0, completionStartTime: null,
      };
      await sink.write([metric, generation]);
      const [m] = await db.query('SELECT metric_value, metadata FROM mini_agent_observability.performance_metrics WHERE id = $1', [metric.id]);
      expect(m).toEqual({ metric_value: null, metadata: { invalid_value: 'NaN' } });
      const [g] = await db.query('SELECT input_tokens::int AS input_tokens, output_tokens::int AS output_tokens FROM mini_agent_observability.generations WHERE id = $1', [spanId]);
      expect(g).toEqual({ input_tokens: 11, output_tokens: 2 });
    });

    it('refuses a batch the database rejects, as not retryable, and stores none of it', async () => {
      const traceId = newTraceId();
      const good = toolRecord(traceId);
      const broken = toolRecord(traceId, { startTime: new Date(Number.NaN) }); // NULL into a NOT NULL column
      const error = await sink.write([partialTrace(traceId), spanRecord(traceId), good, broken]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DeliveryError);
      expect(error).toMatchObject({ retryable: false, reason: 'sqlstate_23502' });
      expect((error as Error).message).toMatch(/^postgres: could not write to .*started_at/);
      expect((error as Error).message).not.toContain('\n');
      // One transaction per batch: the trace, span and good tool rows were rolled back with it.
      expect(await countRows(db, traceId)).toMatchObject({ traces: 0, spans: 0, tool_executions: 0 });
    });

    it('stores text with tabs, line breaks and backslashes, and tags with quotes, commas and braces, exactly', async () => {
      const traceId = newTraceId();
      const message = 'line 1\n\tline 2\r\nC:\\temp\\x.txt \\N {braces}';
      const tags = ['a,b', 'say "hi"', 'back\\slash', '{curly}', '', 'NULL', 'tab\there'];
      const trace = { ...partialTrace(traceId), complete: true, name: message, tags };
      const tool = toolRecord(traceId, { success: false, errorMessage: message, input: message });
      await sink.write([trace, tool]);
      const [t] = await db.query('SELECT name, tags FROM mini_agent_observability.traces WHERE id = $1', [traceId]);
      expect(t).toEqual({ name: message, tags });
      expect(await toolRow(tool.spanId)).toMatchObject({ error_message: message, input: message, input_type: 'string' });
    });

    it('refuses a value jsonb cannot hold (a NUL escape) with the database reason, however the batch travelled', async () => {
      // interpret() replaces NUL characters; a sink handed records directly can still meet one.
      const traceId = newTraceId();
      const tool = toolRecord(traceId, { input: { text: 'before\u0000after' } });
      const error = await sink.write([partialTrace(traceId), spanRecord(traceId), tool]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DeliveryError);
      expect(error).toMatchObject({ retryable: false, reason: 'sqlstate_22P05' });
      expect(await countRows(db, traceId)).toMatchObject({ traces: 0, spans: 0, tool_executions: 0 });
      // The sink is not stuck: the next batch is stored.
      const next = toolRecord(traceId);
      await sink.write([partialTrace(traceId), next]);
      expect(await countRows(db, traceId)).toMatchObject({ traces: 1, tool_executions: 1 });
    });

    it('accepts an empty batch without touching the database', async () => {
      const watched = await watchStatements(db, backend.name);
      const watchedSink = createPostgresSink({ ...watched.options, migrate: false });
      try {
        await watchedSink.ready;
        const before = watched.statements();
        await expect(watchedSink.write([])).resolves.toBeUndefined();
        expect(watched.statements()).toBe(before);
        // The control: a batch with a record does reach the database through the same watch.
        await watchedSink.write([toolRecord(newTraceId())]);
        expect(watched.statements()).toBeGreaterThan(before);
      } finally {
        await watchedSink.shutdown();
        await watched.close();
      }
    });
  });
}
