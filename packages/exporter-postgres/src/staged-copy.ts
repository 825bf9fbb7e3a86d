import type { AgentRecord } from '@mini-agent/core';
import { copyBinary } from './copy-binary.js';
import type { Queryable } from './database.js';
import { conflictClause, SCHEMA, type TableMapping, type TableRow } from './tables.js';

/** One table's rows of a batch, and how they map. */
export interface TableRows {
  readonly mapping: TableMapping<AgentRecord>;
  readonly rows: readonly TableRow[];
}

/** The statements that move one table's rows through its staging table. */
interface StagedStatements {
  readonly create: string;
  readonly copy: string;
  readonly insert: string;
}

const statements = new Map<TableMapping<AgentRecord>, StagedStatements>();

/**
 * A table's staging table is a temporary twin (same columns and types, no keys, no constraints,
 * emptied at every commit): COPY fills it at COPY's speed, then one INSERT … SELECT moves the rows
 * with the table's own `ON CONFLICT` rule, so writes stay idempotent. Constraints are left to the
 * real table, where their errors name the real table and column.
 */
function stagedStatements(mapping: TableMapping<AgentRecord>): StagedStatements {
  let built = statements.get(mapping);
  if (!built) {
    const stage = `pg_temp.mini_agent_stage_${mapping.table}`;
    const names = Object.keys(mapping.columns).join(', ');
    const definitions = Object.entries(mapping.columns).map(([name, type]) => `${name} ${type}`).join(', ');
    built = {
      create: `CREATE TEMPORARY TABLE IF NOT EXISTS ${stage} (${definitions}) ON COMMIT DELETE ROWS`,
      copy: `COPY ${stage} (${names}) FROM STDIN WITH (FORMAT binary)`,
      // Key order (bytewise for text, as the rows were sorted; a uuid key sorts as its hex text does):
      // two batches writing the same rows lock them in the same order.
      insert: [
        `INSERT INTO ${SCHEMA}.${mapping.table} AS t (${names})`,
        `SELECT ${names} FROM ${stage} ORDER BY ${mapping.key.map((column) => (mapping.columns[column] === 'text' ? `${column} COLLATE "C"` : column)).join(', ')}`,
        conflictClause(mapping),
      ].join('\n'),
    };
    statements.set(mapping, built);
  }
  return built;
}

/** One table's rows, encoded for COPY before the transaction opens. */
export interface EncodedTable {
  readonly mapping: TableMapping<AgentRecord>;
  readonly body: Uint8Array;
}

/**
 * Encodes every table's rows in COPY's binary format.
 * @throws `CopyEncodingError` for a value COPY cannot carry (the caller then writes the INSERT way).
 */
export function encodeTables(tables: readonly TableRows[]): EncodedTable[] {
  return tables.map(({ mapping, rows }) => ({ mapping, body: copyBinary(rows, mapping.columns) }));
}

/**
 * Writes a batch inside an open transaction: each table's rows COPY'd into its staging table, then
 * moved into the real table by INSERT … SELECT … ON CONFLICT. The staging tables are created once
 * per connection; the statements around the COPYs are pipelined.
 */
export async function copyThroughStaging(tx: Queryable, tables: readonly EncodedTable[]): Promise<void> {
  const copyIn = tx.copyIn;
  if (!copyIn) throw new TypeError('copyThroughStaging needs a database that supports COPY');
  // The staging tables are made without waiting (the driver pipelines the statements) and checked
  // with the INSERTs; a failure aborts the transaction, so what follows it fails too and the batch
  // is never half written. The COPYs go one at a time: the driver ends a COPY's stream after the
  // next statement may have started, and a second COPY would be cancelled by it.
  const creates = Promise.all(tables.map(({ mapping }) => tx.query(stagedStatements(mapping).create)));
  creates.catch(() => {}); // awaited below
  try {
    for (const { mapping, body } of tables) await copyIn(stagedStatements(mapping).copy, body);
  } catch (error) {
    await creates; // a staging table that could not be made is the better reason
    throw error;
  }
  await Promise.all([creates, ...tables.map(({ mapping }) => tx.query(stagedStatements(mapping).insert))]);
}
