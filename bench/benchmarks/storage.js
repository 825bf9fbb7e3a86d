// 8. Storage: bytes on disk per stored span, with indexes, against the same spans' size as OTLP
// protobuf (what the standard OTLP exporter sends). The agent workload is written by the sink into
// a fresh, fully migrated database; every table then gets VACUUM (ANALYZE) and
// pg_total_relation_size (heap, TOAST, every index) is summed over the six tables.
//
// For comparison, in the same run and with the same spans, layouts written by raw COPY of the
// rows each stores (no upserts, so no dead rows): the current one, the one before 083 (the
// resource in every span row), and the one before 043/044 (keys on the span id alone plus a trace
// id index per table, and every payload also inside spans.attributes).
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Interpreter } from '@mini-agent/core';
import { createPostgresSink, findSqlDir, listMigrations } from '@mini-agent/exporter-postgres';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { copyBatch, newRowsPerBatch } from '../lib/copy-text.js';
import { fmt, progress, QUICK, writeResult } from '../lib/measure.js';
import { connectDriver, createDatabase, TABLES } from '../lib/postgres.js';
import { chunk, recordWorkload } from '../lib/workload.js';

const NAME = 'storage';
const SPANS = QUICK ? 10_000 : 30_000;
const BATCH = 2048; // what the bridge hands the sink
const OTLP_REQUEST = 512; // spans per request of the OTLP exporter (its default batch)
const TARGET = 1.5;
/** Earlier layouts: the files before `until` make it; what its rows hold (see `rowsOf`). */
const LAYOUTS = {
  before083: { until: '083_resources_once.sql', payloadOnce: true, resourceOnce: false },
  before043: { until: '043_trace_scoped_keys.sql', payloadOnce: false, resourceOnce: false },
};
/** The tables a batch writes into (`resources` from 083 on). */
const STORED_TABLES = [...TABLES, 'resources'];

progress(NAME, `recording ${SPANS.toLocaleString('en-US')} spans of the agent workload (untimed)`);
const spans = recordWorkload(SPANS);
const protobufBytes = chunk(spans, OTLP_REQUEST).reduce((sum, request) => sum + ProtobufTraceSerializer.serializeRequest(request).byteLength, 0);
const interpreter = new Interpreter();
const batches = chunk(spans, BATCH).map((batch) => batch.flatMap((span) => interpreter.interpret(span)));

