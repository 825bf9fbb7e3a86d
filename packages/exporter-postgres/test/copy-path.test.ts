import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresSink, migrate, type PostgresSink } from '../src/index.js';
import { BACKENDS, countRows, type TestDb } from './backends.js';
import { newTraceId, partialTrace, spanRecord, toolRecord } from './records.js';

const server = BACKENDS.find((b) => b.name === 'PostgreSQL server')!;

describe.runIf(server.available)('on a PostgreSQL server, batches travel by COPY', () => {
  let db: TestDb;
  let sink: PostgresSink;
  const warnings: string[] = [];

  beforeAll(async () => {
    const logger: DiagLogger = {
      error: () => {}, info: () => {}, debug: () => {}, verbose: () => {},
      warn: (message) => warnings.push(message),
    };
    diag.setLogger(logger, DiagLogLevel.WARN);
    db = await server.create();
    await migrate(db.target);
    sink = createPostgresSink({ ...db.options, migrate: false });
    await sink.ready;
  });
  afterAll(async () => {
    diag.disable();
    await sink.shutdown();
    await db.close();
  });

  it('stores what COPY must escape without falling back to INSERT, through staging tables of the session only', async () => {
    const traceId = newTraceId();
    const text = 'tab\there, line\nbreak, back\\slash, \\N, "quoted", emoji 🚀';
    const trace = { ...partialTrace(traceId), complete: true, name: text, tags: ['a,b', '{x}', 'q"uote'], userContext: { note: text } };
    const span = spanRecord(traceId, { attributes: { 'mini_agent.tool.input': JSON.stringify({ text }), count: 3, ok: true } });
    const tool = toolRecord(traceId, { input: { text }, output: text, errorMessage: text, success: false });
    await sink.write([trace, span, tool]);

    expect(await countRows(db, traceId)).toMatchObject({ traces: 1, spans: 1, tool_executions: 1 });
    const [t] = await db.query('SELECT name, tags, user_context FROM mini_agent_observability.traces WHERE id = $1', [traceId]);
    expect(t).toEqual({ name: text, tags: ['a,b', '{x}', 'q"uote'], user_context: { note: text } });
    const [s] = await db.query('SELECT attributes FROM mini_agent_observability.spans WHERE span_id = $1', [span.spanId]);
    expect(s?.attributes).toEqual(span.attributes);
    const [row] = await db.query('SELECT input, output, error_message FROM mini_agent_observability.tool_executions WHERE id = $1', [tool.spanId]);
    expect(row).toEqual({ input: { text }, output: text, error_message: text });
    expect(warnings.filter((w) => w.includes('COPY'))).toEqual([]);

    // The staging tables are temporary: nothing was added to the schema.
    const tables = await db.query(
      `SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relname LIKE 'mini_agent_stage_%' AND n.nspname NOT LIKE 'pg_temp%'`,
    );
    expect(tables[0]).toEqual({ n: 0 });
  });

  it('stores long text of multi-byte characters whole (three and four UTF-8 bytes a character)', async () => {
    const traceId = newTraceId();
    const text = 'déjà vu → 🚀 '.repeat(5_000);
    const tool = toolRecord(traceId, { errorMessage: text, output: { text }, success: false });
    await sink.write([partialTrace(traceId), tool]);
    const [row] = await db.query('SELECT output, error_message FROM mini_agent_observability.tool_executions WHERE id = $1', [tool.spanId]);
    expect(row).toEqual({ output: { text }, error_message: text });
    expect(warnings.filter((w) => w.includes('COPY'))).toEqual([]);
  });

  it('stores short text whole whether or not it is ASCII: a multi-byte character first, last or alone', async () => {
    // Short strings take the encoder's ASCII copy and fall back to UTF-8 at their first other character.
    const short = ['é', 'café', '🚀', 'ab🚀', 'x'.repeat(47) + 'é', 'plain ascii', ''];
    for (const text of short) {
      const traceId = newTraceId();
      const trace = { ...partialTrace(traceId), complete: true, name: text, tags: [text, 'ok'] };
      const tool = toolRecord(traceId, { errorMessage: text, output: { text }, success: false });
      await sink.write([trace, tool]);
      const [t] = await db.query('SELECT name, tags FROM mini_agent_observability.traces WHERE id = $1', [traceId]);
      expect(t).toEqual({ name: text, tags: [text, 'ok'] });
      const [row] = await db.query('SELECT output, error_message FROM mini_agent_observability.tool_executions WHERE id = $1', [tool.spanId]);
      expect(row).toEqual({ output: { text }, error_message: text });
    }
    expect(warnings.filter((w) => w.includes('COPY'))).toEqual([]);
  });

  it('writes the same span twice as one row, however many batches carry it', async () => {
    const traceId = newTraceId();
    const tool = toolRecord(traceId);
    await sink.write([partialTrace(traceId), tool]);
    await sink.write([partialTrace(traceId), tool, toolRecord(traceId)]);
    expect(await countRows(db, traceId)).toMatchObject({ traces: 1, tool_executions: 2 });
    expect(warnings.filter((w) => w.includes('COPY'))).toEqual([]);
  });
});
