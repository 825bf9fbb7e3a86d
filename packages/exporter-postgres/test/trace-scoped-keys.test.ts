import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collidingTraces } from '@mini-agent/test-support';
import { ExportResultCode } from '@opentelemetry/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSqlDir, listMigrations, migrate, PostgresExporter } from '../src/index.js';
import { BACKENDS, exportAsync, type TestDb } from './backends.js';

const S = 'mini_agent_observability';
const KEY_MIGRATION = '043_trace_scoped_keys.sql';
const SPAN_TABLES = ['spans', 'tool_executions', 'generations', 'decisions', 'performance_metrics'] as const;
const ROWS = 300;

/** The schema as it was before the key migration: every file numbered below it. */
function schemaBeforeKeys(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mini-agent-sql-before-keys-'));
  for (const file of listMigrations()) if (file.name < KEY_MIGRATION) cpSync(join(findSqlDir(), file.name), join(dir, file.name));
  return dir;
}

/**
 * Rows as the earlier schema held them: span-keyed on the span id alone, so each span id appears
 * once, in ROWS traces, with a metric and an event decision per span (ids `span:index`).
 */
const FILL = [
  `INSERT INTO ${S}.traces (id, name, complete) SELECT lpad(to_hex(i), 32, '0'), 'run ' || i, true FROM generate_series(1, ${ROWS}) i`,
  `INSERT INTO ${S}.spans (span_id, trace_id, name, kind, otel_kind, status, started_at, ended_at, duration_ms, attributes)
     SELECT lpad(to_hex(i), 16, '0'), lpad(to_hex(i), 32, '0'), 'tool', 'tool', 'internal', 'ok', now(), now(), 1, '{"mini_agent.tool.name":"t"}' FROM generate_series(1, ${ROWS}) i`,
  `INSERT INTO ${S}.tool_executions (id, trace_id, name, tool_name, category, input, success, started_at, ended_at, duration_ms)
     SELECT lpad(to_hex(i), 16, '0'), lpad(to_hex(i), 32, '0'), 'tool', 't', 'core', jsonb_build_object('i', i), true, now(), now(), 1 FROM generate_series(1, ${ROWS}) i`,
  `INSERT INTO ${S}.generations (id, trace_id, name, model, success, started_at, ended_at, duration_ms)
     SELECT lpad(to_hex(i), 16, '0'), lpad(to_hex(i), 32, '0'), 'chat', 'm1', true, now(), now(), 1 FROM generate_series(1, ${ROWS}) i`,
  `INSERT INTO ${S}.decisions (id, trace_id, span_id, decision_type, decided_at)
     SELECT lpad(to_hex(i), 16, '0') || ':0', lpad(to_hex(i), 32, '0'), lpad(to_hex(i), 16, '0'), 'route', now() FROM generate_series(1, ${ROWS}) i`,
  `INSERT INTO ${S}.performance_metrics (id, trace_id, span_id, metric_type, metric_value, recorded_at)
     SELECT lpad(to_hex(i), 16, '0') || ':1', lpad(to_hex(i), 32, '0'), lpad(to_hex(i), 16, '0'), 'latency', i, now() FROM generate_series(1, ${ROWS}) i`,
];

async function counts(db: TestDb): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ['traces', ...SPAN_TABLES]) {
    const [row] = await db.query(`SELECT count(*)::int AS n FROM ${S}.${table}`);
    out[table] = Number(row?.n);
  }
  return out;
}

async function primaryKeys(db: TestDb): Promise<Record<string, string>> {
  const rows = await db.query(
    `SELECT c.conrelid::regclass::text AS table_name, pg_get_constraintdef(c.oid) AS key
       FROM pg_constraint c WHERE c.contype = 'p' AND c.connamespace = '${S}'::regnamespace ORDER BY 1`,
  );
  return Object.fromEntries(rows.map((r) => [String(r.table_name).replace(`${S}.`, ''), String(r.key)]));
}

for (const backend of BACKENDS) {
  describe.runIf(backend.available)(`the key migration on a database filled by the earlier schema, on ${backend.name}`, () => {
    let db: TestDb;
    let before: string;
    beforeAll(async () => {
      db = await backend.create();
      before = schemaBeforeKeys();
      await migrate(db.target, { sqlDir: before });
      for (const statement of FILL) await db.query(statement);
    });
    afterAll(async () => {
      await db?.close();
      rmSync(before, { recursive: true, force: true });
    });

    it('keeps every row and keys every span table on (trace_id, id)', async () => {
      const filled = await counts(db);
      expect(Object.values(filled)).toEqual(Array(6).fill(ROWS));
      expect((await primaryKeys(db)).spans).toBe('PRIMARY KEY (span_id)');

      const result = await migrate(db.target);
      expect(result.applied).toContain(KEY_MIGRATION);
      expect(await counts(db)).toEqual(filled);
      expect(await primaryKeys(db)).toMatchObject({
        spans: 'PRIMARY KEY (trace_id, span_id)',
        tool_executions: 'PRIMARY KEY (trace_id, id)',
        generations: 'PRIMARY KEY (trace_id, id)',
        decisions: 'PRIMARY KEY (trace_id, id)',
        performance_metrics: 'PRIMARY KEY (trace_id, id)',
        traces: 'PRIMARY KEY (id)',
      });
      // The trace id indexes are covered by the keys now.
      const [redundant] = await db.query(`SELECT count(*)::int AS n FROM pg_indexes WHERE schemaname = '${S}' AND indexname LIKE '%\\_trace\\_id\\_idx'`);
      expect(redundant?.n).toBe(0);
    });

    it('changes nothing when run again, by migrate() or by the file itself', async () => {
      const after = { counts: await counts(db), keys: await primaryKeys(db) };
      expect((await migrate(db.target)).applied).toEqual([]);
      // Forget that it ran: the file runs a second time over the migrated tables.
      await db.query(`DELETE FROM ${S}.schema_migrations WHERE name = '${KEY_MIGRATION}'`);
      expect((await migrate(db.target)).applied).toEqual([KEY_MIGRATION]);
      expect({ counts: await counts(db), keys: await primaryKeys(db) }).toEqual(after);
    });

    it('lets the writer store spans whose ids the stored traces already use', async () => {
      const { spans, traceIds } = await collidingTraces(2, 8);
      const exporter = new PostgresExporter({ ...db.options, migrate: false });
      try {
        expect((await exportAsync(exporter, spans)).code).toBe(ExportResultCode.SUCCESS);
      } finally {
        await exporter.shutdown();
      }
      const [row] = await db.query(`SELECT count(*)::int AS n FROM ${S}.spans WHERE trace_id = ANY($1)`, [`{${traceIds.join(',')}}`]);
      expect(row?.n).toBe(16);
      // The earlier rows used span ids 1 … ROWS too: they are all still there.
      expect((await counts(db)).spans).toBe(ROWS + 16);
    });
  });
}
