// Every field of every record type in its column, whichever way the batch travelled: COPY's
// binary format on a server, the INSERT on PGlite and, on a server, the INSERT a batch falls back
// to when COPY cannot carry one of its values. The records come from real SDK spans through
// interpret(); the expected rows are read off the records, field by field.
import { interpret, type AgentRecord, type GenerationRecord, type SpanRecord, type TraceRecord } from '@mini-agent/core';
import * as sc from '@mini-agent/semconv';
import { GenAiAttributes as G } from '@mini-agent/semconv';
import { recordSpans } from '@mini-agent/test-support';
import { diag, DiagLogLevel, SpanStatusCode } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, useSinkSuite, type Row, type TestDb } from './backends.js';

const SCHEMA = 'mini_agent_observability';
/** Before PostgreSQL's epoch (2000-01-01): a negative count of microseconds in COPY's binary form. */
const BEFORE_2000 = new Date('1999-12-31T23:59:58.125Z');
const LATER = new Date('2026-11-25T10:00:00.750Z');

/**
 * One session of an agent: a tool call that failed, an LLM call with token counts past 2^32, a
 * decision and a metric recorded as events; every field the tables have is given a value.
 */
async function agentRecords(): Promise<AgentRecord[]> {
  const spans = await recordSpans(
    (tracer) =>
      tracer.startActiveSpan('support run', { startTime: BEFORE_2000 }, (session) => {
        session.setAttributes({
          [sc.ATTR_SPAN_KIND]: 'session', [sc.ATTR_SESSION_ID]: 'sess-1', [sc.ATTR_USER_ID]: 'user-1',
          [sc.ATTR_AGENT_NAME]: 'support-agent', [sc.ATTR_AGENT_VERSION]: '3.1.4', [sc.ATTR_USER_CONTEXT]: JSON.stringify({ plan: 'pro' }),
          [sc.ATTR_SESSION_INPUT]: JSON.stringify({ question: 'where?' }), [sc.ATTR_SESSION_OUTPUT]: 'here',
          [sc.ATTR_SESSION_TAGS]: ['eu', 'beta'], 'app.region': 'eu-west',
        });
        tracer.startActiveSpan('execute_tool search', { startTime: BEFORE_2000 }, (tool) => {
          tool.setAttributes({
            [sc.ATTR_SPAN_KIND]: 'tool', [sc.ATTR_TOOL_NAME]: 'search', [sc.ATTR_TOOL_CATEGORY]: 'search',
            [sc.ATTR_TOOL_INPUT]: JSON.stringify({ q: 'déjà vu 🚀' }), [sc.ATTR_TOOL_OUTPUT]: 'no hits',
          });
          tool.addEvent(sc.EVENT_METRIC, { [sc.ATTR_METRIC_TYPE]: 'latency', [sc.ATTR_METRIC_VALUE]: 12.5, [sc.ATTR_METRIC_UNIT]: 'ms' });
          tool.setStatus({ code: SpanStatusCode.ERROR, message: 'index offline' });
          tool.end(new Date(BEFORE_2000.getTime() + 1500));
        });
        tracer.startActiveSpan('chat big-model', { startTime: LATER }, (llm) => {
          llm.setAttributes({
            [G.OPERATION_NAME]: 'chat', [G.PROVIDER_NAME]: 'openai', [G.REQUEST_MODEL]: 'big-model', [G.RESPONSE_MODEL]: 'big-model-1',
            [G.REQUEST_TEMPERATURE]: 0.5, [G.USAGE_INPUT_TOKENS]: 5_000_000_123, [G.USAGE_OUTPUT_TOKENS]: 4_294_967_297,
            [G.USAGE_CACHE_READ_INPUT_TOKENS]: 7, [G.USAGE_CACHE_CREATION_INPUT_TOKENS]: 3, [G.USAGE_REASONING_OUTPUT_TOKENS]: 11,
            [G.INPUT_MESSAGES]: JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }]),
          });
          llm.end(new Date(LATER.getTime() + 250));
        });
        tracer.startActiveSpan('plan', { startTime: LATER }, (step) => {
          step.addEvent(sc.EVENT_DECISION, {
            [sc.ATTR_DECISION_TYPE]: 'route', [sc.ATTR_DECISION_OPTIONS]: JSON.stringify(['a', 'b']),
            [sc.ATTR_DECISION_CHOSEN]: 'b', [sc.ATTR_DECISION_REASONING]: 'b is cheaper',
          });
          step.end(LATER);
        });
        session.setStatus({ code: SpanStatusCode.OK });
        session.end(new Date(LATER.getTime() + 1000));
      }),
    { 'service.name': 'support-agent', 'deployment.environment.name': 'staging' },
  );
  const records = spans.flatMap((span) => interpret(span));
  // Every table is filled, so every mapping is checked.
  expect(new Set(records.map((r) => r.type))).toEqual(new Set(['trace', 'span', 'tool', 'generation', 'decision', 'metric']));
  return records;
}

