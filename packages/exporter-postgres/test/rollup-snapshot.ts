// What the rollups hold, in a form two states can be compared by: the suites compare the rollups
// kept by the triggers (and by partition drops) with what rebuild_rollups() computes from the rows.

const S = 'mini_agent_observability';

/** Runs one statement without parameters (both suites' query functions fit). */
type Read = (text: string) => Promise<Record<string, unknown>[]>;

const DECIMAL = /^-?\d+\.\d+$/;
/** A decimal's text without trailing zeros after the point ("0.00000000" → "0", "1.50" → "1.5"). */
const trimScale = (text: string): string => text.replace(/0+$/, '').replace(/\.$/, '');

/** Every rollup table, with the count that says whether a row still summarizes any row. */
const ROLLUPS: Record<string, { count: string; extremes: string[] }> = {
  tool_rollup: { count: 'executions', extremes: ['max_ms', 'first_at', 'last_at'] },
  tool_error_rollup: { count: 'occurrences', extremes: ['first_seen', 'last_seen'] },
  model_rollup: { count: 'generations', extremes: [] },
  session_rollup: { count: 'sessions', extremes: ['max_duration_ms'] },
  latency_histogram: { count: 'n', extremes: [] },
};

/**
 * Each rollup table's rows whose count is not 0, every column (model_rollup's cost sums and the
 * latency histograms' bins and buckets included), sorted; and per table the rows at 0 that still
 * hold a maximum or first/last time. Rows whose count fell to 0 are kept by the triggers and never
 * written by a rebuild; their extremes must be gone (NULL), since analytics read them.
 */
export async function rollupSnapshot(read: Read): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const [table, { count, extremes }] of Object.entries(ROLLUPS)) {
    const rows = await read(`SELECT * FROM ${S}.${table} WHERE ${count} <> 0`);
    // Sums of floats added in another order differ in their last bits.
    for (const row of rows) {
      if ('sum_ms' in row) row.sum_ms = Number(row.sum_ms).toFixed(6);
      // A numeric sum keeps the scale of what was added and taken away (a cost of 0.00123456 added,
      // then its row pruned, leaves 0.00000000); a rebuild that adds nothing says 0. Same number.
      for (const [column, value] of Object.entries(row)) if (typeof value === 'string' && DECIMAL.test(value)) row[column] = trimScale(value);
    }
    out[table] = rows.map((row) => JSON.stringify(row)).sort();
    if (extremes.length > 0) {
      const stale = await read(`SELECT * FROM ${S}.${table} WHERE ${count} = 0 AND (${extremes.map((c) => `${c} IS NOT NULL`).join(' OR ')})`);
      out[`${table} at 0 with extremes`] = stale.map((row) => JSON.stringify(row)).sort();
    }
  }
  return out;
}

/** The snapshot as the rollups are, then as rebuild_rollups() makes them (which it leaves in place). */
export async function rollupsAndRebuild(read: Read): Promise<{ kept: Record<string, string[]>; rebuilt: Record<string, string[]> }> {
  const kept = await rollupSnapshot(read);
  await read(`SELECT ${S}.rebuild_rollups()`);
  return { kept, rebuilt: await rollupSnapshot(read) };
}
