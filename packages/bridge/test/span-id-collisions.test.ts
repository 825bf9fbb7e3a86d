import { createPostgresSink } from '@mini-agent/exporter-postgres';
import { collidingTraces } from '@mini-agent/test-support';
import { describe, expect, it } from 'vitest';
import { createBridge } from '../src/index.js';
import { sendWithOtlpExporter } from './helpers.js';
import { ROW_BACKENDS as backends } from './row-targets.js';

describe.each(backends)('OTLP traces that reuse span ids, through the bridge into $name', ({ available, open }) => {
  it.skipIf(!available)('stores 2 traces × 1,000 spans with the same span ids as 2,000 spans', async () => {
    const { spans, traceIds, perTrace } = await collidingTraces(2, 1000);
    const target = await open('bridge_collisions');
    const bridge = await createBridge({ sinks: [createPostgresSink(target.options)], port: 0 });
    try {
      expect((await sendWithOtlpExporter(bridge.tracesUrl, spans, { encoding: 'protobuf' })).code).toBe(0);
      await bridge.flush();
      const rows = await target.query(
        `SELECT trace_id, count(*)::int AS spans, count(DISTINCT span_id)::int AS ids
           FROM mini_agent_observability.spans GROUP BY trace_id ORDER BY trace_id`,
      );
      expect(rows).toEqual(traceIds.map((trace_id) => ({ trace_id, spans: 1000, ids: 1000 })));
      const [tools] = await target.query('SELECT count(*)::int AS n FROM mini_agent_observability.tool_executions');
      expect(tools?.n).toBe(2 * perTrace.tools);
    } finally {
      await bridge.close();
      await target.close();
    }
  });
});
