import { collidingTraces, type CollidingTraces } from '@mini-agent/test-support';
import { ExportResultCode } from '@opentelemetry/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { LAYOUT_BACKENDS, countRows, exportAsync, useExporterSuite } from './backends.js';

// OTLP makes a span id unique only within its trace. Two traces replayed with the same span ids
// must both be stored: keyed on the span id alone, the second trace's spans were dropped by
// ON CONFLICT DO NOTHING, acknowledged and never counted.
const SPANS_PER_TRACE = 1000;

let fixture: CollidingTraces;
beforeAll(async () => {
  fixture = await collidingTraces(2, SPANS_PER_TRACE);
});

const expectedPerTrace = () => ({
  traces: 1,
  spans: fixture.perTrace.spans,
  tool_executions: fixture.perTrace.tools,
  generations: fixture.perTrace.generations,
  decisions: fixture.perTrace.decisions,
  performance_metrics: fixture.perTrace.metrics,
});

for (const backend of LAYOUT_BACKENDS) {
  describe.runIf(backend.available)(`two traces reusing the same span ids, into ${backend.name}`, () => {
    const suite = useExporterSuite(backend);
    const truncate = () =>
      suite.db().query(
        'TRUNCATE mini_agent_observability.traces, mini_agent_observability.spans, mini_agent_observability.tool_executions, ' +
          'mini_agent_observability.generations, mini_agent_observability.decisions, mini_agent_observability.performance_metrics',
      );

    it('stores 2 × 1,000 spans as 2,000 rows when both traces come in one batch', async () => {
      await truncate();
      expect(new Set(fixture.spans.map((s) => s.spanContext().spanId)).size).toBe(SPANS_PER_TRACE);
      expect((await exportAsync(suite.exporter(), fixture.spans)).code).toBe(ExportResultCode.SUCCESS);
      for (const traceId of fixture.traceIds) expect(await countRows(suite.db(), traceId)).toEqual(expectedPerTrace());
      const [total] = await suite.db().query('SELECT count(*)::int AS n FROM mini_agent_observability.spans');
      expect(total?.n).toBe(2 * SPANS_PER_TRACE);
    });

    it('stores the second trace when the first is already stored, and a redelivery adds nothing', async () => {
      await truncate();
      const [first, second] = fixture.traceIds as [string, string];
      const ofTrace = (id: string) => fixture.spans.filter((s) => s.spanContext().traceId === id);
      expect((await exportAsync(suite.exporter(), ofTrace(first))).code).toBe(ExportResultCode.SUCCESS);
      expect((await exportAsync(suite.exporter(), ofTrace(second))).code).toBe(ExportResultCode.SUCCESS);
      expect((await exportAsync(suite.exporter(), fixture.spans)).code).toBe(ExportResultCode.SUCCESS);
      for (const traceId of [first, second]) expect(await countRows(suite.db(), traceId)).toEqual(expectedPerTrace());
      // Each row holds its own trace's values, not the other's (span 5 is the first tool span of each trace).
      const rows = await suite.db().query(
        `SELECT trace_id, input->>'trace' AS trace FROM mini_agent_observability.tool_executions WHERE id = '0000000000000005' ORDER BY trace_id`,
      );
      expect(rows).toEqual([
        { trace_id: first, trace: '0' },
        { trace_id: second, trace: '1' },
      ]);
      for (const sink of Object.values(suite.exporter().stats().sinks)) expect([sink.dropped, sink.rejected]).toEqual([{}, {}]);
    });
  });
}
