import type { AgentRecord } from '@mini-agent/core';
import type { Database, Statement } from './database.js';
import { insertStatement, mergeTraceRows, TABLES, type TableMapping, type TableRow } from './tables.js';

/** The INSERT of each table, built once: the same text every batch, on every driver. */
const STATEMENTS = new Map(
  Object.entries(TABLES).map(([type, mapping]) => [type, insertStatement(mapping as TableMapping<AgentRecord>)]),
);

/**
 * The statements that store `records`: one multi-row, idempotent INSERT per table that has rows.
 * Exported for tests and for callers that want the SQL without a connection.
 */
export function statementsFor(records: readonly AgentRecord[]): Statement[] {
  const rowsByType = new Map<string, TableRow[]>();
  const tracesById = new Map<string, TableRow>();
  for (const record of records) {
    const mapping = TABLES[record.type] as TableMapping<AgentRecord>;
    const row = mapping.toRow(record);
    if (record.type === 'trace') {
      const seen = tracesById.get(record.traceId);
      tracesById.set(record.traceId, seen ? mergeTraceRows(seen, row) : row);
      continue;
    }
    let rows = rowsByType.get(record.type);
    if (!rows) rowsByType.set(record.type, (rows = []));
    rows.push(row);
  }
  if (tracesById.size > 0) rowsByType.set('trace', [...tracesById.values()]);
  const statements: Statement[] = [];
  for (const [type, mapping] of Object.entries(TABLES)) {
    const rows = rowsByType.get(type);
    if (!rows) continue;
    // Rows in key order: two batches writing the same rows at once lock them in the same order,
    // so they wait for each other instead of deadlocking.
    const key = mapping.key;
    rows.sort((a, b) => (String(a[key]) < String(b[key]) ? -1 : String(a[key]) > String(b[key]) ? 1 : 0));
    statements.push({ text: STATEMENTS.get(type) as string, params: [JSON.stringify(rows)] });
  }
  return statements;
}

/** Stores one batch of records in one transaction: all of it or, on error, none of it. */
export async function writeRecords(db: Database, records: readonly AgentRecord[]): Promise<void> {
  const statements = statementsFor(records);
  if (statements.length > 0) await db.transactionBatch(statements);
}
