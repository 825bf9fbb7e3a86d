import type { Row } from './read-only-database.js';

/**
 * A row of an analytics function as JSON: column names in camelCase (`p95_ms` → `p95Ms`), times
 * as ISO strings, everything else as the database returned it, so the numbers are the SQL's own.
 */
export function jsonRow<T>(row: Row): T {
  const out: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) {
    out[column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())] = value instanceof Date ? value.toISOString() : value;
  }
  return out as T;
}
