// Retention of `resources` (sql/096_resource_retention.sql): prune deletes the resource rows no
// span points at any more and that no writer used lately, keeps every one still in use, and a
// prune racing a writer's batch never leaves a span pointing at a deleted resource.
import { ATTR_AGENT_NAME, ATTR_SPAN_KIND } from '@mini-agent/semconv';
import { recordSpans } from '@mini-agent/test-support';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import postgres from 'postgres';
import { beforeEach, describe, expect, it } from 'vitest';
import { prune } from '../src/index.js';
import { RESOURCES, resourceKey } from '../src/resources.js';
import { insertStatement } from '../src/tables.js';
import { LAYOUT_BACKENDS, exportAsync, useExporterSuite } from './backends.js';

const S = 'mini_agent_observability';
const DAY = 86_400_000;
const TABLES = ['traces', 'spans', 'tool_executions', 'generations', 'decisions', 'performance_metrics', 'scores', 'resources'];

const resourceOf = (service: string) => ({ 'service.name': service, 'process.pid': '4242' });
const keyOf = (service: string) => resourceKey(resourceOf(service))!;

/** A one-span session `daysAgo` days old, sent by an agent process whose resource names `service`. */
const session = (daysAgo: number, service: string): Promise<ReadableSpan[]> => {
  const start = new Date(Date.now() - daysAgo * DAY);
  return recordSpans((tracer) => {
    tracer.startSpan(`session of ${service}`, { startTime: start, attributes: { [ATTR_SPAN_KIND]: 'session', [ATTR_AGENT_NAME]: service } })
      .end(new Date(start.getTime() + 100));
  }, resourceOf(service));
};

describe.each(LAYOUT_BACKENDS)('resources retention on $name', (backend) => {
  const suite = useExporterSuite(backend);
  const write = async (...sessions: Promise<ReadableSpan[]>[]) => {
    const spans = (await Promise.all(sessions)).flat();
    expect((await exportAsync(suite.exporter(), spans)).code).toBe(0);
    return spans;
  };
  const stored = async () => (await suite.db().query(`SELECT id::text FROM ${S}.resources ORDER BY 1`)).map((r) => String(r.id));
  const lastSeen = (interval: string) => suite.db().query(`UPDATE ${S}.resources SET seen_at = now() - interval '${interval}'`);

  beforeEach(async () => {
    for (const table of TABLES) await suite.db().query(`DELETE FROM ${S}.${table}`);
  });

  it.skipIf(!backend.available)('deletes the resource only pruned spans pointed at, keeps those newer spans use, and a second run deletes nothing', async () => {
    await write(session(40, 'gone'), session(40, 'shared'), session(10, 'shared'), session(10, 'recent'));
    // Rows last written long ago: only "no span points at it" decides now.
    await lastSeen('40 days');
    const preview = await prune(suite.db().target, { olderThanMs: 30 * DAY, dryRun: true });
    expect(preview.rows.resources).toBeUndefined(); // every resource is still used by a span before the prune

    const result = await prune(suite.db().target, { olderThanMs: 30 * DAY });
    expect(result.rows).toMatchObject({ traces: 2, spans: 2, resources: 1 });
    expect(await stored()).toEqual([keyOf('recent'), keyOf('shared')].sort());
    // The kept spans still read their resource back whole.
    const kept = await suite.db().query(`SELECT f.resource->>'service.name' AS service FROM ${S}.spans_full f ORDER BY 1`);
    expect(kept).toEqual([{ service: 'recent' }, { service: 'shared' }]);

    const again = await prune(suite.db().target, { olderThanMs: 30 * DAY });
    expect(again.rows.resources).toBeUndefined();
    expect(Object.values(again.rows).every((n) => n === 0)).toBe(true);
  });

  it.skipIf(!backend.available)('a dry run counts the resources unused already and deletes none', async () => {
    await write(session(10, 'orphan'));
    await suite.db().query(`DELETE FROM ${S}.spans`);
    await lastSeen('40 days');
    const preview = await prune(suite.db().target, { olderThanMs: 30 * DAY, dryRun: true });
    expect(preview.rows).toMatchObject({ resources: 1 });
    expect(await stored()).toEqual([keyOf('orphan')]);
  });

  it.skipIf(!backend.available)('keeps an unused resource seen in the last two hours, whatever --older-than says', async () => {
    await write(session(10, 'orphan'));
    await suite.db().query(`DELETE FROM ${S}.spans`);
    await lastSeen('90 minutes');
    expect((await prune(suite.db().target, { olderThanMs: 60_000 })).rows.resources).toBeUndefined();
    expect(await stored()).toEqual([keyOf('orphan')]);
    await lastSeen('3 hours');
    expect((await prune(suite.db().target, { olderThanMs: 60_000 })).rows.resources).toBe(1);
    expect(await stored()).toEqual([]);
  });

  it.skipIf(!backend.available)('keeps every resource while the traces group has no retention', async () => {
    await write(session(10, 'orphan'));
    await suite.db().query(`DELETE FROM ${S}.spans`);
    await lastSeen('400 days');
    await suite.db().query(`UPDATE ${S}.retention SET keep_days = NULL`);
    expect((await prune(suite.db().target)).rows).toEqual({});
    expect(await stored()).toEqual([keyOf('orphan')]);
  });

  it.skipIf(!backend.available)('the writer moves seen_at forward once it is more than an hour old, and leaves it otherwise', async () => {
    const seenAt = async () => Number((await suite.db().query(`SELECT extract(epoch FROM now() - seen_at)::int AS age FROM ${S}.resources`))[0]?.age);
    await write(session(0, 'busy'));
    await lastSeen('50 minutes');
    await write(session(0, 'busy'));
    expect(await seenAt()).toBeGreaterThanOrEqual(50 * 60 - 5); // not touched: one update an hour at most
    await lastSeen('70 minutes');
    await write(session(0, 'busy'));
    expect(await seenAt()).toBeLessThan(60); // moved to the batch's time
  });
});

