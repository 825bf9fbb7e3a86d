import { diag, trace, type AttributeValue } from '@opentelemetry/api';
import { checkScore, type ScoreRejection } from '@mini-agent/core';
import {
  ATTR_SCORE_AUTHOR,
  ATTR_SCORE_DATA_TYPE,
  ATTR_SCORE_ID,
  ATTR_SCORE_SOURCE,
  ATTR_SCORE_SPAN_ID,
  ATTR_SCORE_TARGET,
  GenAiAttributes,
  GenAiEvents,
  ScoreSources,
  ScoreTargets,
  type ScoreDataType,
  type ScoreSource,
} from '@mini-agent/semconv';
import { quietly } from './guard.js';

/** One judgment of the current session, or of one of its spans. */
export interface Score {
  /** What is judged: `helpfulness`, `correctness`, `user_feedback`. At most 512 characters. */
  readonly name: string;
  /** A finite number, or a boolean (a boolean score: 1 or 0). Give a value, a label, or both. */
  readonly value?: number | boolean;
  /** A category: `pass`, `relevant`, `thumbs_down`. */
  readonly label?: string;
  /** Why: the judge's reasoning, the user's comment. Redacted like every other text. */
  readonly explanation?: string;
  /** The span judged (its 16-hex span id). Default: the whole session. */
  readonly spanId?: string;
  /** The score's id: recorded again with the same id, it replaces the first in every sink. */
  readonly id?: string;
  /** `numeric`, `categorical` or `boolean`. Default: from the value. */
  readonly dataType?: ScoreDataType;
  /** Who or what judged: a user id, a judge model. */
  readonly author?: string;
  /** Default `api`. */
  readonly source?: ScoreSource;
}

/** What {@link recordScore} did: recorded, or refused with the reason (never thrown). */
export type ScoreResult =
  | { readonly recorded: true }
  | { readonly recorded: false; readonly reason: ScoreRejection; readonly message: string };

/** Scores `recordScore()` recorded and refused in this process, for `stats().scores`. */
export interface ScoreStats {
  recorded: number;
  /** By reason: `score_without_value`, `score_value_not_finite`, `score_name_too_long`, `score_without_span`, … */
  rejected: Record<string, number>;
}

const counts: ScoreStats = { recorded: 0, rejected: {} };

/** A snapshot of what {@link recordScore} recorded and refused in this process. */
export function scoreStats(): ScoreStats {
  return { recorded: counts.recorded, rejected: { ...counts.rejected } };
}

/**
 * Records a score as a `gen_ai.evaluation.result` event (the OpenTelemetry GenAI convention) on the
 * active span, so it travels with the trace to every sink: a `scores` row, a Langfuse score with
 * the same id. Without `spanId` the score judges the whole session. Bad input (no name, neither
 * value nor label, a value that is not a finite number, a name over 512 characters) and a call
 * outside any span are refused: counted in `stats().scores`, reported through `diag`, and returned
 * with the reason. Never throws. For feedback that arrives after the session has ended, use
 * `mini-agent-otel score`.
 *
 * @example
 * ```ts
 * await withSession({ name: 'answer' }, async () => {
 *   const answer = await agent.run(question);
 *   recordScore({ name: 'helpfulness', value: await judge(answer), explanation: 'judge v2' });
 * });
 * ```
 */
export function recordScore(score: Score): ScoreResult {
  return (
    quietly('recording a score', () => {
      const check = checkScore(score ?? { name: undefined });
      if (!check.ok) return refuse(check.reason, check.message);
      const active = trace.getActiveSpan();
      if (!active || !active.isRecording()) {
        return refuse('score_without_span', `score ${check.score.name}: recordScore() ran outside any recording span (use it inside withSession(), or mini-agent-otel score later)`);
      }
      const attributes: Record<string, AttributeValue> = {
        [GenAiAttributes.EVALUATION_NAME]: check.score.name,
        [ATTR_SCORE_DATA_TYPE]: check.score.dataType,
        [ATTR_SCORE_SOURCE]: score.source ?? ScoreSources.API,
      };
      if (check.score.value !== null) attributes[GenAiAttributes.EVALUATION_SCORE_VALUE] = check.score.value;
      if (check.score.label !== null) attributes[GenAiAttributes.EVALUATION_SCORE_LABEL] = check.score.label;
      if (check.score.explanation !== null) attributes[GenAiAttributes.EVALUATION_EXPLANATION] = check.score.explanation;
      if (score.spanId) attributes[ATTR_SCORE_SPAN_ID] = score.spanId;
      else attributes[ATTR_SCORE_TARGET] = ScoreTargets.SESSION;
      if (score.id) attributes[ATTR_SCORE_ID] = score.id;
      if (score.author) attributes[ATTR_SCORE_AUTHOR] = score.author;
      active.addEvent(GenAiEvents.EVALUATION_RESULT, attributes);
      counts.recorded += 1;
      return { recorded: true } as const;
    }) ?? refuse('score_without_span', 'the score could not be recorded (see the diag log)')
  );
}

function refuse(reason: ScoreRejection, message: string): ScoreResult {
  counts.rejected[reason] = (counts.rejected[reason] ?? 0) + 1;
  try {
    diag.warn(`@mini-agent/otel: score refused (${reason}): ${message}`);
  } catch {
    // A throwing diag logger has nowhere left to report to.
  }
  return { recorded: false, reason, message };
}
