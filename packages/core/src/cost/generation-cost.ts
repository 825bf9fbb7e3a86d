import type { JsonObject } from '../records.js';
import { CustomPrices, type CustomPrice } from './custom-prices.js';
import { libraryCharge, PRICE_LIBRARY, priceLibraryVersion } from './price-library.js';
import { hasNoUsage, type UsageByKind } from './usage-by-kind.js';

/** A cost the span states itself (`gen_ai.usage.cost`, `llm.cost.*`, Langfuse `cost_details`): USD per kind and/or `total`. */
export interface ReportedCost {
  /** The attribute it was read from. */
  readonly attribute: string;
  readonly usd: Readonly<Record<string, number>>;
}

/** Why a generation has no cost, as `cost_details.reason` says. */
export type UnpricedReason = 'no_model' | 'no_usage' | 'unknown_model' | 'price_error';

/** A generation's cost: `costUsd` null when it cannot be priced, and `costDetails` saying how or why not. */
export interface GenerationCost {
  readonly costUsd: number | null;
  readonly costDetails: JsonObject;
}

/** What pricing needs to know about one generation. */
export interface PricingInput {
  readonly model: string | null;
  readonly provider: string | null;
  /** When the call was made: prices that changed later are not applied to it. */
  readonly at: Date;
  readonly usage: UsageByKind;
  readonly reported?: ReportedCost | undefined;
  /** Notes on how the counts were read (e.g. `input_excluded_cache`), kept in the details. */
  readonly notes?: readonly string[];
}

/**
 * Prices generations, once, where records are made: a cost the span reports wins; then a custom
 * price ({@link CustomPrices}, e.g. the `model_prices` table); then the price library at the time
 * of the call. A generation that cannot be priced gets no cost (never a silent 0) and a reason.
 * Never throws.
 */
export class GenerationPricer {
  readonly prices: CustomPrices;

  constructor(prices: CustomPrices | readonly CustomPrice[] = []) {
    this.prices = prices instanceof CustomPrices ? prices : new CustomPrices(prices);
  }

  price(input: PricingInput): GenerationCost {
    const notes: JsonObject = input.notes && input.notes.length > 0 ? { notes: [...input.notes] } : {};
    const reported = input.reported ? reportedCost(input.reported) : undefined;
    if (reported) return { costUsd: reported.total, costDetails: { source: 'reported', attribute: input.reported!.attribute, usd: reported.usd, ...notes } };
    if (input.model === null) return unpriced('no_model', {});
    if (hasNoUsage(input.usage)) return unpriced('no_usage', { model: input.model });
    try {
      const custom = this.prices.charge(input.model, input.provider, input.at, input.usage);
      if (custom) {
        return {
          costUsd: custom.usd.total,
          costDetails: {
            source: 'model_prices',
            pattern: custom.price.pattern,
            provider: custom.price.provider,
            valid_from: custom.price.validFrom?.toISOString() ?? null,
            usd: custom.usd,
            ...notes,
          },
        };
      }
      const library = libraryCharge(input.model, input.provider, input.at, input.usage);
      const where = { source: PRICE_LIBRARY, version: priceLibraryVersion() };
      if (!library) return unpriced('unknown_model', { model: input.model, provider: input.provider, ...where });
      return {
        costUsd: library.usd.total ?? null,
        costDetails: { ...where, model: library.model, provider: library.provider, usd: library.usd, ...notes },
      };
    } catch (error) {
      return unpriced('price_error', { model: input.model, message: error instanceof Error ? error.message : String(error) });
    }
  }
}

function unpriced(reason: UnpricedReason, facts: JsonObject): GenerationCost {
  return { costUsd: null, costDetails: { reason, ...facts } };
}

/** The reported parts that are finite and not negative, with a total (given, else their sum); undefined when none is usable. */
function reportedCost(reported: ReportedCost): { total: number; usd: Record<string, number> } | undefined {
  const usd: Record<string, number> = {};
  for (const [key, value] of Object.entries(reported.usd)) if (Number.isFinite(value) && value >= 0) usd[key] = value;
  const parts = Object.entries(usd).filter(([key]) => key !== 'total');
  if (usd.total === undefined && parts.length === 0) return undefined;
  usd.total ??= parts.reduce((sum, [, value]) => sum + value, 0);
  return { total: usd.total, usd };
}
