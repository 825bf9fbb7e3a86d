// The columns added since the first mapping (session, user, category, cost, tool call ids), the
// score rows, the ON CONFLICT clause of every table and the edges of COPY's binary encoding, read
// back from real rows, on a server (by COPY) and in PGlite (by INSERT). Each test writes with a sink
// of a freshly loaded writer: the sink reports the first fallback from COPY to INSERT of a module
// instance only, and each test checks its own report.
import type { AgentRecord, DecisionRecord, GenerationRecord, MetricRecord, ScoreRecord, TraceRecord } from '@mini-agent/core';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { migrate, type PostgresSink, type PostgresSinkOptions } from '../src/index.js';
import * as encoder from '../src/copy-binary.js';
import { copyBinary, CopyEncodingError } from '../src/copy-binary.js';
import * as tables from '../src/tables.js';
import { BACKENDS, LAYOUT_BACKENDS, layoutOf, type Backend, type Row, type TestDb } from './backends.js';
import { newSpanId, newTraceId, partialTrace, spanRecord, toolRecord } from './records.js';

const SCHEMA = 'mini_agent_observability';
const START = new Date('2026-11-25T10:00:00.000Z');
const END = new Date('2026-11-25T10:00:00.250Z');
/** One millisecond before PostgreSQL's epoch: -1000 microseconds, a negative 64-bit value whose high word is -1. */
const JUST_BEFORE_2000 = '1999-12-31T23:59:59.999Z';
/** The largest whole number a double holds exactly: COPY carries it, to the last digit. */
const MAX_SAFE = 2 ** 53 - 1;

/** The sink's warnings; a batch that fell back from COPY to INSERT is stored right, and only this says so. */
const warnings: string[] = [];
const copyWarnings = (): string[] => warnings.filter((w) => w.includes('COPY'));

/**
 * A sink from a freshly loaded writer: its own first-fallback report. The mappings and the encoder
 * stay the instances loaded above (their column lists are built once, at load): the COPY buffer
 * size each table's last batch left behind carries over.
 */
async function freshSink(options: PostgresSinkOptions): Promise<PostgresSink> {
  vi.resetModules();
  vi.doMock('../src/tables.js', () => tables);
  vi.doMock('../src/copy-binary.js', () => encoder);
  const { createPostgresSink } = await import('../src/index.js');
  expect((await import('../src/tables.js')).TABLES).toBe(tables.TABLES);
  const sink = createPostgresSink({ ...options, migrate: false });
  await sink.ready;
  return sink;
}

/** Writes with a fresh sink, then shuts it down. */
async function writeFresh(db: TestDb, batches: readonly (readonly AgentRecord[])[]): Promise<void> {
  const sink = await freshSink(db.options);
  try {
    for (const batch of batches) await sink.write(batch);
  } finally {
    await sink.shutdown();
  }
}

function generationRecord(traceId: string, overrides: Partial<GenerationRecord> = {}): GenerationRecord {
  return {
    type: 'generation', traceId, spanId: newSpanId(), parentSpanId: null, sessionId: 'sess-g', userId: 'user-g', name: 'chat m',
    model: 'm', provider: 'openai', input: null, output: null,
    usage: { input: 120, output: 30, total: 150, cached: 20, cacheCreation: 0, reasoning: 5 },
    usageByKind: { input: 100, cacheRead: 20, cacheCreation: 0, output: 25, reasoning: 5 },
    costUsd: 0.00123, costDetails: { source: 'test', usd: { total: 0.00123 } }, modelParameters: {}, success: true,
    errorMessage: null, startTime: START, endTime: END, durationMs: 250, completionStartTime: null, toolCallIds: ['call_1', 'call_2'],
    ...overrides,
  };
}

function scoreRecord(traceId: string, overrides: Partial<ScoreRecord> = {}): ScoreRecord {
  const spanId = newSpanId();
  return {
    type: 'score', traceId, spanId, id: `${spanId}:0`, targetSpanId: newSpanId(), sessionId: 'sess-s', name: 'helpfulness',
    dataType: 'numeric', value: 0.75, label: 'good', explanation: 'answered', source: 'evaluation', author: 'judge',
    createdAt: START, metadata: { identifier: 'x' },
    ...overrides,
  };
}

