import {
  ATTR_AGENT_NAME,
  ATTR_DECISION_CHOSEN,
  ATTR_DECISION_OPTIONS,
  ATTR_DECISION_REASONING,
  ATTR_DECISION_TYPE,
  ATTR_METRIC_TYPE,
  ATTR_METRIC_UNIT,
  ATTR_METRIC_VALUE,
  ATTR_SESSION_ID,
  ATTR_SESSION_TAGS,
  ATTR_SPAN_KIND,
  ATTR_TOOL_CATEGORY,
  ATTR_TOOL_INPUT,
  ATTR_TOOL_NAME,
  ATTR_TOOL_OUTPUT,
  ATTR_USER_CONTEXT,
  ATTR_USER_ID,
  EVENT_DECISION,
  EVENT_METRIC,
  GenAiAttributes as G,
} from '@mini-agent/semconv';
import { recordSpans } from '@mini-agent/test-support';
import { context, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, PostgresExporter } from '../src/index.js';
import { BACKENDS, countRows, exportAsync, type TestDb } from './backends.js';

const T0 = Date.UTC(2026, 10, 25, 9, 0, 0);
const at = (ms: number) => new Date(T0 + ms);

/** One agent session, as an agent instrumented with plain OTel API calls emits it. */
function runSession(provider: BasicTracerProvider): { traceId: string; ids: Record<string, string> } {
  const tracer = provider.getTracer('support-agent', '0.9.0');
  const child = (parent: Span, name: string, startMs: number) =>
    tracer.startSpan(name, { startTime: at(startMs) }, trace.setSpan(context.active(), parent));

  const session = tracer.startSpan('support session', {
    startTime: at(0),
    attributes: {
      [ATTR_SPAN_KIND]: 'session',
      [ATTR_SESSION_ID]: 'sess-42',
      [ATTR_AGENT_NAME]: 'support-agent',
      [ATTR_USER_ID]: 'user-7',
      [ATTR_USER_CONTEXT]: JSON.stringify({ plan: 'pro', locale: 'fr' }),
      [ATTR_SESSION_TAGS]: ['beta', 'eu'],
    },
  });

  const read = child(session, 'read_file', 100);
  read.setAttributes({
    [ATTR_SPAN_KIND]: 'tool',
    [ATTR_TOOL_NAME]: 'read_file',
    [ATTR_TOOL_CATEGORY]: 'file',
    [ATTR_TOOL_INPUT]: JSON.stringify({ path: 'notes.md' }),
    [ATTR_TOOL_OUTPUT]: 'plain text, not JSON',
  });
  read.end(at(150));

  const search = child(session, 'search_docs', 200);
  search.setAttributes({
    [ATTR_SPAN_KIND]: 'tool',
    [ATTR_TOOL_NAME]: 'search_docs',
    [ATTR_TOOL_CATEGORY]: 'mcp',
    [G.TOOL_CALL_ID]: 'call_7',
    [G.TOOL_TYPE]: 'datastore',
  });
  search.recordException(new Error('index offline'));
  search.setStatus({ code: SpanStatusCode.ERROR, message: 'index offline' });
  search.end(at(1200));

  const llm = child(session, 'chat gpt-4o', 1300);
  llm.setAttributes({
    [G.OPERATION_NAME]: 'chat',
    [G.REQUEST_MODEL]: 'gpt-4o',
    [G.PROVIDER_NAME]: 'openai',
    [G.REQUEST_TEMPERATURE]: 0.2,
    [G.USAGE_INPUT_TOKENS]: 120,
    [G.USAGE_OUTPUT_TOKENS]: 30,
    [G.USAGE_CACHE_READ_INPUT_TOKENS]: 80,
    [G.USAGE_CACHE_CREATION_INPUT_TOKENS]: 20,
    [G.USAGE_REASONING_OUTPUT_TOKENS]: 10,
    [G.RESPONSE_TIME_TO_FIRST_CHUNK]: 0.2,
    [G.INPUT_MESSAGES]: JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }]),
    [G.OUTPUT_MESSAGES]: JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'hello' }] }]),
  });
  llm.end(at(1800));

  const decide = child(session, 'pick tool', 1900);
  decide.setAttributes({
    [ATTR_SPAN_KIND]: 'decision',
    [ATTR_DECISION_TYPE]: 'tool_selection',
    [ATTR_DECISION_OPTIONS]: JSON.stringify(['read_file', 'search_docs']),
    [ATTR_DECISION_CHOSEN]: 'read_file',
    [ATTR_DECISION_REASONING]: 'search is offline',
  });
  decide.end(at(1910));

  session.addEvent(EVENT_METRIC, { [ATTR_METRIC_TYPE]: 'memory', [ATTR_METRIC_VALUE]: 61.5, [ATTR_METRIC_UNIT]: 'percent' }, at(2000));
  session.addEvent(EVENT_DECISION, { [ATTR_DECISION_TYPE]: 'stop', [ATTR_DECISION_CHOSEN]: 'answer' }, at(2010));
  session.setStatus({ code: SpanStatusCode.OK });
  session.end(at(2500));

  const id = (s: Span) => s.spanContext().spanId;
  return {
    traceId: session.spanContext().traceId,
    ids: { session: id(session), read: id(read), search: id(search), llm: id(llm), decide: id(decide) },
  };
}

