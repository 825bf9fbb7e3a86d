// The duplicate-generation stage on real SDK spans: two instrumentations reporting one model call
// (nested spans, the same model, overlapping times) become one generation; everything else passes
// through untouched, as the very array handed in.
import { recordSpans } from '@mini-agent/test-support';
import { describe, expect, it } from 'vitest';
import { DuplicateGenerations, interpret, type AgentRecord, type SpanRecord } from '../src/index.js';

const T0 = Date.now();
const chat = (model: string) => ({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': model, 'gen_ai.usage.input_tokens': 10 });

/** An outer LLM span (`outer`) around an inner one (`inner`), plus a tool span beside them, in end order. */
async function nestedCalls(outerModel: string, innerModel: string) {
  return recordSpans((tracer) => {
    tracer.startActiveSpan('session', (session) => {
      // Times of a real call (hundreds of milliseconds), the inner span inside the outer one.
      tracer.startActiveSpan('outer', { attributes: chat(outerModel), startTime: T0 }, (outer) => {
        tracer.startSpan('inner', { attributes: chat(innerModel), startTime: T0 + 5 }).end(T0 + 400);
        outer.end(T0 + 410);
      });
      tracer.startSpan('tool', { attributes: { 'mini_agent.span.kind': 'tool', 'mini_agent.tool.name': 'grep' } }).end();
      session.end();
    });
  });
}

const records = (spans: Awaited<ReturnType<typeof nestedCalls>>) => spans.flatMap((s) => interpret(s));
const generations = (out: readonly AgentRecord[]) => out.filter((r) => r.type === 'generation').map((r) => r.spanId);
const spanRecord = (out: readonly AgentRecord[], spanId: string) => out.find((r): r is SpanRecord => r.type === 'span' && r.spanId === spanId)!;

describe('DuplicateGenerations', () => {
  it('keeps the first report of a call (the inner span) and marks the outer one a duplicate of it', async () => {
    const spans = await nestedCalls('gpt-4o', 'gpt-4o-2024-08-06');
    const [inner, outer] = [spans.find((s) => s.name === 'inner')!, spans.find((s) => s.name === 'outer')!];
    const stage = new DuplicateGenerations();
    const input = records(spans);
    const out = stage.process(input);
    expect(generations(out)).toEqual([inner.spanContext().spanId]);
    expect(spanRecord(out, outer.spanContext().spanId).duplicateOf).toBe(inner.spanContext().spanId);
    expect(spanRecord(out, inner.spanContext().spanId).duplicateOf ?? null).toBeNull();
    // Only the outer generation is gone; every other record is there, in its order, unchanged.
    const dropped = input.filter((r) => r.type === 'generation' && r.spanId === outer.spanContext().spanId);
    expect(out).toHaveLength(input.length - dropped.length);
    expect(out.filter((r) => r.type !== 'span' || r.spanId !== outer.spanContext().spanId)).toEqual(input.filter((r) => !dropped.includes(r) && (r.type !== 'span' || r.spanId !== outer.spanContext().spanId)));
    expect(stage.stats()).toEqual({ dropped: { nested_same_model: 1 } });
  });

  it('recognizes the second report when it comes in a later batch', async () => {
    const spans = await nestedCalls('claude-sonnet-4', 'claude-sonnet-4');
    const stage = new DuplicateGenerations();
    const innerBatch = records(spans.filter((s) => s.name === 'inner'));
    expect(stage.process(innerBatch)).toBe(innerBatch);
    const rest = stage.process(records(spans.filter((s) => s.name !== 'inner')));
    expect(generations(rest)).toEqual([]);
    expect(stage.stats().dropped.nested_same_model).toBe(1);
  });

  it('hands back the very array when nothing is a duplicate: other models, or calls not nested', async () => {
    const stage = new DuplicateGenerations();
    const differentModels = records(await nestedCalls('gpt-4o', 'claude-sonnet-4'));
    expect(stage.process(differentModels)).toBe(differentModels);
    const sideBySide = records(
      await recordSpans((tracer) => {
        tracer.startActiveSpan('session', (session) => {
          tracer.startSpan('first', { attributes: chat('gpt-4o') }).end();
          tracer.startSpan('second', { attributes: chat('gpt-4o') }).end();
          session.end();
        });
      }),
    );
    expect(stage.process(sideBySide)).toBe(sideBySide);
    expect(generations(sideBySide)).toHaveLength(2);
    expect(stage.stats()).toEqual({ dropped: {} });
  });
});