/** One record of every type, each with every column it has filled. */
function fullBatch(traceId: string): {
  records: AgentRecord[]; session: TraceRecord; generation: GenerationRecord; scores: ScoreRecord[]; tool: ReturnType<typeof toolRecord>; span: ReturnType<typeof spanRecord>;
} {
  const session: TraceRecord = { ...partialTrace(traceId), complete: true, name: 'session', sessionId: 'sess-1', userId: 'user-1', resource: { 'service.name': 'edges' } };
  const span = spanRecord(traceId, {
    sessionId: 'sess-1', userId: 'user-1', category: 'db', duplicateOf: newSpanId(), resource: { 'service.name': 'edges' },
  });
  const tool = toolRecord(traceId, { sessionId: 'sess-1', userId: 'user-1', startTime: new Date(JUST_BEFORE_2000) });
  const generation = generationRecord(traceId, { usage: { input: MAX_SAFE, output: 30, total: null, cached: 20, cacheCreation: 0, reasoning: 5 } });
  const decision: DecisionRecord = {
    type: 'decision', traceId, spanId: span.spanId, id: `${span.spanId}:0`, decisionType: 'route', options: ['a', 'b'], chosen: 'b', reasoning: null, decidedAt: START,
  };
  const metric: MetricRecord = {
    type: 'metric', traceId, spanId: span.spanId, id: `${span.spanId}:1`, metricType: 'latency', value: 12.5, unit: 'ms', recordedAt: START, metadata: {},
  };
  // One score carried by a span event, one given directly (the CLI): its record names the trace instead of a span.
  const scores = [scoreRecord(traceId), scoreRecord(traceId, { spanId: traceId, id: 'cli-1', targetSpanId: null, sessionId: null, label: null, author: null })];
  return { records: [session, span, tool, generation, decision, metric, ...scores], session, generation, scores, tool, span };
}

async function one(db: TestDb, text: string, params: (string | number)[]): Promise<Row | undefined> {
  return (await db.query(text, params))[0];
}

/** Rows of each table for one trace, and the resource rows of its spans. */
async function rowCounts(db: TestDb, traceId: string): Promise<Row | undefined> {
  return one(
    db,
    `SELECT
      (SELECT count(*) FROM ${SCHEMA}.traces WHERE id = $1)::int AS traces,
      (SELECT count(*) FROM ${SCHEMA}.spans WHERE trace_id = $1)::int AS spans,
      (SELECT count(*) FROM ${SCHEMA}.tool_executions WHERE trace_id = $1)::int AS tools,
      (SELECT count(*) FROM ${SCHEMA}.generations WHERE trace_id = $1)::int AS generations,
      (SELECT count(*) FROM ${SCHEMA}.decisions WHERE trace_id = $1)::int AS decisions,
      (SELECT count(*) FROM ${SCHEMA}.performance_metrics WHERE trace_id = $1)::int AS metrics,
      (SELECT count(*) FROM ${SCHEMA}.scores WHERE trace_id = $1)::int AS scores,
      (SELECT count(*) FROM ${SCHEMA}.resources r WHERE r.id IN (SELECT resource_id FROM ${SCHEMA}.spans WHERE trace_id = $1))::int AS resources`,
    [traceId],
  );
}

beforeAll(() => {
  diag.setLogger({ error: () => {}, info: () => {}, debug: () => {}, verbose: () => {}, warn: (m) => warnings.push(m) }, DiagLogLevel.WARN);
});
afterAll(() => diag.disable());

/** A fresh database of `backend`, migrated, for one describe. */
function useDb(backend: Backend): () => TestDb {
  let db: TestDb;
  beforeAll(async () => {
    db = await backend.create();
    await migrate(db.target, layoutOf(backend));
  });
  afterAll(async () => {
    await db?.close();
  });
  return () => db;
}