describe.runIf(LAYOUT_BACKENDS[0]!.available)('a prune racing a writer, on a PostgreSQL server', () => {
  const suite = useExporterSuite(LAYOUT_BACKENDS[0]!);
  const id = keyOf('racing');

  /**
   * A writer's batch stores the resource with `statement` and, before it commits, a span pointing
   * at it, while a prune runs on another connection. Returns whether the resource row is there
   * afterwards. `waitForPrune`: the prune is expected to wait for the batch's row lock.
   */
  async function race(statement: string, waitForPrune: boolean): Promise<boolean> {
    const db = suite.db();
    for (const table of TABLES) await db.query(`DELETE FROM ${S}.${table}`);
    await db.query(`INSERT INTO ${S}.resources (id, attributes, seen_at) VALUES ($1, $2::jsonb, now() - interval '40 days')`, [id, JSON.stringify(resourceOf('racing'))]);
    const writer = postgres(String(db.target), { max: 1, onnotice: () => {} });
    try {
      let pruning: Promise<unknown> | undefined;
      await writer.begin(async (tx) => {
        await tx.unsafe(statement, [JSON.stringify([{ id, attributes: resourceOf('racing') }])]);
        pruning = prune(db.target, { olderThanMs: 30 * DAY });
        if (waitForPrune) {
          // The prune's DELETE waits on the row this batch locked (seen by the server, not a timer).
          for (let i = 0; ; i++) {
            const [waiting] = await db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%prune_resources%'`);
            if (waiting?.n === 1) break;
            if (i > 400) throw new Error('the prune never waited for the batch');
            await new Promise((resolve) => setTimeout(resolve, 25));
          }
        } else {
          await pruning; // no lock taken: it finishes before the batch commits
        }
        await tx.unsafe(
          `INSERT INTO ${S}.spans (span_id, trace_id, name, kind, otel_kind, status, started_at, ended_at, duration_ms, attributes, events, resource_id)
           VALUES ('00000000000000aa', repeat('a', 32), 'racing', 'step', 'internal', 'ok', now(), now(), 1, '{}', '[]', $1)`,
          [id],
        );
      });
      await pruning;
    } finally {
      await writer.end();
    }
    return (await db.query(`SELECT 1 FROM ${S}.resources WHERE id = $1`, [id])).length === 1;
  }

  it("keeps the resource the batch stores: the writer's update of an old seen_at locks the row until the batch commits", async () => {
    expect(await race(insertStatement(RESOURCES), true)).toBe(true);
  });

  it('the control: with DO NOTHING (a writer of an earlier version), the prune deletes the row the batch points at', async () => {
    const doNothing = insertStatement({ ...RESOURCES, onConflict: 'DO NOTHING' });
    expect(await race(doNothing, false)).toBe(false);
  });
});
