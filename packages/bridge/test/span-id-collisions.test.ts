import type { PGlite } from '@electric-sql/pglite';
import { createPostgresSink, type PostgresSinkOptions } from '@mini-agent/exporter-postgres';
import { collidingTraces, createTestDatabase, createTestPglite, hasPostgres } from '@mini-agent/test-support';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { createBridge } from '../src/index.js';
import { sendWithOtlpExporter } from './helpers.js';

type Row = Record<string, unknown>;

/** A database the bridge writes into, read back independently of the sink. */
interface Target {
  readonly options: PostgresSinkOptions;
  query(text: string): Promise<Row[]>;
  close(): Promise<void>;
}

const backends: { name: string; available: boolean; open(): Promise<Target> }[] = [
  {
    name: 'a PostgreSQL server',
    available: hasPostgres(),
    async open() {
      const database = await createTestDatabase('bridge_collisions');
      const sql = postgres(database.url, { max: 1, onnotice: () => {} });
      return {
        options: { databaseUrl: database.url },
        query: async (text) => [...(await sql.unsafe<Row[]>(text))],
        async close() {
          await sql.end();
          await database.drop();
        },
      };
    },
  },
  {
    name: 'embedded PGlite',
    available: true,
    async open() {
      const db: PGlite = await createTestPglite();
      return { options: { pglite: db }, query: async (text) => (await db.query<Row>(text)).rows, close: () => db.close() };
    },
  },
];

describe.each(backends)('OTLP traces that reuse span ids, through the bridge into $name', ({ available, open }) => {
  it.skipIf(!available)('stores 2 traces × 1,000 spans with the same span ids as 2,000 spans', async () => {
    const { spans, traceIds, perTrace } = await collidingTraces(2, 1000);
    const target = await open();
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
