import type { TokenUsage } from '../records.js';

/**
 * Token counts split into the kinds a provider prices separately, each counted once: `input`
 * excludes the cached and cache-creation tokens, `output` excludes the reasoning tokens. Absent
 * counts are `null`. Their sum is what was billed.
 */
export interface UsageByKind {
  /** Input tokens read neither from nor into the prompt cache. */
  readonly input: number | null;
  /** Input tokens read from the prompt cache. */
  readonly cacheRead: number | null;
  /** Input tokens written to the prompt cache. */
  readonly cacheCreation: number | null;
  /** Output tokens other than reasoning tokens. */
  readonly output: number | null;
  /** Output tokens spent on reasoning. */
  readonly reasoning: number | null;
}

/** The kinds' names as they appear in `cost_details` and the SQL columns' comments. */
export const USAGE_KIND_KEYS = {
  input: 'input',
  cacheRead: 'cache_read',
  cacheCreation: 'cache_creation',
  output: 'output',
  reasoning: 'reasoning',
} as const satisfies Record<keyof UsageByKind, string>;

/**
 * Splits counts given the GenAI way (input includes cache reads and writes, output includes
 * reasoning) into {@link UsageByKind}, and says whether the counts were given the other way.
 *
 * Providers and instrumentations disagree: Anthropic's own `input_tokens` excludes the cache, and
 * so does what some SDKs pass on; Gemini's candidate count excludes the thinking tokens. The counts
 * themselves tell when the parts outnumber the whole: cache tokens more than the input cannot be
 * part of it, reasoning tokens more than the output neither. Then the given count is taken as
 * the uncached (non-reasoning) part; a count is never made negative. (A total is no evidence:
 * instrumentations add different things into it.)
 */
export function splitUsage(usage: TokenUsage): { kinds: UsageByKind; inputExcludedCache: boolean; outputExcludedReasoning: boolean } {
  const cacheParts = (usage.cached ?? 0) + (usage.cacheCreation ?? 0);
  const reasoning = usage.reasoning ?? 0;
  const inputExcludedCache = usage.input !== null && cacheParts > usage.input;
  const outputExcludedReasoning = usage.output !== null && reasoning > usage.output;
  return {
    kinds: {
      input: usage.input === null ? null : inputExcludedCache ? usage.input : usage.input - cacheParts,
      cacheRead: usage.cached,
      cacheCreation: usage.cacheCreation,
      output: usage.output === null ? null : outputExcludedReasoning ? usage.output : usage.output - reasoning,
      reasoning: usage.reasoning,
    },
    inputExcludedCache,
    outputExcludedReasoning,
  };
}

/** True when no count of any kind is known: nothing to price. */
export function hasNoUsage(kinds: UsageByKind): boolean {
  return kinds.input === null && kinds.cacheRead === null && kinds.cacheCreation === null && kinds.output === null && kinds.reasoning === null;
}

/** All input tokens (uncached, cache read, cache creation), or null when none is known. */
export function totalInput(kinds: UsageByKind): number | null {
  if (kinds.input === null && kinds.cacheRead === null && kinds.cacheCreation === null) return null;
  return (kinds.input ?? 0) + (kinds.cacheRead ?? 0) + (kinds.cacheCreation ?? 0);
}

/** All output tokens (including reasoning), or null when none is known. */
export function totalOutput(kinds: UsageByKind): number | null {
  if (kinds.output === null && kinds.reasoning === null) return null;
  return (kinds.output ?? 0) + (kinds.reasoning ?? 0);
}
