import type { TableRow } from './tables.js';

/** `\N`: NULL in COPY's text format. */
const NULL = '\\N';
const NEEDS_ESCAPE = /[\\\n\r\t]/;
const ESCAPED = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A value as a field of COPY's text format: backslash, newline, carriage return and tab escaped. */
function escape(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPED, (c) => ESCAPES[c] as string) : text;
}

/** One element of a `text[]` literal: quoted, with its quotes and backslashes escaped. */
function arrayElement(item: unknown): string {
  return `"${String(item).replace(/["\\]/g, '\\$&')}"`;
}

/**
 * One value as a COPY text field for a column of SQL type `type`. Values that JSON would turn
 * into `null` (an invalid Date, a non-finite number) are NULL here too, so both write paths store
 * the same thing.
 */
function field(value: unknown, type: string): string {
  if (value === null || value === undefined) return NULL;
  switch (type) {
    case 'jsonb':
      return escape(JSON.stringify(value));
    case 'timestamptz':
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? NULL : value.toISOString();
      return escape(String(value));
    case 'boolean':
      return value ? 't' : 'f';
    case 'double precision':
    case 'bigint':
      return typeof value === 'number' && !Number.isFinite(value) ? NULL : String(value);
    case 'text[]':
      return Array.isArray(value) ? escape(`{${value.map(arrayElement).join(',')}}`) : NULL;
    default:
      return escape(String(value));
  }
}

/**
 * Rows as the body of `COPY … FROM STDIN` (text format): one line a row, fields in the order of
 * `columns` (name → SQL type).
 */
export function copyText(rows: readonly TableRow[], columns: Readonly<Record<string, string>>): string {
  const names = Object.keys(columns);
  const types = names.map((name) => columns[name] as string);
  const lines: string[] = new Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as TableRow;
    let line = field(row[names[0] as string], types[0] as string);
    for (let c = 1; c < names.length; c++) line += `\t${field(row[names[c] as string], types[c] as string)}`;
    lines[r] = line;
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