/** The table row of a record, as the database hands it back. */
async function rowOf(db: TestDb, record: AgentRecord): Promise<Row | undefined> {
  const [table, key, id] =
    record.type === 'trace' ? ['traces', 'id', record.traceId]
      : record.type === 'span' ? ['spans', 'span_id', record.spanId]
        : record.type === 'tool' ? ['tool_executions', 'id', record.spanId]
          : record.type === 'generation' ? ['generations', 'id', record.spanId]
            : record.type === 'decision' ? ['decisions', 'id', record.id]
              : ['performance_metrics', 'id', record.id];
  // A span's resource is a row of `resources` (each resource once): read back through its key; its
  // events as sent through spans_full (a metric or decision event its row holds is stored there only).
  const [row] = await db.query(
    table === 'spans'
      ? `SELECT s.*, r.attributes AS resource_attributes, f.events AS events_as_sent, f.attributes AS attributes_as_sent FROM ${SCHEMA}.spans s
           LEFT JOIN ${SCHEMA}.resources r ON r.id = s.resource_id
           JOIN ${SCHEMA}.spans_full f ON f.trace_id = s.trace_id AND f.span_id = s.span_id WHERE s.span_id = $1`
      : `SELECT * FROM ${SCHEMA}.${table} WHERE ${key} = $1`,
    [id],
  );
  // bigint columns: numbers, whichever driver read them (postgres.js hands them over as text).
  if (row) for (const column of Object.keys(row)) if (column.endsWith('_tokens') && typeof row[column] === 'string') row[column] = Number(row[column]);
  return row;
}

const count = (n: number | null) => (n === null ? null : Math.round(n));

/** The span's attributes less its payloads, which its typed row stores (the batches here always carry that row). */
function withoutPayloads(attributes: Row, record: SpanRecord): Row {
  const moved = new Set(Object.values(record.payloadKeys ?? {}));
  return Object.fromEntries(Object.entries(attributes).filter(([key]) => !moved.has(key)));
}

/**
 * A span's attributes: `spans.attributes` keeps only attributes as sent (payloads and values a
 * column holds are left out, 044 and 098), and spans_full gives every one back, the payloads as
 * their typed rows hold them (JSON text parsed), every other value exactly.
 */
function expectAttributes(row: Row, record: SpanRecord): void {
  for (const [key, value] of Object.entries(row.attributes as Row)) expect(record.attributes[key], key).toEqual(value);
  const sent = row.attributes_as_sent as Row;
  expect(Object.keys(sent).sort()).toEqual(Object.keys(record.attributes).sort());
  expect(withoutPayloads(sent, record)).toEqual(withoutPayloads(record.attributes, record));
}

