import { ScoreSources, type ScoreSource } from '@mini-agent/semconv';
import type { AttributeValue, HrTime } from '@opentelemetry/api';
import { findScores } from './conventions/evaluations.js';
import type { SanitizeCounters, ScoreRejection } from './counters.js';
import type { AgentRecord, InterpretableSpan, JsonObject, JsonValue, ScoreRecord } from './records.js';
import type { Sanitizer } from './sanitize.js';
import { checkScore, type ScoreInput } from './score.js';

/**
 * A score given directly (the CLI's `score`, a support tool), not read from a span: where it
 * belongs and who gave it, beside the {@link ScoreInput} fields.
 */
export interface DirectScore extends ScoreInput {
  readonly traceId: string;
  /** The span judged; absent or `null` for the whole session. */
  readonly spanId?: string | null;
  readonly sessionId?: string | null;
  /** The score's id; the same id again replaces the score. Default: a random UUID. */
  readonly id?: string;
  /** Default `api`. */
  readonly source?: ScoreSource;
  readonly author?: string | null;
  /** Default now. */
  readonly createdAt?: Date;
  readonly metadata?: JsonObject;
}

/** A score refused, and why. */
export interface RejectedScore {
  readonly type: 'rejected';
  readonly reason: ScoreRejection;
  readonly message: string;
}

/** Where a score sits and what else came with it, once its fields are checked. */
export interface ScorePlacement {
  readonly traceId: string;
  /** The span that carried it (for a direct score: the span judged, or the trace's id when none). */
  readonly spanId: string;
  readonly id: string;
  readonly targetSpanId: string | null;
  readonly sessionId: string | null;
  readonly source: ScoreSource;
  readonly author: string | null | undefined;
  readonly createdAt: Date;
  readonly metadata: Readonly<Record<string, AttributeValue | JsonValue>>;
}

/**
 * Turns checked score fields into sanitized {@link ScoreRecord}s, counting every refusal under its
 * reason in the interpreter's counters (so `stats().sanitized` shows them). Held by the
 * `Interpreter`; one instance per counters.
 */
export class ScoreRecords {
  constructor(
    private readonly sanitizer: Sanitizer,
    private readonly counters: SanitizeCounters,
  ) {}

  /** The record, or why the score was refused (counted). */
  build(input: ScoreInput, at: ScorePlacement): ScoreRecord | RejectedScore {
    const s = this.sanitizer;
    const check = checkScore(input, s.limits);
    if (!check.ok) {
      this.counters.add(check.reason);
      return { type: 'rejected', reason: check.reason, message: check.message };
    }
    const score = check.score;
    return {
      type: 'score',
      traceId: at.traceId,
      spanId: at.spanId,
      id: s.name(at.id),
      targetSpanId: at.targetSpanId,
      sessionId: at.sessionId === null ? null : s.name(at.sessionId),
      name: s.name(score.name),
      dataType: score.dataType,
      value: score.value,
      label: score.label === null ? null : s.name(score.label),
      explanation: score.explanation === null ? null : s.string(score.explanation, undefined),
      source: at.source,
      author: at.author === undefined || at.author === null ? null : s.name(at.author),
      createdAt: at.createdAt,
      metadata: s.json(at.metadata, 'metadata') as JsonObject,
    };
  }

  /**
   * Appends the scores a span carries (its evaluation events, its OpenInference results) to
   * `records`; refused ones are only counted. `date` turns an event's time into a Date.
   */
  fromSpan(
    span: InterpretableSpan,
    at: { traceId: string; spanId: string; sessionId: string | null; endTime: Date },
    date: (time: HrTime) => Date,
    records: AgentRecord[],
  ): void {
    for (const found of findScores(span, at.spanId)) {
      const score = this.build(found.input, {
        traceId: at.traceId,
        spanId: at.spanId,
        id: found.id,
        targetSpanId: found.targetSpanId,
        sessionId: at.sessionId,
        source: found.source,
        author: found.author,
        createdAt: found.eventIndex === undefined ? at.endTime : date(span.events[found.eventIndex]!.time),
        metadata: found.metadata,
      });
      if (score.type === 'score') records.push(score);
    }
  }

  /** A score given directly: checked, placed on its trace (and span), sanitized. */
  direct(score: DirectScore): ScoreRecord | RejectedScore {
    const traceId = score.traceId.toLowerCase();
    const target = score.spanId ? score.spanId.toLowerCase() : null;
    return this.build(score, {
      traceId,
      // A direct score was carried by no span: the span judged stands in, or the trace for a session score.
      spanId: target ?? traceId,
      id: score.id ?? crypto.randomUUID(),
      targetSpanId: target,
      sessionId: score.sessionId ?? null,
      source: score.source ?? ScoreSources.API,
      author: score.author,
      createdAt: score.createdAt ?? new Date(),
      metadata: score.metadata ?? {},
    });
  }
}
