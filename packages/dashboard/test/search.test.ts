// The sessions search's two plans on both databases: on a PostgreSQL server with pg_trgm,
// createSearchIndexes builds trigram indexes and the search reads them; without them, and on
// PGlite (no pg_trgm), it scans the window's calls. Both plans must find the same sessions.
import { freePort } from '@mini-agent/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSearchIndexes, dropSearchIndexes } from '../src/index.js';
import { likePattern, searchCondition, searchPlan } from '../src/queries/search.js';
import { BACKENDS, type DashboardDb } from './backends.js';
import { seedDataset, type SeededDataset } from './dataset.js';

const S = 'mini_agent_observability';
const INDEXES = ['generations_search_idx', 'tool_executions_search_idx', 'traces_search_idx'];

for (const backend of BACKENDS) {
  describe.runIf(backend.available)(`the sessions search on ${backend.name}`, () => {
    let db: DashboardDb;
    let data: SeededDataset;
    const server = backend.name === 'PostgreSQL server';

    beforeAll(async () => {
      db = await backend.create();
      data = await seedDataset(db.options);
    });
    afterAll(async () => {
      await db?.close();
    });

    const matches = async (plan: 'index' | 'scan', text: string) =>
      (await db.query<{ id: string }>(`SELECT t.id FROM ${S}.traces t WHERE ${searchCondition(plan, 1)} ORDER BY t.id`, [likePattern(text)])).map((r) => r.id);

    const query = async <R extends object>(text: string) => (await db.query(text)) as R[];
    const indexes = async () =>
      (await db.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND indexname LIKE '%search_idx' ORDER BY 1`, [S])).map((f) => f.indexname);

    it.runIf(server)('createSearchIndexes builds the trigram indexes the search then reads; dropSearchIndexes removes them', async () => {
      const url = db.options.databaseUrl!;
      const dropped = await dropSearchIndexes(url);
      expect(dropped).toMatchObject({ indexes: [], notices: [] });
      expect(await indexes()).toEqual([]);
      expect(await searchPlan(query, 'banker')).toBe('scan');

      const created = await createSearchIndexes(url);
      expect(created).toMatchObject({ indexes: INDEXES, notices: [] });
      expect(created.target).toMatch(/^postgres(ql)?:\/\//);
      expect(await indexes()).toEqual(INDEXES);
      expect(await searchPlan(query, 'banker')).toBe('index');
      // Two characters have no trigram: always the window scan.
      expect(await searchPlan(query, 'ok')).toBe('scan');
      // Idempotent.
      expect((await createSearchIndexes(url)).indexes).toEqual(INDEXES);
    });

    it.runIf(!server)('PGlite gets no trigram index (its pg_trgm would have to be loaded by every process): the search scans', async () => {
      expect(await indexes()).toEqual([]);
      expect(await searchPlan(query, 'banker')).toBe('scan');
    });

    it('both plans find the same sessions: a tool input, an LLM output, a tool error, a name, a trace error', async () => {
      const cases: [string, string[]][] = [
        ['banker', [data.traces.papers!, data.traces.chain!]],
        ['Math.sign', [data.traces.fix!]],
        ['EACCES', [data.traces.refactor!]],
        ['weekly report', [data.traces.weekly!]],
        ['search backend down', [data.traces.summary!]],
        // LIKE wildcards are literal: nothing holds a percent sign.
        ['100%', []],
      ];
      for (const [text, expected] of cases) {
        expect(await matches('scan', text), text).toEqual([...expected].sort());
        expect(await matches('index', text), text).toEqual([...expected].sort());
      }
    });

    it.runIf(server)('the index plan reads the trigram indexes, not the tables', async () => {
      // A tiny table is cheaper to scan; with sequential scans off the planner shows it can use the indexes.
      const explained = await explainWithoutSeqScan(db, `SELECT t.id FROM ${S}.traces t WHERE ${searchCondition('index', 1)}`, [likePattern('banker')]);
      for (const index of INDEXES) expect(explained).toContain(`Bitmap Index Scan on ${index}`);
    });
  });
}

/** EXPLAIN of a query with sequential scans off (the suite's server connection is its own: one connection). */
async function explainWithoutSeqScan(db: DashboardDb, text: string, params: unknown[]): Promise<string> {
  await db.query('SET enable_seqscan = off');
  try {
    const plan = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${text}`, params);
    return plan.map((p) => p['QUERY PLAN']).join('\n');
  } finally {
    await db.query('RESET enable_seqscan');
  }
}

describe('createSearchIndexes on a database that cannot be reached', () => {
  it('fails with one line naming the database, the password masked', async () => {
    const url = `postgres://owner:s3cret-password@127.0.0.1:${await freePort()}/db`;
    const failure = await createSearchIndexes(url).then(() => undefined, (error: unknown) => error as Error);
    expect(failure?.message).toMatch(/^postgres:\/\/owner:\*\*\*@127\.0\.0\.1:\d+\/db: /);
    expect(failure?.message).not.toContain('s3cret-password');
  });
});
