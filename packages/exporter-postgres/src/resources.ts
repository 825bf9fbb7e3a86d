import { createHash } from 'node:crypto';
import type { AgentRecord, JsonObject, JsonValue } from '@mini-agent/core';
import type { TableMapping, TableRow } from './tables.js';

/** The row of `resources` for one resource: its key and its attributes. */
export interface ResourceRow extends TableRow {
  readonly id: string;
  readonly attributes: JsonObject;
}

/**
 * Each resource once (migration 083): the span rows hold a key, the `resources` table the
 * attributes. Not a record type of its own, so not in `TABLES`: its rows are made from the span
 * records of a batch.
 */
export const RESOURCES: TableMapping<AgentRecord> = {
  table: 'resources',
  key: ['id'],
  columns: { id: 'uuid', attributes: 'jsonb' },
  // The key is a hash of the attributes: a stored row already says the same. Only `seen_at` moves,
  // at most once an hour (sql/096_resource_retention.sql): prune keeps the rows seen lately. The
  // update of an older row locks it until the batch commits, so a prune running now keeps it too.
  onConflict: "DO UPDATE SET seen_at = EXCLUDED.seen_at WHERE t.seen_at < EXCLUDED.seen_at - interval '1 hour'",
  toRow: () => {
    throw new TypeError('resources rows are made by resourceRowsOf(), not from one record');
  },
};

/** Keys already computed, by resource object: every span of one provider shares its resource object. */
const keys = new WeakMap<JsonObject, string | null>();

/**
 * The key of a resource: an MD5 of its JSON with the keys sorted (so the same attributes in
 * another order give the same key), as a UUID. `null` for a resource without attributes: it gets
 * no row. Not a security boundary: the hash only names a row; 128 bits keep two resources apart.
 */
export function resourceKey(resource: JsonObject): string | null {
  let key = keys.get(resource);
  if (key !== undefined) return key;
  const names = Object.keys(resource);
  if (names.length === 0) key = null;
  else {
    const hex = createHash('md5').update(JSON.stringify(sorted(resource))).digest('hex');
    key = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  keys.set(resource, key);
  return key;
}

/** A copy with every object's keys in sorted order, arrays as they are. */
function sorted(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(sorted);
  if (value === null || typeof value !== 'object') return value;
  const out: JsonObject = {};
  for (const name of Object.keys(value).sort()) out[name] = sorted((value as JsonObject)[name] as JsonValue);
  return out;
}

/** The `resources` rows a batch's span records need, each once, in key order. */
export function resourceRowsOf(records: readonly AgentRecord[]): ResourceRow[] {
  const rows = new Map<string, ResourceRow>();
  for (const record of records) {
    if (record.type !== 'span') continue;
    const id = resourceKey(record.resource);
    if (id !== null && !rows.has(id)) rows.set(id, { id, attributes: record.resource });
  }
  return [...rows.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