for (const backend of BACKENDS) {
  describe.runIf(backend.available)(`the newer columns and every table's ON CONFLICT in ${backend.name}`, () => {
    const db = useDb(backend);

    it('stores a batch of every table written twice as one row each, the session, user, cost and score columns filled', async () => {
      warnings.length = 0;
      const traceId = newTraceId();
      const { records, generation, scores, tool, span } = fullBatch(traceId);
      await writeFresh(db(), [records, records]);
      expect(await rowCounts(db(), traceId)).toEqual({ traces: 1, spans: 1, tools: 1, generations: 1, decisions: 1, metrics: 1, scores: 2, resources: 1 });

      expect(await one(db(), `SELECT session_id, user_id, category, duplicate_of FROM ${SCHEMA}.spans WHERE span_id = $1`, [span.spanId]))
        .toEqual({ session_id: 'sess-1', user_id: 'user-1', category: 'db', duplicate_of: span.duplicateOf });
      // To the microsecond: -1000 µs, one millisecond before 2000.
      expect(await one(db(), `SELECT session_id, user_id, started_at = $2::timestamptz AS exact FROM ${SCHEMA}.tool_executions WHERE id = $1`, [tool.spanId, JUST_BEFORE_2000]))
        .toEqual({ session_id: 'sess-1', user_id: 'user-1', exact: true });
      expect(
        await one(
          db(),
          `SELECT session_id, user_id, tool_call_ids, input_tokens::text AS input_tokens, total_tokens, uncached_input_tokens::int AS uncached,
             non_reasoning_output_tokens::int AS non_reasoning, cost_usd::float8 AS cost_usd, cost_details FROM ${SCHEMA}.generations WHERE id = $1`,
          [generation.spanId],
        ),
      ).toEqual({
        session_id: 'sess-g', user_id: 'user-g', tool_call_ids: ['call_1', 'call_2'], input_tokens: String(MAX_SAFE), total_tokens: null,
        uncached: 100, non_reasoning: 25, cost_usd: 0.00123, cost_details: { source: 'test', usd: { total: 0.00123 } },
      });

      const stored = await db().query(
        `SELECT id, span_id, carrier_span_id, session_id, name, data_type, value, label, explanation, source, author, metadata, created_at
           FROM ${SCHEMA}.scores WHERE trace_id = $1 ORDER BY id`,
        [traceId],
      );
      const expected = (s: ScoreRecord, carrier: string | null): Row => ({
        id: s.id, span_id: s.targetSpanId, carrier_span_id: carrier, session_id: s.sessionId, name: s.name, data_type: s.dataType, value: s.value,
        label: s.label, explanation: s.explanation, source: s.source, author: s.author, metadata: s.metadata, created_at: s.createdAt,
      });
      const [byEvent, direct] = scores as [ScoreRecord, ScoreRecord];
      expect(stored).toEqual([expected(byEvent, byEvent.spanId), expected(direct, null)].sort((a, b) => String(a.id).localeCompare(String(b.id))));
      expect(copyWarnings()).toEqual([]);
    });

    it('stores records spooled by a version without the newer fields: NULL, and no tool call ids as an empty list', async () => {
      warnings.length = 0;
      const traceId = newTraceId();
      const { sessionId: _s, userId: _u, category: _c, duplicateOf: _d, ...span } = spanRecord(traceId);
      // A text column given a number by another version: its digits, whichever way the batch travels.
      const { sessionId: _ts, userId: _tu, ...tool } = toolRecord(traceId, { callId: 42 as unknown as string });
      const { sessionId: _gs, userId: _gu, toolCallIds: _ids, usageByKind: _k, costUsd: _cost, costDetails: _cd, ...generation } = generationRecord(traceId, {
        usage: { input: 10, output: null, total: null, cached: null, cacheCreation: null, reasoning: null },
      });
      // An unpriced call's details say why: an empty object is stored as one, not as NULL.
      const unpriced = generationRecord(traceId, { costUsd: null, costDetails: {}, toolCallIds: ['x', null as unknown as string], sessionId: null, userId: null });
      await writeFresh(db(), [[partialTrace(traceId), span, tool, generation, unpriced] as AgentRecord[]]);

      expect(await one(db(), `SELECT session_id, user_id, category, duplicate_of FROM ${SCHEMA}.spans WHERE span_id = $1`, [span.spanId]))
        .toEqual({ session_id: null, user_id: null, category: null, duplicate_of: null });
      expect(await one(db(), `SELECT session_id, user_id, call_id FROM ${SCHEMA}.tool_executions WHERE id = $1`, [tool.spanId]))
        .toEqual({ session_id: null, user_id: null, call_id: '42' });
      const columns = `session_id, user_id, cardinality(tool_call_ids) AS ids, array_position(tool_call_ids, NULL) AS null_at, input_tokens::int AS input,
        output_tokens, uncached_input_tokens, non_reasoning_output_tokens, cost_usd, cost_details`;
      expect(await one(db(), `SELECT ${columns} FROM ${SCHEMA}.generations WHERE id = $1`, [generation.spanId])).toEqual({
        session_id: null, user_id: null, ids: 0, null_at: null, input: 10, output_tokens: null, uncached_input_tokens: null,
        non_reasoning_output_tokens: null, cost_usd: null, cost_details: null,
      });
      expect(await one(db(), `SELECT ${columns} FROM ${SCHEMA}.generations WHERE id = $1`, [unpriced.spanId])).toMatchObject({
        session_id: null, user_id: null, ids: 2, null_at: 2, cost_usd: null, cost_details: {},
      });
      expect(copyWarnings()).toEqual([]);
    });

    // COPY's edges: the batches below go by COPY on a server only.
    it.runIf(backend.name === 'PostgreSQL server')('stores a short ASCII text that starts a few bytes before the end of the buffer, and a long jsonb text of three-byte characters, by COPY', async () => {
      warnings.length = 0;
      const traceId = newTraceId();
      // After a batch of one small tool row, the next starts from a 4,096-byte buffer. Its fields before
      // tool_name: the header (19 bytes), the field count (2), id (4 + 16), trace_id (4 + 32),
      // parent_span_id NULL (4), name (4 + 4,005): tool_name's length then starts 6 bytes before
      // the end, too few for it and its text.
      const name = 'n'.repeat(4096 - 85 - 6);
      // JSON of three UTF-8 bytes a character: the buffer sized for one byte a character is cut
      // short, and grown to the exact size the jsonb field (version byte included) needs.
      const arrows = '→'.repeat(20_000);
      const tool = toolRecord(traceId, { name, toolName: 'fetch', parentSpanId: null, output: { arrows } });
      await writeFresh(db(), [[toolRecord(traceId)], [tool]]);
      expect(await one(db(), `SELECT name, tool_name, category, output FROM ${SCHEMA}.tool_executions WHERE id = $1`, [tool.spanId]))
        .toEqual({ name, tool_name: 'fetch', category: 'core', output: { arrows } });
      expect(copyWarnings()).toEqual([]);
    });

    it.runIf(backend.name === 'PostgreSQL server')('stores a time COPY cannot carry exactly (year 9000, to the millisecond) exactly, the INSERT way, and says why', async () => {
      warnings.length = 0;
      const traceId = newTraceId();
      const far = new Date(Date.UTC(9000, 0, 1, 0, 0, 0, 1));
      const tool = toolRecord(traceId, { endTime: far });
      await writeFresh(db(), [[partialTrace(traceId), tool]]);
      expect(await one(db(), `SELECT ended_at = $2::timestamptz AS exact FROM ${SCHEMA}.tool_executions WHERE id = $1`, [tool.spanId, far.toISOString()]))
        .toEqual({ exact: true });
      expect(copyWarnings()).toEqual([expect.stringContaining(`time ${String(far)} is out of range`)]);
    });

    it.runIf(backend.name === 'PostgreSQL server')('stores tags given as text by another version the INSERT way, and says a list was expected', async () => {
      warnings.length = 0;
      const traceId = newTraceId();
      const trace = { ...partialTrace(traceId), complete: true, tags: '{eu,beta}' as unknown as string[] };
      await writeFresh(db(), [[trace]]);
      expect(await one(db(), `SELECT tags FROM ${SCHEMA}.traces WHERE id = $1`, [traceId])).toEqual({ tags: ['eu', 'beta'] });
      expect(copyWarnings()).toEqual([expect.stringContaining('expected a list for a text[] column, got string')]);
    });
  });
}

