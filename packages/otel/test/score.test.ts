import { GenAiAttributes as G, GenAiEvents } from '@mini-agent/semconv';
import { describe, expect, it } from 'vitest';
import { recordScore, scoreStats, withSession, withTool, type Score } from '../src/index.js';
import { useInMemoryTracing } from './in-memory-tracing.js';

const tracing = useInMemoryTracing();

const evaluations = (name: string) =>
  tracing.span(name).events.filter((e) => e.name === GenAiEvents.EVALUATION_RESULT).map((e) => e.attributes);

describe('recordScore', () => {
  it('puts a gen_ai.evaluation.result event on the active span, judging the whole session unless a span is named', async () => {
    await withSession({ name: 'answer' }, async () => {
      await withTool({ name: 'search', category: 'core' }, async (tool) => {
        expect(recordScore({ name: 'tool_choice', value: true, spanId: tool.spanContext().spanId })).toEqual({ recorded: true });
      });
      expect(recordScore({ name: 'helpfulness', value: 0.7, label: 'good', explanation: 'judge v2', id: 'j-1', author: 'gpt-judge' })).toEqual({ recorded: true });
    });
    expect(evaluations('answer')).toEqual([
      {
        [G.EVALUATION_NAME]: 'helpfulness',
        [G.EVALUATION_SCORE_VALUE]: 0.7,
        [G.EVALUATION_SCORE_LABEL]: 'good',
        [G.EVALUATION_EXPLANATION]: 'judge v2',
        'mini_agent.score.data_type': 'numeric',
        'mini_agent.score.source': 'api',
        'mini_agent.score.target': 'session',
        'mini_agent.score.id': 'j-1',
        'mini_agent.score.author': 'gpt-judge',
      },
    ]);
    const [onTool] = evaluations('execute_tool search');
    expect(onTool).toMatchObject({ [G.EVALUATION_NAME]: 'tool_choice', [G.EVALUATION_SCORE_VALUE]: 1, 'mini_agent.score.data_type': 'boolean' });
    expect(onTool!['mini_agent.score.span_id']).toBe(tracing.span('execute_tool search').spanContext().spanId);
  });

  it('refuses bad input with its reason and counts it, never throws; outside any span the score is refused too', async () => {
    const before = scoreStats();
    await withSession({ name: 'bad scores' }, async () => {
      expect(recordScore({ name: 'empty' })).toMatchObject({ recorded: false, reason: 'score_without_value' });
      expect(recordScore({ name: 'inf', value: Number.POSITIVE_INFINITY })).toMatchObject({ recorded: false, reason: 'score_value_not_finite' });
      expect(recordScore({ name: 'x'.repeat(513), value: 1 })).toMatchObject({ recorded: false, reason: 'score_name_too_long' });
      expect(recordScore(null as unknown as Score)).toMatchObject({ recorded: false, reason: 'score_without_name' });
    });
    expect(recordScore({ name: 'late', value: 1 })).toMatchObject({ recorded: false, reason: 'score_without_span', message: expect.stringContaining('mini-agent-otel score') });
    expect(evaluations('bad scores')).toEqual([]);
    const after = scoreStats();
    for (const reason of ['score_without_value', 'score_value_not_finite', 'score_name_too_long', 'score_without_name', 'score_without_span']) {
      expect(after.rejected[reason], reason).toBe((before.rejected[reason] ?? 0) + 1);
    }
    expect(after.recorded).toBe(before.recorded);
  });
});
