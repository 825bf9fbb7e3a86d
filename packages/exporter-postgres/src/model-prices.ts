import { diag } from '@opentelemetry/api';
import type { CustomPrice, CustomPrices } from '@mini-agent/core';
import type { Queryable, Row } from './database.js';
import { SCHEMA } from './tables.js';

/** How often the `model_prices` table is read again by default: an edited price applies within a minute. */
export const DEFAULT_PRICES_REFRESH_MS = 60_000;

const SELECT_PRICES = `SELECT pattern, provider, input_usd_per_mtok::float8 AS input, output_usd_per_mtok::float8 AS output,
       cache_read_usd_per_mtok::float8 AS cache_read, cache_creation_usd_per_mtok::float8 AS cache_creation,
       reasoning_usd_per_mtok::float8 AS reasoning, valid_from, valid_to
  FROM ${SCHEMA}.model_prices`;

/** Every row of `model_prices` as a {@link CustomPrice}. */
export async function loadModelPrices(db: Queryable): Promise<CustomPrice[]> {
  const rows = await db.query(SELECT_PRICES);
  return rows.map(priceOf);
}

function priceOf(row: Row): CustomPrice {
  const number = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  const date = (v: unknown) => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v)));
  return {
    pattern: String(row.pattern),
    provider: row.provider === null || row.provider === undefined ? null : String(row.provider),
    inputPerMTok: Number(row.input),
    outputPerMTok: Number(row.output),
    cacheReadPerMTok: number(row.cache_read),
    cacheCreationPerMTok: number(row.cache_creation),
    reasoningPerMTok: number(row.reasoning),
    validFrom: date(row.valid_from),
    validTo: date(row.valid_to),
  };
}

/**
 * Keeps `prices` in step with the `model_prices` table: read once `database` is ready, then every
 * `intervalMs`, off the hot path (interpretation reads whatever the set holds). A failed read
 * keeps the prices it had and is reported once per failure streak. Prices the set held before
 * (given in code) are kept beside the table's. Returns the stop function.
 */
export function watchModelPrices(database: () => Promise<Queryable>, prices: CustomPrices, intervalMs: number): () => void {
  const fixed = prices.list();
  let failing = false;
  let stopped = false;
  const refresh = async () => {
    try {
      const rows = await loadModelPrices(await database());
      if (stopped) return;
      prices.replace([...rows, ...fixed]);
      failing = false;
      if (prices.invalidPatterns.size > 0) diag.warn(`mini-agent: model_prices patterns that are not regular expressions are ignored: ${[...prices.invalidPatterns].join(', ')}`);
    } catch (error) {
      if (!failing) diag.warn(`mini-agent: model_prices could not be read; pricing keeps the prices it had: ${error instanceof Error ? error.message : String(error)}`);
      failing = true;
    }
  };
  const first = refresh();
  const timer = setInterval(() => void refresh(), intervalMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
    void first;
  };
}