/** Per table: rows, heap + TOAST bytes, index bytes, after VACUUM (ANALYZE). */
async function footprint(url) {
  const sql = connectDriver(url);
  try {
    const tables = {};
    const present = await sql.unsafe(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'mini_agent_observability'`);
    for (const table of STORED_TABLES.filter((t) => present.some((row) => row.table_name === t))) {
      await sql.unsafe(`VACUUM (ANALYZE) mini_agent_observability.${table}`);
      const [row] = await sql.unsafe(
        `SELECT (SELECT count(*) FROM mini_agent_observability.${table})::float8 AS rows,
                pg_total_relation_size($1)::float8 AS total, pg_indexes_size($1)::float8 AS indexes`,
        [`mini_agent_observability.${table}`],
      );
      tables[table] = { rows: row.rows, bytes: row.total, indexBytes: row.indexes };
    }
    const indexes = await sql.unsafe(
      `SELECT indexrelname AS name, pg_relation_size(indexrelid)::float8 AS bytes
         FROM pg_stat_user_indexes WHERE schemaname = 'mini_agent_observability' ORDER BY bytes DESC`,
    );
    const [attributes] = await sql.unsafe(`SELECT coalesce(sum(pg_column_size(attributes)), 0)::float8 AS bytes FROM mini_agent_observability.spans`);
    // What each column of the big tables costs, summed over its rows and shared out per span: where the bytes go.
    const columnBytesPerSpan = {};
    for (const table of ['spans', 'tool_executions', 'generations', 'traces', 'performance_metrics', 'decisions']) {
      const columns = await sql.unsafe(
        `SELECT column_name FROM information_schema.columns WHERE table_schema = 'mini_agent_observability' AND table_name = $1 ORDER BY ordinal_position`,
        [table],
      );
      const sums = columns.map(({ column_name: c }) => `coalesce(sum(pg_column_size(${c})), 0)::float8 / ${SPANS} AS "${c}"`);
      const [row] = await sql.unsafe(`SELECT ${sums.join(', ')} FROM mini_agent_observability.${table}`);
      columnBytesPerSpan[table] = Object.fromEntries(Object.entries(row).map(([c, v]) => [c, Math.round(v)]));
    }
    const bytes = Object.values(tables).reduce((sum, t) => sum + t.bytes, 0);
    const indexBytes = Object.values(tables).reduce((sum, t) => sum + t.indexBytes, 0);
    return {
      bytesPerSpan: bytes / SPANS,
      indexBytesPerSpan: indexBytes / SPANS,
      spanAttributesBytesPerSpan: attributes.bytes / SPANS,
      columnBytesPerSpan,
      tables,
      indexes: Object.fromEntries(indexes.map((i) => [i.name, i.bytes])),
    };
  } finally {
    await sql.end();
  }
}

/** The sink, as agents and the bridge write. */
async function throughTheSink() {
  const database = await createDatabase('storage_sink');
  const sink = createPostgresSink({ databaseUrl: database.url });
  try {
    await sink.ready;
    for (const records of batches) await sink.write(records);
    return await footprint(database.url);
  } finally {
    await sink.shutdown();
    await database.drop();
  }
}

/** Raw COPY of the rows a layout stores: `current`, or one of {@link LAYOUTS}. */
async function byCopy(layout) {
  const earlier = LAYOUTS[layout];
  let sqlDir;
  if (earlier) {
    sqlDir = mkdtempSync(join(tmpdir(), 'mini-agent-bench-sql-'));
    for (const file of listMigrations()) if (file.name < earlier.until) cpSync(join(findSqlDir(), file.name), join(sqlDir, file.name));
  }
  const database = await createDatabase(`storage_${layout}`, sqlDir ? { sqlDir } : {});
  const sql = connectDriver(database.url);
  try {
    const perBatch = newRowsPerBatch(batches, earlier ?? {});
    // An earlier table lacks the columns added after it (and its rows have nothing to give them).
    const columns = await sql.unsafe(`SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'mini_agent_observability'`);
    for (const tables of perBatch) await copyBatch(sql, earlier ? tables.map((t) => inLayout(t, columns)) : tables);
    return await footprint(database.url);
  } finally {
    await sql.end();
    await database.drop();
    if (sqlDir) rmSync(sqlDir, { recursive: true, force: true });
  }
}

/** The `count` columns that cost most, as `table.column N`. */
function largestColumns(figure, count) {
  const all = Object.entries(figure.columnBytesPerSpan).flatMap(([table, columns]) => Object.entries(columns).map(([c, bytes]) => [`${table}.${c}`, bytes]));
  return all.sort((a, b) => b[1] - a[1]).slice(0, count).map(([name, bytes]) => `${name} ${bytes}`).join(', ');
}

/** A table's rows with the mapping cut to the columns the layout's table has (`spans.resource` included before 083). */
function inLayout({ mapping, rows }, layoutColumns) {
  const own = layoutColumns.filter((c) => c.table_name === mapping.table);
  const columns = Object.fromEntries(own.filter((c) => c.column_name in mapping.columns || (mapping.table === 'spans' && c.column_name === 'resource')).map((c) => [c.column_name, mapping.columns[c.column_name] ?? 'jsonb']));
  return { mapping: { ...mapping, columns }, rows };
}

progress(NAME, `${fmt(protobufBytes / SPANS)} bytes a span as OTLP protobuf (${Math.ceil(SPANS / OTLP_REQUEST)} requests of up to ${OTLP_REQUEST}); writing through the sink`);
const sink = await throughTheSink();
progress(NAME, `through the sink: ${fmt(sink.bytesPerSpan)} bytes a span on disk (${fmt(sink.indexBytesPerSpan)} of them indexes); the same rows by COPY, current layout and the one before`);
const current = await byCopy('current');
const before083 = await byCopy('before083');
const before = await byCopy('before043');
const ratio = (figure) => figure.bytesPerSpan / (protobufBytes / SPANS);
progress(
  NAME,
  `bytes a span: sink ${fmt(sink.bytesPerSpan)} (${fmt(ratio(sink))}× protobuf), COPY current ${fmt(current.bytesPerSpan)} (${fmt(ratio(current))}×), ` +
    `COPY before 083 ${fmt(before083.bytesPerSpan)} (${fmt(ratio(before083))}×), COPY before 043 ${fmt(before.bytesPerSpan)} (${fmt(ratio(before))}×); spans.attributes ${fmt(current.spanAttributesBytesPerSpan)} vs ${fmt(before.spanAttributesBytesPerSpan)} bytes a span`,
);

writeResult(NAME, {
  title: 'Bytes on disk per stored span (tables, TOAST and indexes, after VACUUM ANALYZE) vs the OTLP protobuf size of the same spans',
  baseline: `ProtobufTraceSerializer (@opentelemetry/otlp-transformer) of the same spans, ${OTLP_REQUEST} a request, uncompressed`,
  spans: SPANS,
  protobufBytesPerSpan: protobufBytes / SPANS,
  sink,
  copyCurrentLayout: current,
  copyLayoutBefore083: before083,
  copyLayoutBefore043: before,
  ratios: [
    { label: 'bytes on disk a span vs OTLP protobuf (sink)', value: ratio(sink), target: TARGET, better: 'lower' },
    { label: '  … same rows by COPY, current layout', value: ratio(current), target: TARGET, better: 'lower', informational: true },
    { label: '  … same rows by COPY, layout before 083 (resource in every span row)', value: ratio(before083), target: TARGET, better: 'lower', informational: true },
    { label: '  … same rows by COPY, layout before 043/044', value: ratio(before), target: TARGET, better: 'lower', informational: true },
  ],
  notes: [
    `${fmt(sink.bytesPerSpan)} bytes a span on disk through the sink (${fmt(sink.indexBytesPerSpan)} indexes), ` +
      `${fmt(protobufBytes / SPANS)} as OTLP protobuf; before 083: ${fmt(before083.bytesPerSpan)} (${fmt(before083.indexBytesPerSpan)} indexes); before 043/044: ${fmt(before.bytesPerSpan)} (${fmt(before.indexBytesPerSpan)} indexes)`,
    `largest columns, bytes a span: ${largestColumns(sink, 6)}`,
  ],
});