/** What the row of `record` must hold, column by column. */
function expectedRow(record: AgentRecord, session: TraceRecord): Row {
  switch (record.type) {
    case 'trace':
      return {
        id: session.traceId, session_id: session.sessionId, agent_name: session.agentName, agent_version: session.agentVersion,
        user_id: session.userId, user_context: session.userContext, name: session.name, status: session.status,
        status_message: session.statusMessage, started_at: session.startTime, ended_at: session.endTime, input: session.input,
        output: session.output, tags: session.tags, environment: session.environment, complete: true,
        attributes: session.attributes, resource: session.resource, defined_by: 'session',
      };
    case 'span':
      return {
        span_id: record.spanId, trace_id: record.traceId, parent_span_id: record.parentSpanId, name: record.name, kind: record.kind,
        otel_kind: record.otelKind, status: record.status, status_message: record.statusMessage, started_at: record.startTime,
        // Attributes: see expectAttributes.
        ended_at: record.endTime, duration_ms: record.durationMs,
        events_as_sent: JSON.parse(JSON.stringify(record.events)), links: record.links, resource: null, resource_attributes: record.resource,
        scope_name: record.scope.name, scope_version: record.scope.version,
      };
    case 'tool':
      return {
        id: record.spanId, trace_id: record.traceId, parent_span_id: record.parentSpanId, name: record.name, tool_name: record.toolName,
        category: record.category, input: record.input, output: record.output, success: record.success,
        error_message: record.errorMessage, started_at: record.startTime, ended_at: record.endTime, duration_ms: record.durationMs,
        metadata: record.metadata, call_id: record.callId, tool_type: record.toolType,
      };
    case 'generation':
      return {
        id: record.spanId, trace_id: record.traceId, parent_span_id: record.parentSpanId, name: record.name, model: record.model,
        provider: record.provider, input: record.input, output: record.output, input_tokens: count(record.usage.input),
        output_tokens: count(record.usage.output), total_tokens: count(record.usage.total), cached_tokens: count(record.usage.cached),
        reasoning_tokens: count(record.usage.reasoning), cache_creation_tokens: count(record.usage.cacheCreation),
        model_parameters: record.modelParameters, success: record.success, error_message: record.errorMessage,
        started_at: record.startTime, ended_at: record.endTime, duration_ms: record.durationMs, completion_start_time: record.completionStartTime,
      };
    case 'decision':
      return {
        id: record.id, trace_id: record.traceId, span_id: record.spanId, decision_type: record.decisionType,
        considered_options: record.options, chosen: record.chosen, reasoning: record.reasoning, decided_at: record.decidedAt,
      };
    case 'metric':
      return {
        id: record.id, trace_id: record.traceId, span_id: record.spanId, metric_type: record.metricType, metric_value: record.value,
        unit: record.unit, recorded_at: record.recordedAt, metadata: record.metadata,
      };
  }
}

/** Checks every record's row, every column the mapping writes (the tables may hold more). */
async function expectStored(db: TestDb, records: readonly AgentRecord[]): Promise<void> {
  const session = records.find((r): r is TraceRecord => r.type === 'trace' && r.complete);
  if (!session) throw new Error('no session record');
  for (const record of records) {
    if (record.type === 'trace' && record !== session) continue; // merged into the session's row
    const row = await rowOf(db, record);
    expect(row, `${record.type} ${record.spanId}`).toMatchObject(expectedRow(record, session));
    if (record.type === 'span') expectAttributes(row!, record);
  }
}

