import { ATTR_AGENT_NAME, ATTR_SESSION_ID, ATTR_SPAN_KIND, ATTR_TOOL_CATEGORY, ATTR_TOOL_NAME, ATTR_USER_ID, EVENT_METRIC, ATTR_METRIC_TYPE, ATTR_METRIC_VALUE } from '@mini-agent/semconv';
import { recordSpans } from '@mini-agent/test-support';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, PostgresExporter } from '../src/index.js';
import { countRows, exportAsync, LAYOUT_BACKENDS, layoutOf, type TestDb } from './backends.js';

/** A session span with one tool span and one LLM span under it; returned in end order (children first). */
async function sessionSpans(): Promise<{ session: ReadableSpan; children: ReadableSpan[]; traceId: string }> {
  const spans = await recordSpans((tracer) =>
    tracer.startActiveSpan(
      'checkout session',
      { attributes: { [ATTR_SPAN_KIND]: 'session', [ATTR_SESSION_ID]: 'sess-1', [ATTR_USER_ID]: 'u-1', [ATTR_AGENT_NAME]: 'checkout-agent' } },
      (session) => {
        tracer.startActiveSpan('lookup', { attributes: { [ATTR_TOOL_NAME]: 'lookup', [ATTR_TOOL_CATEGORY]: 'core' } }, (tool) => {
          tool.addEvent(EVENT_METRIC, { [ATTR_METRIC_TYPE]: 'latency', [ATTR_METRIC_VALUE]: 12 });
          tool.end();
        });
        tracer.startActiveSpan('chat', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'm1' } }, (llm) => llm.end());
        session.end();
      },
    ),
  );
  const session = spans.find((s) => s.name === 'checkout session') as ReadableSpan;
  return { session, children: spans.filter((s) => s !== session), traceId: session.spanContext().traceId };
}

for (const backend of LAYOUT_BACKENDS) {
  describe.runIf(backend.available)(`delivering the same spans more than once into ${backend.name}`, () => {
    let db: TestDb;
    let exporter: PostgresExporter;
    const traceRow = async (traceId: string) =>
      (await db.query('SELECT * FROM mini_agent_observability.traces WHERE id = $1', [traceId]))[0];

    beforeAll(async () => {
      db = await backend.create();
      await migrate(db.target, layoutOf(backend));
      exporter = new PostgresExporter({ ...db.options, migrate: false });
    });
    afterAll(async () => {
      await exporter.shutdown();
      await db.close();
    });

    it('gives the same rows when the same batch is exported twice', async () => {
      const { session, children, traceId } = await sessionSpans();
      const batch = [...children, session];
      expect((await exportAsync(exporter, batch)).code).toBe(ExportResultCode.SUCCESS);
      const once = await countRows(db, traceId);
      expect(once).toEqual({ traces: 1, spans: 3, tool_executions: 1, generations: 1, decisions: 0, performance_metrics: 1 });
      const before = await traceRow(traceId);
      expect((await exportAsync(exporter, batch)).code).toBe(ExportResultCode.SUCCESS);
      expect(await countRows(db, traceId)).toEqual(once);
      expect(await traceRow(traceId)).toEqual(before);
    });

    it('gives one row per span when a batch holds the same span twice', async () => {
      const { session, children, traceId } = await sessionSpans();
      expect((await exportAsync(exporter, [...children, session, ...children, session])).code).toBe(ExportResultCode.SUCCESS);
      expect(await countRows(db, traceId)).toMatchObject({ traces: 1, spans: 3, tool_executions: 1, performance_metrics: 1 });
    });

    it('fills the trace row when the session span arrives after its children', async () => {
      const { session, children, traceId } = await sessionSpans();
      await exportAsync(exporter, children);
      const partial = await traceRow(traceId);
      // Made by the first span seen: the row exists, with what a child span knows (its resource).
      expect(partial).toMatchObject({ complete: false, name: null, session_id: null, status: 'unset', agent_name: 'test-agent', started_at: null });

      await exportAsync(exporter, [session]);
      expect(await traceRow(traceId)).toMatchObject({
        complete: true,
        name: 'checkout session',
        session_id: 'sess-1',
        user_id: 'u-1',
        agent_name: 'checkout-agent',
        agent_version: '1.2.3',
        started_at: new Date(session.startTime[0] * 1000 + Math.floor(session.startTime[1] / 1e6)),
      });
    });

    it('keeps the completed trace row when a child span arrives after the session span', async () => {
      const { session, children, traceId } = await sessionSpans();
      await exportAsync(exporter, [session]);
      const complete = await traceRow(traceId);
      expect(complete).toMatchObject({ complete: true, agent_name: 'checkout-agent', session_id: 'sess-1' });

      await exportAsync(exporter, children);
      expect(await traceRow(traceId)).toEqual(complete);
      expect(await countRows(db, traceId)).toMatchObject({ traces: 1, spans: 3 });
    });

    it('completes the trace within one batch whatever the order of its spans', async () => {
      const first = await sessionSpans();
      const second = await sessionSpans();
      await exportAsync(exporter, [first.children[0] as ReadableSpan, first.session, ...first.children]);
      await exportAsync(exporter, [second.session, ...second.children]);
      for (const { traceId } of [first, second]) {
        expect(await traceRow(traceId)).toMatchObject({ complete: true, name: 'checkout session', agent_name: 'checkout-agent', user_id: 'u-1' });
      }
    });
  });
}
