// Raw COPY, the baseline of the Postgres sink: rows as PostgreSQL's COPY text format, written with
// the same driver into the same tables. Written here, independently of the sink, so the baseline
// is what a user would write by hand.
import { fileURLToPath } from 'node:url';

// The row mapping the sink uses (records → column values), read from the package's build: the
// baseline must copy exactly the rows the sink writes. It is internal to the package, hence the path.
const tablesModule = fileURLToPath(new URL('../../packages/exporter-postgres/dist/tables.js', import.meta.url));
const { TABLES, SCHEMA, mergeTraceRows } = await import(tablesModule);
// The sink's binary encoder, for the second, informational baseline: raw binary COPY of the same bytes.
const { copyBinary } = await import(fileURLToPath(new URL('../../packages/exporter-postgres/dist/copy-binary.js', import.meta.url)));
// What the sink leaves out of span rows because a typed row stores it (each payload once).
const { typedPayloadsOf, withoutTypedPayloads, USUAL_PAYLOAD_KEYS } = await import(fileURLToPath(new URL('../../packages/exporter-postgres/dist/payload-once.js', import.meta.url)));
// Each event once: metric and decision events their rows hold left out of span rows.
const { typedEventsOf, withoutTypedEvents } = await import(fileURLToPath(new URL('../../packages/exporter-postgres/dist/events-once.js', import.meta.url)));
// Each resource once: the rows of `resources` a batch's spans point at.
const { RESOURCES, resourceRowsOf } = await import(fileURLToPath(new URL('../../packages/exporter-postgres/dist/resources.js', import.meta.url)));

/**
 * Rows per table for one batch of records, traces of one trace id merged as the sink merges them,
 * span rows without the payloads their typed rows hold, as the sink writes them (`payloadOnce:
 * false`: with them, as the schema before 044 stored them), and the resources the spans point at
 * (`resourceOnce: false`: each span row with its resource and all its events, as the schema
 * before 083 stored it).
 */
export function rowsOf(records, { payloadOnce = true, resourceOnce = true } = {}) {
  const byTable = new Map();
  if (resourceOnce) {
    const resources = resourceRowsOf(records);
    if (resources.length > 0) byTable.set(RESOURCES, resources);
  }
  const traces = new Map();
  const typed = payloadOnce ? typedPayloadsOf(records) : new Map();
  const typedEvents = typedEventsOf(records);
  for (const record of records) {
    const mapping = TABLES[record.type];
    const mapped = mapping.toRow(record);
    const payloadless = record.type === 'span' ? withoutTypedPayloads(mapped, record, typed) : mapped;
    const row = record.type === 'span' && resourceOnce ? withoutTypedEvents(payloadless, record, typedEvents) : payloadless;
    if (record.type === 'span' && !resourceOnce) {
      row.resource = record.resource;
      // Before 083 a usual set of payload keys was spelled out, not named; and before 098 the typed
      // values ("tool/knc") stayed in the attributes: only the payloads were left out.
      if (typeof row.payload_keys === 'string') {
        const keys = USUAL_PAYLOAD_KEYS[row.payload_keys.split('/')[0]];
        const payloads = new Set(Object.values(keys ?? {}));
        row.payload_keys = keys ?? null;
        row.attributes = Object.fromEntries(Object.entries(record.attributes).filter(([key]) => !payloads.has(key)));
      }
    }
    if (record.type === 'trace') {
      const seen = traces.get(record.traceId);
      traces.set(record.traceId, seen ? mergeTraceRows(seen, row) : row);
      continue;
    }
    let rows = byTable.get(mapping);
    if (!rows) byTable.set(mapping, (rows = []));
    rows.push(row);
  }
  if (traces.size > 0) byTable.set(TABLES.trace, [...traces.values()]);
  return [...byTable].map(([mapping, rows]) => ({ mapping, rows }));
}

const SPECIAL = /[\\\n\r\t]/;
const escape = (text) => (SPECIAL.test(text) ? text.replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t')) : text);
const arrayItem = (item) => `"${String(item).replace(/["\\]/g, '\\$&')}"`;

function field(value, type) {
  if (value === null || value === undefined) return '\\N';
  switch (type) {
    case 'jsonb':
      return escape(JSON.stringify(value));
    case 'boolean':
      return value ? 't' : 'f';
    case 'timestamptz':
      return value instanceof Date ? value.toISOString() : escape(String(value));
    case 'text[]':
      return escape(`{${value.map(arrayItem).join(',')}}`);
    default:
      return escape(String(value));
  }
}

/** The COPY statement and the text-format body for rows of one table. */
export function copyOf({ mapping, rows }) {
  const columns = Object.entries(mapping.columns);
  const lines = rows.map((row) => columns.map(([name, type]) => field(row[name], type)).join('\t'));
  const body = lines.length === 0 ? '' : `${lines.join('\n')}\n`;
  return { statement: `COPY ${SCHEMA}.${mapping.table} (${columns.map(([name]) => name).join(', ')}) FROM STDIN`, body };
}

/**
 * Writes one batch of rows with COPY, one table after the other, in one transaction. The driver
 * never settles a COPY that the server refused after the data was sent, so each COPY is followed
 * by a trivial statement: it runs once the COPY is done and fails when the COPY did.
 */
export async function copyBatch(sql, tables) {
  await sql.begin(async (tx) => {
    for (const table of tables) {
      const { statement, body } = copyOf(table);
      const stream = await tx.unsafe(statement).writable();
      await new Promise((resolve, reject) => stream.write(body, (error) => (error ? reject(error) : resolve())));
      stream.end();
      // end() hands the driver the end of the data on a later tick; until then it refuses queries.
      await new Promise((resolve) => setImmediate(resolve));
      await tx.unsafe('SELECT 1');
    }
  });
}

/** Like {@link copyBatch}, in COPY's binary format, encoded as the sink encodes it. */
export async function copyBatchBinary(sql, tables) {
  await sql.begin(async (tx) => {
    for (const { mapping, rows } of tables) {
      const statement = `COPY ${SCHEMA}.${mapping.table} (${Object.keys(mapping.columns).join(', ')}) FROM STDIN WITH (FORMAT binary)`;
      const stream = await tx.unsafe(statement).writable();
      await new Promise((resolve, reject) => stream.write(copyBinary(rows, mapping.columns), (error) => (error ? reject(error) : resolve())));
      stream.end();
      await new Promise((resolve) => setImmediate(resolve));
      await tx.unsafe('SELECT 1');
    }
  });
}

/**
 * The rows each batch adds to the tables: a trace row or a resource met in an earlier batch is
 * already there (the sink updates or skips it; a plain COPY cannot, and would fail on the duplicate key). `options` as
 * for {@link rowsOf}.
 */
export function newRowsPerBatch(batches, options) {
  // Trace rows and resources (keyed by `id` both) a later batch meets again.
  const seen = { traces: new Set(), resources: new Set() };
  return batches.map((records) =>
    rowsOf(records, options).map(({ mapping, rows }) => {
      const ids = seen[mapping.table];
      if (!ids) return { mapping, rows };
      const fresh = rows.filter((row) => !ids.has(row.id));
      for (const row of fresh) ids.add(row.id);
      return { mapping, rows: fresh };
    }),
  );
}
