import type { TokenUsage } from '../records.js';
import type { GenerationCost, GenerationPricer, ReportedCost } from './generation-cost.js';
import { splitUsage, type UsageByKind } from './usage-by-kind.js';

/** A generation's counts as stored: GenAI-style totals, the same split per kind, and the cost. */
export interface PricedUsage extends GenerationCost {
  readonly usage: TokenUsage;
  readonly usageByKind: UsageByKind;
}

/**
 * Normalizes a generation's counts and prices them once. Counts given the other way (an input
 * that left the cache out, an output that left reasoning out) are turned into GenAI-style totals,
 * so `input_tokens` means the same on every row, and the details note it.
 */
export function pricedUsage(
  pricer: GenerationPricer,
  given: TokenUsage,
  call: { model: string | null; provider: string | null; at: Date; reported: ReportedCost | undefined },
): PricedUsage {
  const { kinds, inputExcludedCache, outputExcludedReasoning } = splitUsage(given);
  const notes: string[] = [];
  let usage = given;
  if (inputExcludedCache) {
    notes.push('input_excluded_cache');
    usage = { ...usage, input: (given.input ?? 0) + (given.cached ?? 0) + (given.cacheCreation ?? 0) };
  }
  if (outputExcludedReasoning) {
    notes.push('output_excluded_reasoning');
    usage = { ...usage, output: (given.output ?? 0) + (given.reasoning ?? 0) };
  }
  const cost = pricer.price({ model: call.model, provider: call.provider, at: call.at, usage: kinds, reported: call.reported, notes });
  return { usage, usageByKind: kinds, costUsd: cost.costUsd, costDetails: cost.costDetails };
}