for (const backend of BACKENDS) {
  describe.runIf(backend.available)(`every column as the sink writes it in ${backend.name}`, () => {
    const suite = useSinkSuite(backend);
    /** The sink's warnings: a batch that fell back from COPY to INSERT is stored right, and only this says so. */
    const warnings: string[] = [];
    beforeAll(() => {
      diag.setLogger({ error: () => {}, info: () => {}, debug: () => {}, verbose: () => {}, warn: (m) => warnings.push(m) }, DiagLogLevel.WARN);
    });
    afterAll(() => diag.disable());

    it('stores every field of every record in its column: times before 2000, counts past 2^32, false and null', async () => {
      const records = await agentRecords();
      const generation = records.find((r): r is GenerationRecord => r.type === 'generation')!;
      expect(generation.usage).toMatchObject({ input: 5_000_000_123, output: 4_294_967_297 });
      await suite.sink().write(records);
      await expectStored(suite.db(), records);
      const tool = records.find((r) => r.type === 'tool')!;
      expect(await rowOf(suite.db(), tool)).toMatchObject({ success: false, started_at: BEFORE_2000 });
      // On a server all of it went by COPY (the first fallback of a process is reported; this is the file's first write).
      expect(warnings.filter((w) => w.includes('COPY'))).toEqual([]);
    });

    it('stores an invalid time and non-finite numbers as NULL, a fractional count rounded, an empty tag list as empty, a null tag as NULL', async () => {
      const records = await agentRecords();
      const changed = records.map((r) => {
        if (r.type === 'generation') return { ...r, completionStartTime: new Date(Number.NaN), usage: { ...r.usage, cached: Number.POSITIVE_INFINITY, reasoning: 10.5, total: null } };
        if (r.type === 'metric') return { ...r, value: Number.NaN };
        if (r.type === 'trace' && r.complete) return { ...r, tags: [] };
        return r;
      });
      await suite.sink().write(changed);
      const generation = changed.find((r) => r.type === 'generation')!;
      // A fractional count is rounded: bigint would refuse it and fail the batch.
      expect(await rowOf(suite.db(), generation)).toMatchObject({ completion_start_time: null, cached_tokens: null, reasoning_tokens: 11, total_tokens: null });
      expect(await rowOf(suite.db(), changed.find((r) => r.type === 'metric')!)).toMatchObject({ metric_value: null });
      expect(await rowOf(suite.db(), changed.find((r) => r.type === 'trace')!)).toMatchObject({ tags: [] });

      // A spool written by an older version lacks the fields added since: they are NULL.
      const tool = (await agentRecords()).find((r) => r.type === 'tool')!;
      const { callId: _callId, toolType: _toolType, ...older } = tool;
      await suite.sink().write([older as AgentRecord]);
      expect(await rowOf(suite.db(), tool)).toMatchObject({ call_id: null, tool_type: null });

      // A spool written by another version can hold what today's types do not allow.
      const [other] = (await agentRecords()).filter((r) => r.type === 'trace' && r.complete) as TraceRecord[];
      await suite.sink().write([{ ...other!, tags: ['a', null as unknown as string, 'b'] }]);
      // Asked of the database: postgres.js reads a NULL inside an array back as the text 'NULL'.
      const [t] = await suite.db().query(`SELECT array_position(tags, NULL) AS null_at, array_to_string(tags, ',', '*') AS tags FROM ${SCHEMA}.traces WHERE id = $1`, [other!.traceId]);
      expect(t).toEqual({ null_at: 2, tags: 'a,*,b' });
      // All of it by COPY: NULL is COPY's own, not the INSERT's.
      expect(warnings.filter((w) => w.includes('COPY'))).toEqual([]);
    });

    it('stores rows longer than any buffer size it started with', async () => {
      const records = await agentRecords();
      const long = 'ü'.repeat(30_000) + '🚀'.repeat(10_000);
      const grown = records.map((r) => (r.type === 'tool' ? { ...r, errorMessage: long, output: { long } } : r));
      await suite.sink().write(grown);
      await expectStored(suite.db(), grown);
      expect(warnings.filter((w) => w.includes('COPY'))).toEqual([]);
    });
    // Last: the sink reports the first fallback of a process only, and the tests above check there was none.
    it.runIf(backend.name === 'PostgreSQL server')('stores a batch COPY cannot carry the INSERT way, with the same columns, and says why', async () => {
      const records = await agentRecords();
      // A token count past 2^53 is not exact as a number: COPY refuses it, the INSERT gives the database's verdict.
      const huge = records.map((r) => (r.type === 'generation' ? { ...r, usage: { ...r.usage, total: 2 ** 53 + 2 } } : r));
      await suite.sink().write(huge);
      await expectStored(suite.db(), huge);
      const generation = huge.find((r) => r.type === 'generation')!;
      const [g] = await suite.db().query(`SELECT total_tokens::text AS total FROM ${SCHEMA}.generations WHERE id = $1`, [generation.spanId]);
      expect(g).toEqual({ total: String(2 ** 53 + 2) });
      expect(warnings.filter((w) => w.includes('stored with INSERT instead'))).toEqual([expect.stringContaining('is not a whole number COPY can carry exactly')]);
    });
  });
}
