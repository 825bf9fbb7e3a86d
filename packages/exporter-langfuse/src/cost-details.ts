import type { GenerationRecord } from '@mini-agent/core';

/**
 * This project's usage kinds (the keys of `cost_details.usd`) under Langfuse's usage keys, the
 * same keys its `usageDetails` uses, so each cost sits beside its token count.
 */
const LANGFUSE_KEYS: Readonly<Record<string, string>> = {
  input: 'input',
  cache_read: 'input_cached_tokens',
  cache_creation: 'input_cache_creation',
  output: 'output',
  reasoning: 'output_reasoning_tokens',
  total: 'total',
};

/**
 * The generation's cost as Langfuse's `costDetails` (USD per usage key, and `total`), or null when
 * it has none. Langfuse takes a cost it is given over its own pricing, so its totals are ours;
 * a generation without a cost sends none, and Langfuse prices it (or not) by its own model list.
 */
export function costDetails(generation: GenerationRecord): Record<string, number> | null {
  // A record spooled by a version that did not price generations has no cost fields.
  if (generation.costUsd === null || generation.costUsd === undefined) return null;
  const usd = generation.costDetails?.usd;
  const out: Record<string, number> = {};
  if (usd && typeof usd === 'object' && !Array.isArray(usd)) {
    for (const [kind, value] of Object.entries(usd)) {
      if (typeof value === 'number' && Number.isFinite(value)) out[LANGFUSE_KEYS[kind] ?? kind] = value;
    }
  }
  out.total = generation.costUsd;
  return out;
}