for (const backend of BACKENDS) {
  describe.runIf(backend.available)(`an agent session through PostgresExporter into ${backend.name}`, () => {
    let db: TestDb;
    let traceId: string;
    let ids: Record<string, string>;

    beforeAll(async () => {
      db = await backend.create();
      const exporter = new PostgresExporter(db.options);
      const provider = new BasicTracerProvider({
        resource: resourceFromAttributes({ 'service.name': 'support-agent', 'service.version': '0.9.0' }),
        spanProcessors: [new SimpleSpanProcessor(exporter)],
      });
      ({ traceId, ids } = runSession(provider));
      await provider.forceFlush();
      await provider.shutdown();
      const stats = exporter.stats().sinks.postgres;
      expect(stats).toMatchObject({ healthy: true, dropped: {}, rejected: {} });
      expect(stats?.delivered).toBe(stats?.accepted);
    });
    afterAll(() => db?.close());

    it('fills every table: one trace, five spans, two tools, one generation, two decisions, one metric', async () => {
      expect(await countRows(db, traceId)).toEqual({
        traces: 1, spans: 5, tool_executions: 2, generations: 1, decisions: 2, performance_metrics: 1,
      });
    });

    it('completes the trace row from the session span, whatever order the spans ended in', async () => {
      const [row] = await db.query('SELECT * FROM mini_agent_observability.traces WHERE id = $1', [traceId]);
      expect(row).toMatchObject({
        id: traceId,
        session_id: 'sess-42',
        agent_name: 'support-agent',
        agent_version: '0.9.0',
        user_id: 'user-7',
        user_context: { plan: 'pro', locale: 'fr' },
        name: 'support session',
        status: 'ok',
        status_message: null,
        started_at: at(0),
        ended_at: at(2500),
        input: null,
        output: null,
        tags: ['beta', 'eu'],
        complete: true,
        resource: { 'service.name': 'support-agent', 'service.version': '0.9.0' },
      });
      expect(row?.attributes).toMatchObject({ [ATTR_SESSION_ID]: 'sess-42', [ATTR_USER_ID]: 'user-7' });
    });

    it('stores a tool row per tool span; the failed one has success = false and its error', async () => {
      const rows = await db.query('SELECT * FROM mini_agent_observability.tool_executions WHERE trace_id = $1 ORDER BY started_at', [traceId]);
      expect(rows).toEqual([
        expect.objectContaining({
          id: ids.read, trace_id: traceId, parent_span_id: ids.session, name: 'read_file', tool_name: 'read_file',
          category: 'file', input: { path: 'notes.md' }, output: 'plain text, not JSON', success: true,
          error_message: null, started_at: at(100), ended_at: at(150), duration_ms: 50, metadata: {}, call_id: null,
          tool_type: null,
        }),
        expect.objectContaining({
          id: ids.search, parent_span_id: ids.session, tool_name: 'search_docs', category: 'mcp', input: null,
          output: null, success: false, error_message: 'index offline', started_at: at(200), ended_at: at(1200), duration_ms: 1000,
          call_id: 'call_7', tool_type: 'datastore',
        }),
      ]);
    });

    it('stores the LLM call as a generation with model, provider, messages, token counts and time to first chunk', async () => {
      const [row] = await db.query('SELECT * FROM mini_agent_observability.generations WHERE trace_id = $1', [traceId]);
      const counts = ['input_tokens', 'output_tokens', 'total_tokens', 'cached_tokens', 'cache_creation_tokens', 'reasoning_tokens'];
      expect({ ...row, ...Object.fromEntries(counts.map((c) => [c, Number(row?.[c])])) }).toMatchObject({
        id: ids.llm, parent_span_id: ids.session, name: 'chat gpt-4o', model: 'gpt-4o', provider: 'openai',
        input: [{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }],
        output: [{ role: 'assistant', parts: [{ type: 'text', content: 'hello' }] }],
        input_tokens: 120, output_tokens: 30, total_tokens: 150, cached_tokens: 80, cache_creation_tokens: 20, reasoning_tokens: 10,
        model_parameters: { temperature: 0.2 }, success: true, error_message: null,
        started_at: at(1300), ended_at: at(1800), duration_ms: 500, completion_start_time: at(1500),
      });
    });

    it('stores a decision span and a decision event, each with its own id', async () => {
      const rows = await db.query('SELECT * FROM mini_agent_observability.decisions WHERE trace_id = $1 ORDER BY decided_at', [traceId]);
      expect(rows).toEqual([
        expect.objectContaining({
          id: ids.decide, span_id: ids.decide, decision_type: 'tool_selection', considered_options: ['read_file', 'search_docs'],
          chosen: 'read_file', reasoning: 'search is offline', decided_at: at(1910),
        }),
        expect.objectContaining({
          id: `${ids.session}:1`, span_id: ids.session, decision_type: 'stop', considered_options: null,
          chosen: 'answer', reasoning: null, decided_at: at(2010),
        }),
      ]);
    });

    it('stores a metric event as a performance_metrics row with a deterministic id', async () => {
      const rows = await db.query('SELECT * FROM mini_agent_observability.performance_metrics WHERE trace_id = $1', [traceId]);
      expect(rows).toEqual([
        expect.objectContaining({
          id: `${ids.session}:0`, span_id: ids.session, metric_type: 'memory', metric_value: 61.5, unit: 'percent',
          recorded_at: at(2000), metadata: {},
        }),
      ]);
    });

    it('keeps every span, with its kind, status, attributes, events and resource', async () => {
      // spans_full: the span as sent, its resource (stored once, in `resources`) joined back.
      const rows = await db.query('SELECT * FROM mini_agent_observability.spans_full WHERE trace_id = $1 ORDER BY started_at', [traceId]);
      expect(rows.map((r) => [r.name, r.kind, r.status])).toEqual([
        ['support session', 'session', 'ok'],
        ['read_file', 'tool', 'unset'],
        ['search_docs', 'tool', 'error'],
        ['chat gpt-4o', 'llm', 'unset'],
        ['pick tool', 'decision', 'unset'],
      ]);
      const search = rows.find((r) => r.span_id === ids.search);
      expect(search).toMatchObject({
        parent_span_id: ids.session, otel_kind: 'internal', status_message: 'index offline', started_at: at(200),
        ended_at: at(1200), duration_ms: 1000, links: [], resource: { 'service.name': 'support-agent', 'service.version': '0.9.0' },
        scope_name: 'support-agent', scope_version: '0.9.0',
        attributes: { [ATTR_SPAN_KIND]: 'tool', [ATTR_TOOL_NAME]: 'search_docs', [ATTR_TOOL_CATEGORY]: 'mcp' },
      });
      expect(search?.events).toEqual([
        expect.objectContaining({ name: 'exception', attributes: expect.objectContaining({ 'exception.message': 'index offline' }) }),
      ]);
      expect(rows.find((r) => r.span_id === ids.session)?.parent_span_id).toBeNull();
    });
  });

  describe.runIf(backend.available)(`throughput into ${backend.name}`, () => {
    it('writes batches of real SDK spans and reports rows per second', async () => {
      const db = await backend.create();
      try {
        await migrate(db.target);
        const spans = await recordSpans((tracer) => {
          for (let s = 0; s < 100; s++) {
            tracer.startActiveSpan('session', { attributes: { [ATTR_SPAN_KIND]: 'session', [ATTR_SESSION_ID]: `s${s}` } }, (session) => {
              for (let t = 0; t < 9; t++) {
                const tool = tracer.startSpan(`tool ${t}`, {
                  attributes: {
                    [ATTR_TOOL_NAME]: `tool_${t}`,
                    [ATTR_TOOL_CATEGORY]: 'core',
                    [ATTR_TOOL_INPUT]: JSON.stringify({ query: 'x'.repeat(300), n: t }),
                    [ATTR_TOOL_OUTPUT]: JSON.stringify({ result: 'y'.repeat(400) }),
                  },
                });
                tool.addEvent(EVENT_METRIC, { [ATTR_METRIC_TYPE]: 'latency', [ATTR_METRIC_VALUE]: t, [ATTR_METRIC_UNIT]: 'ms' });
                tool.end();
              }
              session.end();
            });
          }
        });
        const exporter = new PostgresExporter({ ...db.options, migrate: false });
        const started = performance.now();
        for (let i = 0; i < spans.length; i += 250) {
          const result = await exportAsync(exporter, spans.slice(i, i + 250));
          expect(result.code).toBe(ExportResultCode.SUCCESS);
        }
        const seconds = (performance.now() - started) / 1000;
        await exporter.shutdown();
        const [counts] = await db.query(`SELECT
          (SELECT count(*) FROM mini_agent_observability.traces)::int + (SELECT count(*) FROM mini_agent_observability.spans)::int
          + (SELECT count(*) FROM mini_agent_observability.tool_executions)::int + (SELECT count(*) FROM mini_agent_observability.performance_metrics)::int AS rows`);
        // 100 traces + 1,000 spans + 900 tools + 900 metrics.
        expect(counts?.rows).toBe(2900);
        console.log(
          `[exporter-postgres] ${backend.name}: ${spans.length} spans → ${counts?.rows} rows in ${seconds.toFixed(2)} s ` +
            `(${Math.round(Number(counts?.rows) / seconds)} rows/s, ${Math.round(spans.length / seconds)} spans/s, batches of 250 spans)`,
        );
      } finally {
        await db.close();
      }
    });
  });
}
