// Traces without a session span — an OpenInference CHAIN, a plain root span — are named, timed and
// judged by their root span in the `traces` row; a session span below a root span still speaks
// for the trace, whichever of the two is stored first. Real SDK spans, the real exporter, both databases.
import { ATTR_SESSION_ID, ATTR_SPAN_KIND, ATTR_TOOL_CATEGORY, ATTR_TOOL_NAME, OpenInferenceAttributes as OI } from '@mini-agent/semconv';
import { recordSpans } from '@mini-agent/test-support';
import { SpanStatusCode } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { BACKENDS, exportAsync as exportSpans, useExporterSuite } from './backends.js';

const S = 'mini_agent_observability';

/** An OpenInference chain that calls a tool and fails; ended children first, as the SDK exports them. */
async function chainTrace(): Promise<ReadableSpan[]> {
  return recordSpans((tracer) =>
    tracer.startActiveSpan('rag pipeline', { attributes: { [OI.SPAN_KIND]: 'CHAIN', [OI.INPUT_VALUE]: 'what is rounding?' } }, (chain) => {
      tracer.startSpan('search', { attributes: { [OI.SPAN_KIND]: 'TOOL', [OI.TOOL_NAME]: 'search' } }).end();
      chain.setStatus({ code: SpanStatusCode.ERROR, message: 'no answer' });
      chain.end();
    }),
  );
}

/** A plain HTTP server root span with a session span under it. */
async function rootAboveSession(): Promise<{ root: ReadableSpan; session: ReadableSpan; tool: ReadableSpan }> {
  const spans = await recordSpans((tracer) =>
    tracer.startActiveSpan('POST /chat', (root) => {
      tracer.startActiveSpan('support session', { attributes: { [ATTR_SPAN_KIND]: 'session', [ATTR_SESSION_ID]: 'conv-9' } }, (session) => {
        tracer.startSpan('lookup', { attributes: { [ATTR_TOOL_NAME]: 'lookup', [ATTR_TOOL_CATEGORY]: 'core' } }).end();
        session.setStatus({ code: SpanStatusCode.OK });
        session.end();
      });
      root.end();
    }),
  );
  const by = (name: string) => spans.find((s) => s.name === name)!;
  return { root: by('POST /chat'), session: by('support session'), tool: by('lookup') };
}

const ms = (span: ReadableSpan, which: 'startTime' | 'endTime') => new Date(span[which][0] * 1000 + Math.floor(span[which][1] / 1e6));

for (const backend of BACKENDS) {
  describe.runIf(backend.available)(`traces without a session span on ${backend.name}`, () => {
    const suite = useExporterSuite(backend);
    const traceRow = async (id: string) => (await suite.traceRow(id))!;
    const exportAsync = (spans: ReadableSpan[]) => exportSpans(suite.exporter(), spans);

    it('an OpenInference CHAIN root names, times and judges its trace, and the sessions list shows it', async () => {
      const spans = await chainTrace();
      const chain = spans.find((s) => s.name === 'rag pipeline')!;
      const traceId = chain.spanContext().traceId;
      // The tool first, alone: the row exists and is still running.
      expect((await exportAsync(spans.filter((s) => s !== chain))).code).toBe(ExportResultCode.SUCCESS);
      expect(await traceRow(traceId)).toMatchObject({ name: null, complete: false, defined_by: null });
      expect((await exportAsync([chain])).code).toBe(ExportResultCode.SUCCESS);
      expect(await traceRow(traceId)).toMatchObject({
        name: 'rag pipeline', complete: true, defined_by: 'root', status: 'error', status_message: 'no answer',
        started_at: ms(chain, 'startTime'), ended_at: ms(chain, 'endTime'),
      });
      const listed = await suite.db().query(`SELECT name, complete, failed, tool_count FROM ${S}.session_stats('1970-01-01T00:00:00Z') WHERE trace_id = $1`, [traceId]);
      expect(listed.map((r) => ({ ...r, tool_count: Number(r.tool_count) }))).toEqual([{ name: 'rag pipeline', complete: true, failed: true, tool_count: 1 }]);
    });

    it('a session span under a plain root span names the trace, whichever is stored first', async () => {
      const rootFirst = await rootAboveSession();
      const sessionFirst = await rootAboveSession();
      await exportAsync([rootFirst.root, rootFirst.tool]);
      expect(await traceRow(rootFirst.root.spanContext().traceId)).toMatchObject({ name: 'POST /chat', defined_by: 'root', complete: true });
      await exportAsync([rootFirst.session]);
      await exportAsync([sessionFirst.session, sessionFirst.tool]);
      await exportAsync([sessionFirst.root]);
      for (const { session } of [rootFirst, sessionFirst]) {
        expect(await traceRow(session.spanContext().traceId)).toMatchObject({
          name: 'support session', defined_by: 'session', complete: true, status: 'ok', session_id: 'conv-9',
          started_at: ms(session, 'startTime'), ended_at: ms(session, 'endTime'),
        });
      }
    });

    it('within one batch, the session span wins over the root span in either order', async () => {
      for (const order of ['root last', 'session last'] as const) {
        const { root, session, tool } = await rootAboveSession();
        await exportAsync(order === 'root last' ? [tool, session, root] : [root, tool, session]);
        expect(await traceRow(root.spanContext().traceId), order).toMatchObject({ name: 'support session', defined_by: 'session', status: 'ok' });
      }
    });
  });
}
