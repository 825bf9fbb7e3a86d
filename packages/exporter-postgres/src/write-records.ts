import type { AgentRecord } from '@mini-agent/core';
import { diag } from '@opentelemetry/api';
import type { Database, Statement } from './database.js';
import { toDeliveryError } from './delivery-errors.js';
import { CopyEncodingError } from './copy-binary.js';
import { typedEventsOf, withoutTypedEvents } from './events-once.js';
import { typedPayloadsOf, typedRowOf, withoutTypedPayloads } from './payload-once.js';
import { RESOURCES, resourceRowsOf } from './resources.js';
import { copyThroughStaging, encodeTables, type TableRows } from './staged-copy.js';
import { insertStatement, mergeTraceRows, TABLES, type TableMapping, type TableRow } from './tables.js';

/** The INSERT of each table, built once: the same text every batch, on every driver. */
const STATEMENTS = new Map(
  [RESOURCES, ...Object.values(TABLES)].map((mapping) => [mapping as TableMapping<AgentRecord>, insertStatement(mapping as TableMapping<AgentRecord>)]),
);

/**
 * The rows of a batch per table, the resources its spans point at first, then in the order of
 * {@link TABLES}: span rows without the payloads and events their typed rows store (see
 * `payload-once.ts`, `events-once.ts`), rows of one trace merged into one
 * (one statement may not touch a row twice), each table's rows in key order, so two batches
 * writing the same rows lock them in the same order and wait for each other instead of deadlocking.
 */
export function tableRowsFor(records: readonly AgentRecord[]): TableRows[] {
  const rowsByType = new Map<string, TableRow[]>();
  const tracesById = new Map<string, TableRow>();
  const scoresById = new Map<string, TableRow>();
  const typed = typedPayloadsOf(records);
  const typedEvents = typedEventsOf(records);
  for (const record of records) {
    const mapping = TABLES[record.type] as TableMapping<AgentRecord>;
    const mapped = typedRowOf(record, typed) ?? mapping.toRow(record);
    const row = record.type === 'span' ? withoutTypedEvents(withoutTypedPayloads(mapped, record, typed), record, typedEvents) : mapped;
    if (record.type === 'trace') {
      const seen = tracesById.get(record.traceId);
      tracesById.set(record.traceId, seen ? mergeTraceRows(seen, row) : row);
      continue;
    }
    if (record.type === 'score') {
      // One statement may not upsert a row twice: the last score given under an id wins.
      scoresById.set(`${record.traceId}/${record.id}`, row);
      continue;
    }
    let rows = rowsByType.get(record.type);
    if (!rows) rowsByType.set(record.type, (rows = []));
    rows.push(row);
  }
  if (tracesById.size > 0) rowsByType.set('trace', [...tracesById.values()]);
  if (scoresById.size > 0) rowsByType.set('score', [...scoresById.values()]);
  const tables: TableRows[] = [];
  // The resources the span rows point at, stored in the same transaction (already in key order).
  const resources = resourceRowsOf(records);
  if (resources.length > 0) tables.push({ mapping: RESOURCES, rows: resources });
  for (const [type, mapping] of Object.entries(TABLES)) {
    const rows = rowsByType.get(type);
    if (!rows) continue;
    rows.sort(byKey(mapping.key));
    tables.push({ mapping: mapping as TableMapping<AgentRecord>, rows });
  }
  return tables;
}

/**
 * Orders rows by their key columns, bytewise (ids are ASCII: the same order as `COLLATE "C"` in
 * the staged INSERT).
 */
function byKey(key: readonly string[]): (a: TableRow, b: TableRow) => number {
  return (a, b) => {
    for (const column of key) {
      const x = String(a[column]);
      const y = String(b[column]);
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  };
}

/**
 * The statements that store `records` without COPY (PGlite, and the fallback on a server): one
 * multi-row, idempotent INSERT per table that has rows. Exported for tests and for callers that
 * want the SQL without a connection.
 */
export function statementsFor(records: readonly AgentRecord[]): Statement[] {
  return insertStatements(tableRowsFor(records));
}

function insertStatements(tables: readonly TableRows[]): Statement[] {
  return tables.map(({ mapping, rows }) => ({ text: STATEMENTS.get(mapping) as string, params: [JSON.stringify(rows)] }));
}

let reportedCopyFallback = false;

/**
 * Stores one batch of records in one transaction: all of it or, on error, none of it. On a server,
 * through COPY (binary format) and staging tables; where COPY is not available (PGlite), with one
 * INSERT per table. A batch COPY cannot carry, or that COPY fails to write for a reason other than
 * the connection, is written again the INSERT way, which then stores it or fails with the
 * database's own words for what is wrong (the driver loses the reason of a COPY the server refused
 * after its data was sent).
 */
export async function writeRecords(db: Database, records: readonly AgentRecord[]): Promise<void> {
  const tables = tableRowsFor(records);
  if (tables.length === 0) return;
  if (db.canCopy) {
    let failure: string;
    try {
      const encoded = encodeTables(tables);
      await db.transaction((tx) => copyThroughStaging(tx, encoded));
      return;
    } catch (error) {
      if (!(error instanceof CopyEncodingError)) {
        const classified = toDeliveryError(error, { target: 'the database' });
        if (classified.retryable || classified.reason === 'too_large') throw error;
      }
      failure = error instanceof Error ? error.message : String(error);
    }
    await db.transactionBatch(insertStatements(tables));
    if (!reportedCopyFallback) {
      reportedCopyFallback = true;
      diag.warn(`mini-agent: postgres: a batch COPY could not write was stored with INSERT instead: ${failure}`);
    }
    return;
  }
  await db.transactionBatch(insertStatements(tables));
}
