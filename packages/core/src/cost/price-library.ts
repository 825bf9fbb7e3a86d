import { createRequire } from 'node:module';
import type * as GenAiPrices from '@pydantic/genai-prices';
import { installedVersion } from '../sdk/peers.js';
import { totalInput, totalOutput, type UsageByKind } from './usage-by-kind.js';

/** The npm name of the price library, as recorded in `cost_details.source`. */
export const PRICE_LIBRARY = '@pydantic/genai-prices';

/** What the library charges for one generation: its total, split per kind where its prices are flat. */
export interface LibraryCharge {
  /** The library's model id and provider id that matched. */
  readonly model: string;
  readonly provider: string;
  readonly usd: Record<string, number>;
}

const require = createRequire(import.meta.url);
let library: typeof GenAiPrices | undefined;
let version: string | undefined;

/**
 * The library, loaded on the first generation rather than at import: its bundled price data is
 * ~100 ms to load, which a process that never makes an LLM call should not pay.
 */
function load(): typeof GenAiPrices {
  library ??= require(PRICE_LIBRARY) as typeof GenAiPrices;
  return library;
}

/** The library's version: its price data is bundled, so this versions the prices too. */
export function priceLibraryVersion(): string {
  version ??= installedVersion(require, PRICE_LIBRARY) ?? 'unknown';
  return version;
}

/**
 * The library's price for these tokens at `at` (historic prices apply to old calls), or undefined
 * when it knows no such model. A provider it does not know (a gateway, a self-hosted server) is
 * left to the library's matching by model name. Throws what the library throws.
 */
export function libraryCharge(model: string, provider: string | null, at: Date, usage: UsageByKind): LibraryCharge | undefined {
  const prices = load();
  const tokens: Record<string, number> = {};
  const input = totalInput(usage);
  const output = totalOutput(usage);
  if (input !== null) tokens.input_tokens = input;
  if (usage.cacheRead !== null) tokens.cache_read_tokens = usage.cacheRead;
  if (usage.cacheCreation !== null) tokens.cache_write_tokens = usage.cacheCreation;
  if (output !== null) tokens.output_tokens = output;
  const key = `${provider ?? ''}\u0000${model}`;
  const matched = matches.get(key);
  if (matched === null) return undefined;
  if (matched) {
    const result = prices.calcPrice(tokens, model, { provider: matched, timestamp: at });
    if (result) return { model: result.model.id, provider: result.provider.id, usd: perKind(result, usage) };
  }
  const known = provider ? prices.findProvider({ providerId: provider }) : undefined;
  const result = prices.calcPrice(tokens, model, known ? { provider: known, timestamp: at } : { timestamp: at });
  remember(key, result ? { ...result.provider, models: [result.model] } : null);
  if (!result) return undefined;
  return { model: result.model.id, provider: result.provider.id, usd: perKind(result, usage) };
}

/**
 * The library matches a model against every model of every provider (~0.2-0.5 ms a call). Which
 * model a (provider, name) pair matched is remembered, as a provider narrowed to that one model,
 * so the next call of the same model only applies its prices (all of its dated prices: the
 * price of the call's day is still chosen). Unknown names are remembered too. Bounded: model names
 * come from spans, and spans are hostile input.
 */
const matches = new Map<string, GenAiPrices.Provider | null>();
const MAX_MATCHES = 2_000;

function remember(key: string, match: GenAiPrices.Provider | null): void {
  if (matches.size >= MAX_MATCHES) matches.clear();
  matches.set(key, match);
}

/**
 * The library gives the input and output totals; where the matched prices are flat numbers the
 * cache and reasoning parts are split out of them (so the parts always add up to its total).
 * Tiered prices depend on the whole request, so then only the totals are given.
 */
function perKind(result: NonNullable<GenAiPrices.PriceCalculationResult>, usage: UsageByKind): Record<string, number> {
  const mtok = (key: string): number | undefined => {
    const value = result.model_price[key];
    return typeof value === 'number' ? value / 1e6 : undefined;
  };
  const usd: Record<string, number> = { input: result.input_price, output: result.output_price, total: result.total_price };
  const cacheRead = mtok('cache_read_mtok') ?? mtok('input_mtok');
  const cacheWrite = mtok('cache_write_mtok') ?? mtok('input_mtok');
  const outputPrice = mtok('output_mtok');
  if (usage.cacheRead && cacheRead !== undefined && mtok('input_mtok') !== undefined) usd.cache_read = usage.cacheRead * cacheRead;
  if (usage.cacheCreation && cacheWrite !== undefined && mtok('input_mtok') !== undefined) usd.cache_creation = usage.cacheCreation * cacheWrite;
  if (usd.cache_read !== undefined || usd.cache_creation !== undefined) usd.input = result.input_price - (usd.cache_read ?? 0) - (usd.cache_creation ?? 0);
  if (usage.reasoning && outputPrice !== undefined) {
    usd.reasoning = usage.reasoning * outputPrice;
    usd.output = result.output_price - usd.reasoning;
  }
  return usd;
}
