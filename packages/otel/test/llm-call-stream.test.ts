import { interpret, type GenerationRecord } from '@mini-agent/core';
import { GenAiAttributes } from '@mini-agent/semconv';
import { describe, expect, it } from 'vitest';
import { withLlmCall } from '../src/index.js';
import { useInMemoryTracing } from './in-memory-tracing.js';

const tracing = useInMemoryTracing();

describe('withLlmCall, streaming', () => {
  it('firstChunk() records the time to first token, which becomes the generation’s completion start; every usage kind is priced', async () => {
    await withLlmCall({ model: 'gpt-4o-mini', provider: 'openai', input: 'hi' }, async (call) => {
      await new Promise((r) => setTimeout(r, 40));
      call.firstChunk();
      await new Promise((r) => setTimeout(r, 20));
      call.firstChunk(); // a later chunk changes nothing
      call.setUsage({ inputTokens: 1000, cacheReadInputTokens: 400, outputTokens: 500, reasoningOutputTokens: 100 });
      return 'hello';
    });
    const span = tracing.span('chat gpt-4o-mini');
    const seconds = Number(span.attributes[GenAiAttributes.RESPONSE_TIME_TO_FIRST_CHUNK]);
    expect(seconds).toBeGreaterThanOrEqual(0.035);
    // Before the second chunk: at least the 20 ms waited after it, before the span ended.
    const spanSeconds = span.duration[0] + span.duration[1] / 1e9;
    expect(seconds).toBeLessThanOrEqual(spanSeconds - 0.015);
    expect(span.attributes).toMatchObject({ [GenAiAttributes.USAGE_CACHE_READ_INPUT_TOKENS]: 400, [GenAiAttributes.USAGE_REASONING_OUTPUT_TOKENS]: 100 });

    const generation = interpret(span).find((r): r is GenerationRecord => r.type === 'generation')!;
    expect(generation.completionStartTime!.getTime() - generation.startTime.getTime()).toBeCloseTo(seconds * 1000, -1);
    expect(generation.usageByKind).toEqual({ input: 600, cacheRead: 400, cacheCreation: null, output: 400, reasoning: 100 });
    expect(generation.costUsd).toBeGreaterThan(0);
  });

  it('a call that never streams has no time to first token', () => {
    withLlmCall({ model: 'm' }, () => 'done');
    expect(tracing.span('chat m').attributes[GenAiAttributes.RESPONSE_TIME_TO_FIRST_CHUNK]).toBeUndefined();
  });
});
