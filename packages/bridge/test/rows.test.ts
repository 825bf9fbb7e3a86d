import { InterpretingExporter } from '@mini-agent/core';
import { createPostgresSink } from '@mini-agent/exporter-postgres';
import { describe, expect, it } from 'vitest';
import { createBridge } from '../src/index.js';
import { agentRun, manySpans, sendWithOtlpExporter } from './helpers.js';
import { ROW_BACKENDS as backends, type Row, type RowTarget as Target } from './row-targets.js';

const TABLES = ['traces', 'spans', 'tool_executions', 'generations', 'decisions', 'performance_metrics'] as const;

/** Every row of the six tables, without the time of insertion, in a stable order. */
async function snapshot(target: Target): Promise<Record<string, Row[]>> {
  const out: Record<string, Row[]> = {};
  for (const table of TABLES) {
    const rows = await target.query(
      `SELECT to_jsonb(t) - 'inserted_at' - 'updated_at' AS row FROM mini_agent_observability.${table} t ORDER BY (to_jsonb(t) - 'inserted_at' - 'updated_at')::text`,
    );
    out[table] = rows.map((r) => r.row as Row);
  }
  return out;
}

async function truncateAll(target: Target): Promise<void> {
  await target.query(`TRUNCATE ${TABLES.map((t) => `mini_agent_observability.${t}`).join(', ')}`);
}

describe.each(backends)('spans through the bridge become the same rows as in process, on $name', ({ available, open }) => {
  it.skipIf(!available)('same ids, same rows, for the protobuf and the JSON exporter, and delivered twice is still one row', async () => {
    const target = await open('bridge_rows');
    try {
      const spans = [...(await agentRun('rows')), ...(await manySpans(40, 'rows-bulk'))];

      // The in-process path: the SDK's own spans, interpreted and written directly.
      const inProcess = new InterpretingExporter({ sinks: [createPostgresSink(target.options)] });
      expect((await inProcess.exportSpans(spans)).code).toBe(0);
      await inProcess.shutdown();
      const expected = await snapshot(target);
      expect(expected.spans).toHaveLength(spans.length);
      expect(expected.tool_executions!.length).toBeGreaterThan(2);

      // The collector path: the same spans over OTLP, each encoding into an emptied database, so
      // the rows one encoding writes are never the ones another left behind (ON CONFLICT DO
      // NOTHING would keep the first).
      const bridge = await createBridge({ sinks: [createPostgresSink(target.options)], port: 0 });
      try {
        for (const send of [{ encoding: 'protobuf', gzip: true }, { encoding: 'json' }] as const) {
          await truncateAll(target);
          expect((await sendWithOtlpExporter(bridge.tracesUrl, spans, send)).code).toBe(0);
          await bridge.flush();
          expect(await snapshot(target), `rows of the ${send.encoding} path`).toEqual(expected);
        }
        // Delivered twice (a retry, or the other encoding): still one row each, unchanged.
        expect((await sendWithOtlpExporter(bridge.tracesUrl, spans, { encoding: 'protobuf' })).code).toBe(0);
        await bridge.flush();
      } finally {
        await bridge.close();
      }
      expect(await snapshot(target)).toEqual(expected);
    } finally {
      await target.close();
    }
  });
});
