import { GenAiAttributes as G, LangfuseAttributes as L, OpenInferenceAttributes as OI, VercelAiAttributes as V } from '@mini-agent/semconv';
import { calcPrice } from '@pydantic/genai-prices';
import { recordSpans } from '@mini-agent/test-support';
import { describe, expect, it } from 'vitest';
import { CustomPrices, Interpreter, priceLibraryVersion, type GenerationRecord } from '../src/index.js';
import { spanWith } from './convention-spans.js';

/** The generation record `interpret()` makes from a span with these attributes. */
async function generationOf(attributes: Record<string, string | number>, interpreter = new Interpreter()): Promise<GenerationRecord> {
  const span = await spanWith(attributes, { name: 'chat' });
  const found = interpreter.interpret(span).filter((r): r is GenerationRecord => r.type === 'generation');
  expect(found).toHaveLength(1);
  return found[0]!;
}

const chat = (model: string, provider: string, usage: Record<string, number>) => ({
  [G.OPERATION_NAME]: 'chat',
  [G.REQUEST_MODEL]: model,
  [G.PROVIDER_NAME]: provider,
  ...usage,
});

describe('the cost of a generation, computed where records are made', () => {
  it('gpt-4o-mini (openai), 1,000 in and 500 out, costs what the price library says', async () => {
    const g = await generationOf(chat('gpt-4o-mini', 'openai', { [G.USAGE_INPUT_TOKENS]: 1000, [G.USAGE_OUTPUT_TOKENS]: 500 }));
    const library = calcPrice({ input_tokens: 1000, output_tokens: 500 }, 'gpt-4o-mini', { providerId: 'openai' })!;
    expect(g.costUsd).toBe(library.total_price);
    expect(g.costDetails).toMatchObject({ source: '@pydantic/genai-prices', version: priceLibraryVersion(), model: 'gpt-4o-mini', provider: 'openai' });
    expect(priceLibraryVersion()).toBe('0.1.8');
    expect(g.usageByKind).toEqual({ input: 1000, cacheRead: null, cacheCreation: null, output: 500, reasoning: null });
  });

  it('400 cached input tokens of gpt-4o-mini are priced at the cached price', async () => {
    const g = await generationOf(chat('gpt-4o-mini', 'openai', { [G.USAGE_INPUT_TOKENS]: 1000, [G.USAGE_OUTPUT_TOKENS]: 500, [G.USAGE_CACHE_READ_INPUT_TOKENS]: 400 }));
    const library = calcPrice({ input_tokens: 1000, cache_read_tokens: 400, output_tokens: 500 }, 'gpt-4o-mini', { providerId: 'openai' })!;
    const uncached = calcPrice({ input_tokens: 1000, output_tokens: 500 }, 'gpt-4o-mini', { providerId: 'openai' })!;
    expect(g.costUsd).toBe(library.total_price);
    expect(g.costUsd).toBeLessThan(uncached.total_price);
    const usd = (g.costDetails as { usd: Record<string, number> }).usd;
    expect(usd.cache_read).toBeCloseTo((400 * (library.model_price.cache_read_mtok as number)) / 1e6, 15);
    expect(usd.input! + usd.cache_read!).toBeCloseTo(library.input_price, 15);
    expect(g.usageByKind).toMatchObject({ input: 600, cacheRead: 400 });
  });

  it('Anthropic cache writes and reads are priced at their own rates', async () => {
    const g = await generationOf(chat('claude-sonnet-4-20250514', 'anthropic', {
      [G.USAGE_INPUT_TOKENS]: 5000,
      [G.USAGE_CACHE_READ_INPUT_TOKENS]: 3000,
      [G.USAGE_CACHE_CREATION_INPUT_TOKENS]: 1500,
      [G.USAGE_OUTPUT_TOKENS]: 300,
    }));
    const library = calcPrice({ input_tokens: 5000, cache_read_tokens: 3000, cache_write_tokens: 1500, output_tokens: 300 }, 'claude-sonnet-4-20250514', { providerId: 'anthropic' })!;
    expect(g.costUsd).toBe(library.total_price);
    const usd = (g.costDetails as { usd: Record<string, number> }).usd;
    expect(usd.cache_creation).toBeCloseTo((1500 * (library.model_price.cache_write_mtok as number)) / 1e6, 15);
    expect(usd.cache_read).toBeCloseTo((3000 * (library.model_price.cache_read_mtok as number)) / 1e6, 15);
    expect(g.usageByKind).toEqual({ input: 500, cacheRead: 3000, cacheCreation: 1500, output: 300, reasoning: null });
  });

  it("Anthropic's own input count (cache left out) is made a total before pricing, and noted", async () => {
    // Anthropic's API reports input_tokens without the cache: 20 uncached, 3,000 read, 1,500 written.
    const g = await generationOf(chat('claude-sonnet-4-20250514', 'anthropic', {
      [G.USAGE_INPUT_TOKENS]: 20,
      [G.USAGE_CACHE_READ_INPUT_TOKENS]: 3000,
      [G.USAGE_CACHE_CREATION_INPUT_TOKENS]: 1500,
      [G.USAGE_OUTPUT_TOKENS]: 300,
    }));
    const library = calcPrice({ input_tokens: 4520, cache_read_tokens: 3000, cache_write_tokens: 1500, output_tokens: 300 }, 'claude-sonnet-4-20250514', { providerId: 'anthropic' })!;
    expect(g.costUsd).toBe(library.total_price);
    expect(g.usage.input).toBe(4520);
    expect(g.usageByKind.input).toBe(20);
    expect(g.costDetails).toMatchObject({ notes: ['input_excluded_cache'] });
  });

  it('AI SDK 5 Anthropic calls (input without cache reads) are priced with the cache reads counted once', async () => {
    const g = await generationOf({
      [V.OPERATION_ID]: 'ai.generateText.doGenerate',
      [V.MODEL_ID]: 'claude-sonnet-4-20250514',
      [V.MODEL_PROVIDER]: 'anthropic.messages',
      [V.USAGE_INPUT_TOKENS]: 1200,
      [V.USAGE_CACHED_INPUT_TOKENS]: 800,
      [V.USAGE_OUTPUT_TOKENS]: 100,
    });
    const library = calcPrice({ input_tokens: 2000, cache_read_tokens: 800, output_tokens: 100 }, 'claude-sonnet-4-20250514', { providerId: 'anthropic' })!;
    expect(g.usage.input).toBe(2000);
    expect(g.costUsd).toBe(library.total_price);
  });

  it('Google (gcp.gemini) is priced by the library, reasoning at the output price', async () => {
    const g = await generationOf(chat('gemini-2.5-flash', 'gcp.gemini', {
      [G.USAGE_INPUT_TOKENS]: 2000,
      [G.USAGE_OUTPUT_TOKENS]: 900,
      [G.USAGE_REASONING_OUTPUT_TOKENS]: 600,
    }));
    const library = calcPrice({ input_tokens: 2000, output_tokens: 900 }, 'gemini-2.5-flash', { providerId: 'google' })!;
    expect(g.costUsd).toBe(library.total_price);
    expect(g.costDetails).toMatchObject({ provider: 'google' });
    expect(g.usageByKind).toMatchObject({ output: 300, reasoning: 600 });
    const usd = (g.costDetails as { usd: Record<string, number> }).usd;
    expect(usd.output! + usd.reasoning!).toBeCloseTo(library.output_price, 15);
  });

  it('a model priced only through custom prices (model_prices) uses them, per kind, from its valid_from on', async () => {
    const prices = new CustomPrices([
      { pattern: '^acme-llm-70b$', provider: null, inputPerMTok: 0.5, outputPerMTok: 1.5, cacheReadPerMTok: 0.05, validFrom: new Date('2020-01-01') },
      { pattern: '^acme-llm-70b$', provider: null, inputPerMTok: 9, outputPerMTok: 9, validFrom: new Date('2999-01-01') },
    ]);
    const interpreter = new Interpreter({ prices });
    const attributes = chat('acme-llm-70b', 'acme', { [G.USAGE_INPUT_TOKENS]: 1000, [G.USAGE_CACHE_READ_INPUT_TOKENS]: 200, [G.USAGE_OUTPUT_TOKENS]: 100 });
    expect(calcPrice({ input_tokens: 1000, output_tokens: 100 }, 'acme-llm-70b', { providerId: 'acme' })).toBeNull();
    const g = await generationOf(attributes, interpreter);
    expect(g.costUsd).toBeCloseTo((800 * 0.5 + 200 * 0.05 + 100 * 1.5) / 1e6, 15);
    expect(g.costDetails).toMatchObject({ source: 'model_prices', pattern: '^acme-llm-70b$', valid_from: '2020-01-01T00:00:00.000Z' });

    // Replaced while running: the next generation sees the new set.
    prices.replace([{ pattern: '^acme-', provider: 'acme', inputPerMTok: 1, outputPerMTok: 2 }]);
    const next = await generationOf(attributes, interpreter);
    expect(next.costUsd).toBeCloseTo((800 * 1 + 200 * 1 + 100 * 2) / 1e6, 15);
  });

  it('a custom price takes precedence over the library for a model the library knows', async () => {
    const interpreter = new Interpreter({ prices: [{ pattern: '^gpt-4o-mini$', provider: 'openai', inputPerMTok: 0.1, outputPerMTok: 0.2 }] });
    const g = await generationOf(chat('gpt-4o-mini', 'openai', { [G.USAGE_INPUT_TOKENS]: 1000, [G.USAGE_OUTPUT_TOKENS]: 500 }), interpreter);
    expect(g.costUsd).toBeCloseTo((1000 * 0.1 + 500 * 0.2) / 1e6, 15);
    expect(g.costDetails).toMatchObject({ source: 'model_prices' });
  });

  it('an unknown model has no cost and says why; so has a call without usage', async () => {
    const unknown = await generationOf(chat('my-private-model', 'openai', { [G.USAGE_INPUT_TOKENS]: 10, [G.USAGE_OUTPUT_TOKENS]: 5 }));
    expect(unknown.costUsd).toBeNull();
    expect(unknown.costDetails).toMatchObject({ reason: 'unknown_model', model: 'my-private-model', provider: 'openai', version: '0.1.8' });
    const noUsage = await generationOf({ [G.OPERATION_NAME]: 'chat', [G.REQUEST_MODEL]: 'gpt-4o-mini' });
    expect(noUsage.costUsd).toBeNull();
    expect(noUsage.costDetails).toMatchObject({ reason: 'no_usage' });
  });

  it('a cost the span reports wins over the computed one and is marked as reported', async () => {
    const usage = { [G.USAGE_INPUT_TOKENS]: 1000, [G.USAGE_OUTPUT_TOKENS]: 500 };
    const genAi = await generationOf({ ...chat('gpt-4o-mini', 'openai', usage), [G.USAGE_COST]: 0.25 });
    expect(genAi.costUsd).toBe(0.25);
    expect(genAi.costDetails).toMatchObject({ source: 'reported', attribute: 'gen_ai.usage.cost' });

    const openInference = await generationOf({
      [OI.SPAN_KIND]: 'LLM', [OI.LLM_MODEL_NAME]: 'gpt-4o-mini', [OI.LLM_TOKEN_COUNT_PROMPT]: 100,
      [OI.LLM_COST_PROMPT]: 0.003, [OI.LLM_COST_PROMPT_CACHE_READ]: 0.001, [OI.LLM_COST_COMPLETION]: 0.002,
    });
    expect(openInference.costUsd).toBeCloseTo(0.005, 15);
    expect(openInference.costDetails).toMatchObject({ source: 'reported', usd: { cache_read: 0.001, output: 0.002 } });
    expect((openInference.costDetails as { usd: Record<string, number> }).usd.input).toBeCloseTo(0.002, 15);

    const langfuse = await generationOf({
      [L.OBSERVATION_TYPE]: 'generation', [L.OBSERVATION_MODEL]: 'gpt-4o-mini',
      [L.OBSERVATION_COST_DETAILS]: JSON.stringify({ input: 0.01, input_cached_tokens: 0.002, output: 0.03 }),
    });
    expect(langfuse.costUsd).toBeCloseTo(0.042, 15);
    expect(langfuse.costDetails).toMatchObject({ source: 'reported', attribute: L.OBSERVATION_COST_DETAILS, usd: { cache_read: 0.002 } });
  });

  it('prices the call at its own time: a price that changed later is not applied to an older call', async () => {
    const attributes = chat('claude-opus-4-6', 'anthropic', { [G.USAGE_INPUT_TOKENS]: 300_000, [G.USAGE_OUTPUT_TOKENS]: 1000 });
    const costAt = async (iso: string) => {
      const spans = await recordSpans((tracer) => tracer.startSpan('chat', { attributes, startTime: new Date(iso) }).end(new Date(Date.parse(iso) + 1000)));
      const g = new Interpreter().interpret(spans[0]!).find((r): r is GenerationRecord => r.type === 'generation')!;
      return g.costUsd;
    };
    const price = (iso: string) => calcPrice({ input_tokens: 300_000, output_tokens: 1000 }, 'claude-opus-4-6', { providerId: 'anthropic', timestamp: new Date(iso) })!.total_price;
    // The library's data changes this model's long-context price on 2026-03-13.
    expect(price('2026-01-01T00:00:00Z')).not.toBe(price('2026-06-01T00:00:00Z'));
    expect(await costAt('2026-01-01T00:00:00Z')).toBe(price('2026-01-01T00:00:00Z'));
    expect(await costAt('2026-06-01T00:00:00Z')).toBe(price('2026-06-01T00:00:00Z'));
  });
});
