import { ATTR_SCORE_ID, ATTR_SCORE_SPAN_ID, ATTR_SCORE_TARGET, GenAiAttributes as G, GenAiEvents } from '@mini-agent/semconv';
import { recordSpans } from '@mini-agent/test-support';
import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { checkScore, Interpreter, type ScoreRecord } from '../src/index.js';
import { spanWith } from './convention-spans.js';

/** A real SDK span carrying `gen_ai.evaluation.result` events. */
async function evaluatedSpan(events: Attributes[], attributes: Attributes = {}): Promise<ReadableSpan> {
  const [span] = await recordSpans((tracer) => {
    const s = tracer.startSpan('chat gpt-4o', { attributes: { [G.OPERATION_NAME]: 'chat', 'mini_agent.session.id': 'sess-1', ...attributes } });
    for (const e of events) s.addEvent(GenAiEvents.EVALUATION_RESULT, e);
    s.end();
  });
  return span!;
}

function scoresOf(span: ReadableSpan, interpreter = new Interpreter()): ScoreRecord[] {
  return interpreter.interpret(span).filter((r): r is ScoreRecord => r.type === 'score');
}

describe('scores read from spans', () => {
  it('a gen_ai.evaluation.result event becomes a score on the span it sits on, with a deterministic id', async () => {
    const span = await evaluatedSpan([
      { [G.EVALUATION_NAME]: 'relevance', [G.EVALUATION_SCORE_VALUE]: 0.25, [G.EVALUATION_SCORE_LABEL]: 'not_relevant', [G.EVALUATION_EXPLANATION]: 'talks about the weather', [G.RESPONSE_ID]: 'chatcmpl-1' },
    ]);
    const spanId = span.spanContext().spanId;
    const [score] = scoresOf(span);
    expect(score).toMatchObject({
      id: `${spanId}:0`,
      traceId: span.spanContext().traceId,
      spanId,
      targetSpanId: spanId,
      sessionId: 'sess-1',
      name: 'relevance',
      dataType: 'numeric',
      value: 0.25,
      label: 'not_relevant',
      explanation: 'talks about the weather',
      source: 'evaluation',
      metadata: { response_id: 'chatcmpl-1' },
    });
    // The same span interpreted again (a re-delivery) gives the same id.
    expect(scoresOf(span)[0]!.id).toBe(score!.id);
  });

  it('mini_agent.score.* on the event give the caller id, a session target or another span, and a label alone is categorical', async () => {
    const span = await evaluatedSpan([
      { [G.EVALUATION_NAME]: 'verdict', [G.EVALUATION_SCORE_LABEL]: 'pass', [ATTR_SCORE_TARGET]: 'session', [ATTR_SCORE_ID]: 'judge-42' },
      { [G.EVALUATION_NAME]: 'tool_choice', [G.EVALUATION_SCORE_VALUE]: 1, [ATTR_SCORE_SPAN_ID]: 'ABCDEF0123456789' },
    ]);
    const [verdict, toolChoice] = scoresOf(span);
    expect(verdict).toMatchObject({ id: 'judge-42', targetSpanId: null, dataType: 'categorical', value: null, label: 'pass' });
    expect(toolChoice).toMatchObject({ targetSpanId: 'abcdef0123456789', value: 1 });
  });

  it('OpenInference annotations and evaluations on span attributes become scores; an identifier makes the id', async () => {
    const span = await spanWith({
      'openinference.span.kind': 'CHAIN',
      'annotations.0.annotation.name': 'hallucination',
      'annotations.0.annotation.score': 1,
      'annotations.0.annotation.label': 'hallucinated',
      'annotations.0.annotation.explanation': 'not in the documents',
      'annotations.0.annotation.annotator_kind': 'HUMAN',
      'annotations.0.annotation.identifier': 'review-7',
      'evaluations.0.evaluation.name': 'correctness',
      'evaluations.0.evaluation.label': 'correct',
      'evaluations.0.evaluation.annotator_kind': 'LLM',
    });
    const spanId = span.spanContext().spanId;
    const scores = scoresOf(span);
    expect(scores).toHaveLength(2);
    expect(scores.find((s) => s.name === 'hallucination')).toMatchObject({
      id: `${spanId}:hallucination:review-7`, source: 'annotation', author: 'HUMAN', value: 1, label: 'hallucinated', explanation: 'not in the documents',
    });
    expect(scores.find((s) => s.name === 'correctness')).toMatchObject({ id: `${spanId}:evaluations.0`, source: 'evaluation', author: 'LLM', dataType: 'categorical' });
  });

  it('bad scores are refused with a reason and counted, never thrown: no value nor label, a value that is not finite, a name over the limit', async () => {
    const interpreter = new Interpreter();
    const span = await evaluatedSpan([
      { [G.EVALUATION_NAME]: 'empty' },
      { [G.EVALUATION_NAME]: 'nan', [G.EVALUATION_SCORE_VALUE]: 'not a number' },
      { [G.EVALUATION_NAME]: 'x'.repeat(513), [G.EVALUATION_SCORE_VALUE]: 1 },
      { [G.EVALUATION_SCORE_VALUE]: 1 },
      { [G.EVALUATION_NAME]: 'kept', [G.EVALUATION_SCORE_VALUE]: 0.5 },
    ]);
    expect(scoresOf(span, interpreter).map((s) => s.name)).toEqual(['kept']);
    expect(interpreter.counters.toJSON()).toMatchObject({
      score_without_value: 1,
      score_value_not_finite: 1,
      score_name_too_long: 1,
      score_without_name: 1,
    });
  });

  it('checkScore says why, and infers the data type', () => {
    expect(checkScore({ name: 'ok', value: Number.POSITIVE_INFINITY })).toMatchObject({ ok: false, reason: 'score_value_not_finite' });
    expect(checkScore({ name: 'ok', value: 2, dataType: 'boolean' })).toMatchObject({ ok: false, reason: 'score_boolean_not_0_or_1' });
    expect(checkScore({ name: 'ok', value: 1, dataType: 'fuzzy' })).toMatchObject({ ok: false, reason: 'score_unknown_data_type' });
    expect(checkScore({ name: 'resolved', value: true })).toMatchObject({ ok: true, score: { dataType: 'boolean', value: 1 } });
    expect(checkScore({ name: 'stars', value: '4' })).toMatchObject({ ok: true, score: { dataType: 'numeric', value: 4 } });
  });

  it('a direct score (the CLI) is checked and sanitized the same way: secrets in the explanation are masked', () => {
    const interpreter = new Interpreter();
    const record = interpreter.score({
      traceId: '4BF92F3577B34DA6A3CE929D0E0E4736',
      name: 'feedback',
      value: false,
      explanation: 'user pasted sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD in the chat',
      id: 'fb-1',
    });
    expect(record).toMatchObject({ type: 'score', id: 'fb-1', traceId: '4bf92f3577b34da6a3ce929d0e0e4736', targetSpanId: null, dataType: 'boolean', value: 0, source: 'api' });
    expect((record as ScoreRecord).explanation).not.toContain('sk-proj-abcdefghijklmnop');
    expect(interpreter.score({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', name: 'feedback' })).toMatchObject({ type: 'rejected', reason: 'score_without_value' });
  });
});
