import type { UsageByKind } from './usage-by-kind.js';

/**
 * A price for models the price library does not know (custom, fine-tuned, self-hosted) or whose
 * price differs for you (a negotiated rate). Prices are USD per million tokens, per usage kind;
 * a kind without its own price costs what `input` (cache read, cache creation) or `output`
 * (reasoning) costs.
 */
export interface CustomPrice {
  /** A regular expression the model name must match, case-insensitive (e.g. `^my-llama-70b$`). */
  readonly pattern: string;
  /** The provider it applies to (as the span names it, case-insensitive); `null` for any provider. */
  readonly provider: string | null;
  readonly inputPerMTok: number;
  readonly outputPerMTok: number;
  readonly cacheReadPerMTok?: number | null;
  readonly cacheCreationPerMTok?: number | null;
  readonly reasoningPerMTok?: number | null;
  /** The first moment the price applies; `null` for always. */
  readonly validFrom?: Date | null;
  /** The moment it stops applying (exclusive); `null` for open-ended. */
  readonly validTo?: Date | null;
}

/** What a custom price charges for one generation, per kind, in USD. */
export interface CustomCharge {
  readonly price: CustomPrice;
  readonly usd: { input: number; cache_read: number; cache_creation: number; output: number; reasoning: number; total: number };
}

interface CompiledPrice {
  readonly price: CustomPrice;
  readonly regex: RegExp;
  readonly provider: string | null;
  readonly from: number;
  readonly to: number;
}

/**
 * The custom prices a process prices with, replaceable at any time (the Postgres exporter reloads
 * them from the `model_prices` table): `interpret()` reads whatever the set holds when a
 * generation arrives, never waiting for a reload. They take precedence over the price library.
 *
 * @example
 * ```ts
 * const prices = new CustomPrices([{ pattern: '^my-llama$', provider: null, inputPerMTok: 0.2, outputPerMTok: 0.4 }]);
 * const exporter = new LangfuseExporter({ interpretOptions: { prices } });
 * ```
 */
export class CustomPrices {
  private compiled: readonly CompiledPrice[] = [];
  /** Patterns that are not valid regular expressions, skipped; by pattern. */
  readonly invalidPatterns = new Set<string>();

  constructor(prices: readonly CustomPrice[] = []) {
    this.replace(prices);
  }

  /** How many prices the set holds. */
  get size(): number {
    return this.compiled.length;
  }

  /** The prices the set holds (valid ones), in the order they are tried. */
  list(): readonly CustomPrice[] {
    return this.compiled.map((c) => c.price);
  }

  /** Replaces every price at once: a generation is priced with the old set or the new one, never a mix. */
  replace(prices: readonly CustomPrice[]): void {
    const compiled: CompiledPrice[] = [];
    this.invalidPatterns.clear();
    for (const price of prices) {
      let regex: RegExp;
      try {
        regex = new RegExp(price.pattern, 'i');
      } catch {
        this.invalidPatterns.add(price.pattern);
        continue;
      }
      compiled.push({
        price,
        regex,
        provider: price.provider ? price.provider.toLowerCase() : null,
        from: price.validFrom?.getTime() ?? Number.NEGATIVE_INFINITY,
        to: price.validTo?.getTime() ?? Number.POSITIVE_INFINITY,
      });
    }
    // A provider's own price before one for any provider; then the latest start: the price in force.
    compiled.sort((a, b) => Number(b.provider !== null) - Number(a.provider !== null) || b.from - a.from);
    this.compiled = compiled;
  }

  /** The price in force for `model` of `provider` at `at`, or undefined. */
  find(model: string, provider: string | null, at: Date): CustomPrice | undefined {
    const time = at.getTime();
    const given = provider?.toLowerCase() ?? null;
    for (const c of this.compiled) {
      if (c.provider !== null && c.provider !== given) continue;
      if (time < c.from || time >= c.to) continue;
      if (c.regex.test(model)) return c.price;
    }
    return undefined;
  }

  /** What the price in force charges for these tokens, or undefined when no custom price applies. */
  charge(model: string, provider: string | null, at: Date, usage: UsageByKind): CustomCharge | undefined {
    const price = this.find(model, provider, at);
    if (!price) return undefined;
    const perToken = (perMTok: number | null | undefined, fallback: number) => (perMTok ?? fallback) / 1e6;
    const usd = {
      input: (usage.input ?? 0) * perToken(price.inputPerMTok, 0),
      cache_read: (usage.cacheRead ?? 0) * perToken(price.cacheReadPerMTok, price.inputPerMTok),
      cache_creation: (usage.cacheCreation ?? 0) * perToken(price.cacheCreationPerMTok, price.inputPerMTok),
      output: (usage.output ?? 0) * perToken(price.outputPerMTok, 0),
      reasoning: (usage.reasoning ?? 0) * perToken(price.reasoningPerMTok, price.outputPerMTok),
      total: 0,
    };
    usd.total = usd.input + usd.cache_read + usd.cache_creation + usd.output + usd.reasoning;
    return { price, usd };
  }
}
