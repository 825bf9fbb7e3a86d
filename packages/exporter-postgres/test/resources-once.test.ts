import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interpret } from '@mini-agent/core';
import { ATTR_SPAN_KIND, ATTR_TOOL_INPUT, ATTR_TOOL_NAME } from '@mini-agent/semconv';
import { recordSpans } from '@mini-agent/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresSink, findSqlDir, listMigrations, migrate } from '../src/index.js';
import { resourceKey } from '../src/resources.js';
import { BACKENDS, type TestDb } from './backends.js';

const S = 'mini_agent_observability';
const MIGRATION = '083_resources_once.sql';
const ROWS = 120;

/** The schema as it was before resources were stored once: every file numbered below 083. */
function schemaBefore(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mini-agent-sql-before-resources-'));
  for (const file of listMigrations()) if (file.name < MIGRATION) cpSync(join(findSqlDir(), file.name), join(dir, file.name));
  return dir;
}

/**
 * Rows as the earlier schema held them: ROWS spans over three resources (one of them the same
 * attributes in another key order, which jsonb stores alike) and spans without resource
 * attributes; every tenth span a tool whose input its tool row holds (payload once).
 */
const FILL = [
  `INSERT INTO ${S}.traces (id, name, complete) SELECT lpad(to_hex(i), 32, '0'), 'run ' || i, true FROM generate_series(1, ${ROWS}) i`,
  `INSERT INTO ${S}.spans (span_id, trace_id, name, kind, otel_kind, status, started_at, ended_at, duration_ms, attributes, events, resource, payload_keys)
     SELECT lpad(to_hex(i), 16, '0'), lpad(to_hex(i), 32, '0'), 'span ' || i, CASE WHEN i % 10 = 0 THEN 'tool' ELSE 'step' END, 'internal', 'ok',
            now(), now(), 1, jsonb_build_object('n', i), '[{"name": "e", "time": "2026-01-01T00:00:00.000Z", "attributes": {}}]',
            CASE i % 4
              WHEN 0 THEN '{"service.name": "a", "process.pid": 1}'::jsonb
              WHEN 1 THEN '{"process.pid": 1, "service.name": "a"}'::jsonb
              WHEN 2 THEN jsonb_build_object('service.name', 'b', 'host.name', 'h', 'process.command_args', jsonb_build_array('node', 'x.js'))
              ELSE '{}'::jsonb END,
            CASE WHEN i % 10 = 0 THEN '{"input": "mini_agent.tool.input"}'::jsonb END
       FROM generate_series(1, ${ROWS}) i`,
  `INSERT INTO ${S}.tool_executions (id, trace_id, name, tool_name, category, input, success, started_at, ended_at, duration_ms)
     SELECT lpad(to_hex(i), 16, '0'), lpad(to_hex(i), 32, '0'), 'span ' || i, 't', 'core', jsonb_build_object('q', i), true, now(), now(), 1
       FROM generate_series(10, ${ROWS}, 10) i`,
];

/** spans_full as text, row by row: what a reader of the raw spans sees. */
async function fullSpans(db: TestDb): Promise<string[]> {
  const rows = await db.query(`SELECT to_jsonb(f)::text AS span FROM ${S}.spans_full f ORDER BY trace_id, span_id`);
  return rows.map((r) => String(r.span));
}

async function counts(db: TestDb): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ['traces', 'spans', 'tool_executions']) {
    const [row] = await db.query(`SELECT count(*)::int AS n FROM ${S}.${table}`);
    out[table] = Number(row?.n);
  }
  return out;
}