// ON CONFLICT DO NOTHING names no target: on the partitioned layout the key also holds the time
// column, and a `(trace_id, id)` target would match no unique index there.
const partitionedByDay = LAYOUT_BACKENDS.find((b) => b.partitioned !== undefined)!;
/** By week from two weeks back: fewer partitions than by day, a quicker migration (the rows below fall into one, or the DEFAULT). */
const partitioned: Backend = { ...partitionedByDay, partitioned: { grain: 'week', since: new Date(Date.now() - 14 * 86_400_000) } };
describe.runIf(partitioned.available)("every table's ON CONFLICT on a PostgreSQL server partitioned by week", () => {
  const db = useDb(partitioned);

  it('stores a batch of every table written twice as one row each', async () => {
    const traceId = newTraceId();
    const { records } = fullBatch(traceId);
    await writeFresh(db(), [records, records]);
    expect(await rowCounts(db(), traceId)).toEqual({ traces: 1, spans: 1, tools: 1, generations: 1, decisions: 1, metrics: 1, scores: 2, resources: 1 });
  });
});

describe('the COPY encoder on its own: values no record of the sink holds, the size of the next batch', () => {
  const uuid = '0123456789abcdef0123456789ABCDEF';

  it('takes a UUID with or without dashes, and refuses anything else as a CopyEncodingError naming the value', () => {
    const dashed = `${uuid.slice(0, 8)}-${uuid.slice(8, 12)}-${uuid.slice(12, 16)}-${uuid.slice(16, 20)}-${uuid.slice(20)}`;
    const body = copyBinary([{ id: dashed }, { id: uuid }], { id: 'uuid' });
    // Each tuple: field count, length 16, the 16 bytes.
    const tuples = body.subarray(19, body.length - 2);
    expect(tuples).toEqual(Buffer.concat([0, 1].map(() => Buffer.concat([Buffer.from([0, 1, 0, 0, 0, 16]), Buffer.from(uuid, 'hex')]))));
    for (const bad of [`x${uuid}`, `${uuid}0`, uuid.slice(1), 'not a uuid']) {
      let error: unknown;
      try {
        copyBinary([{ id: bad }], { id: 'uuid' });
      } catch (e) {
        error = e;
      }
      expect(error, bad).toBeInstanceOf(CopyEncodingError);
      expect(error).toMatchObject({ name: 'CopyEncodingError', message: `${bad} is not a UUID` });
    }
  });

  it('refuses a column type it has no encoding for, so the batch goes the INSERT way', () => {
    expect(() => copyBinary([{ price: 1 }], { price: 'numeric' })).toThrow(new CopyEncodingError('no binary COPY encoding for column type numeric'));
    expect(() => copyBinary([{ price: 1 }], { price: 'numeric' })).toThrow(CopyEncodingError);
  });

  it('sizes a batch from the bytes a row of the last one took: a second batch of 100,000 rows is encoded like the first', () => {
    const columns = { n: 'bigint' };
    const rows = Array.from({ length: 100_000 }, (_, i) => ({ n: i }));
    const first = copyBinary(rows, columns);
    expect(first.length).toBe(19 + 100_000 * 14 + 2);
    // Compared as bytes (a deep equality of two megabytes takes seconds).
    expect(copyBinary(rows, columns).equals(first)).toBe(true);
  });

  it('writes a body of no rows as the header and trailer alone, and the next batch of the table as usual', () => {
    const columns = { n: 'bigint' };
    const empty = copyBinary([], columns);
    expect(empty).toEqual(Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8), Buffer.from([0xff, 0xff])]));
    const next = copyBinary([{ n: 1 }], columns);
    expect(next.subarray(19)).toEqual(Buffer.from([0, 1, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0xff]));
  });
});