for (const backend of BACKENDS) {
  describe.runIf(backend.available)(`each resource once, migrating a database filled by the earlier schema, on ${backend.name}`, () => {
    let db: TestDb;
    let before: string;
    let fullBefore: string[];
    let countsBefore: Record<string, number>;
    beforeAll(async () => {
      db = await backend.create();
      before = schemaBefore();
      await migrate(db.target, { sqlDir: before, supabase: true });
      for (const statement of FILL) await db.query(statement);
      fullBefore = await fullSpans(db);
      countsBefore = await counts(db);
    });
    afterAll(async () => {
      await db?.close();
      rmSync(before, { recursive: true, force: true });
    });

    it('keeps every row, moves each distinct resource into one row, and spans_full gives back the same spans', async () => {
      expect(countsBefore).toEqual({ traces: ROWS, spans: ROWS, tool_executions: ROWS / 10 });
      const result = await migrate(db.target, { supabase: true });
      expect(result.applied).toEqual(expect.arrayContaining([MIGRATION, '084_supabase_resources.sql']));
      expect(await counts(db)).toEqual(countsBefore);
      // Two resources: the first given in two key orders is one jsonb value. `{}` gets no row.
      const [resources] = await db.query(`SELECT count(*)::int AS n FROM ${S}.resources`);
      expect(resources?.n).toBe(2);
      const [keys] = await db.query(`SELECT count(*) FILTER (WHERE resource_id IS NULL)::int AS without, count(DISTINCT resource_id)::int AS distinct_keys FROM ${S}.spans`);
      expect(keys).toEqual({ without: ROWS / 4, distinct_keys: 2 });
      // The old column is emptied (kept for writers of an earlier version).
      const [left] = await db.query(`SELECT count(*)::int AS n FROM ${S}.spans WHERE resource IS NOT NULL`);
      expect(left?.n).toBe(0);
      expect(await fullSpans(db)).toEqual(fullBefore);
    });

    it('makes the public view of spans again, with the new column and its grants', async () => {
      const columns = await db.query(`SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'mini_agent_spans'`);
      expect(columns.map((c) => c.column_name)).toContain('resource_id');
      const [grants] = await db.query(
        `SELECT has_table_privilege('service_role', 'public.mini_agent_spans', 'INSERT') AS writer,
                has_table_privilege('authenticated', 'public.mini_agent_spans', 'SELECT') AS reader,
                has_table_privilege('anon', 'public.mini_agent_spans', 'SELECT') AS anon`,
      );
      expect(grants).toEqual({ writer: true, reader: true, anon: false });
    });

    it('changes nothing when run again, by migrate() or by the file itself', async () => {
      const after = { counts: await counts(db), full: await fullSpans(db) };
      expect((await migrate(db.target, { supabase: true })).applied).toEqual([]);
      await db.query(`DELETE FROM ${S}.schema_migrations WHERE name = '${MIGRATION}'`);
      expect((await migrate(db.target, { supabase: true })).applied).toEqual([MIGRATION]);
      expect({ counts: await counts(db), full: await fullSpans(db) }).toEqual(after);
    });

    it('still takes a span row as a writer of an earlier version writes it, and the next run carries it over', async () => {
      await db.query(
        `INSERT INTO ${S}.spans (span_id, trace_id, name, kind, otel_kind, status, started_at, ended_at, duration_ms, resource)
         VALUES ('00000000000000ee', '000000000000000000000000000000ee', 'old writer', 'step', 'internal', 'ok', now(), now(), 1, '{"service.name": "old"}')`,
      );
      const read = async () => (await db.query(`SELECT resource FROM ${S}.spans_full WHERE name = 'old writer'`))[0]?.resource;
      expect(await read()).toEqual({ 'service.name': 'old' });
      await db.query(`DELETE FROM ${S}.schema_migrations WHERE name = '${MIGRATION}'`);
      await migrate(db.target, { supabase: true });
      const [row] = await db.query(`SELECT resource, resource_id IS NOT NULL AS keyed FROM ${S}.spans WHERE name = 'old writer'`);
      expect(row).toEqual({ resource: null, keyed: true });
      expect(await read()).toEqual({ 'service.name': 'old' });
    });

    it('stores the spans the sink writes next to the carried-over ones: one resource row however many spans and batches', async () => {
      const spans = await recordSpans(
        (tracer) => {
          for (let i = 0; i < 3; i++) tracer.startSpan(`tool ${i}`, { attributes: { [ATTR_SPAN_KIND]: 'tool', [ATTR_TOOL_NAME]: 'grep', [ATTR_TOOL_INPUT]: '{"q":1}' } }).end();
        },
        { 'service.name': 'writer-agent', 'service.version': '2.0.0' },
      );
      const records = spans.flatMap((span) => interpret(span));
      const sink = createPostgresSink({ ...db.options, migrate: false });
      try {
        await sink.write(records.slice(0, 4));
        await sink.write(records.slice(4));
      } finally {
        await sink.shutdown();
      }
      const resource = records.find((r) => r.type === 'span')!.resource;
      const stored = await db.query(`SELECT id::text AS id, attributes FROM ${S}.resources WHERE attributes ->> 'service.name' = 'writer-agent'`);
      expect(stored).toEqual([{ id: resourceKey(resource), attributes: resource }]);
      const full = await db.query(`SELECT resource FROM ${S}.spans_full WHERE name LIKE 'tool %'`);
      expect(full).toEqual(Array(3).fill({ resource }));
    });
  });
}

describe('the resource key', () => {
  it('is the same for the same attributes in any key order, and differs when a value does', () => {
    const key = resourceKey({ 'service.name': 'a', 'process.pid': 1, 'process.command_args': ['node', 'x'] });
    expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(resourceKey({ 'process.command_args': ['node', 'x'], 'process.pid': 1, 'service.name': 'a' })).toBe(key);
    expect(resourceKey({ 'service.name': 'a', 'process.pid': 2, 'process.command_args': ['node', 'x'] })).not.toBe(key);
    expect(resourceKey({ 'service.name': 'a', 'process.pid': 1, 'process.command_args': ['x', 'node'] })).not.toBe(key);
    expect(resourceKey({})).toBeNull();
  });
});
