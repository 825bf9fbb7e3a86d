import { ATTR_DECISION_CHOSEN, ATTR_DECISION_OPTIONS, ATTR_DECISION_REASONING, ATTR_DECISION_TYPE } from '@mini-agent/semconv';
import type { Attributes } from '@opentelemetry/api';
import type { DecisionRecord } from '../records.js';
import { nullable, optionalString, type RecordContext } from './shared.js';

/** What a decision says, read from a decision span's facts or a decision event's attributes. */
export interface DecisionFields {
  readonly type: unknown;
  readonly options: unknown;
  readonly chosen: string | undefined;
  readonly reasoning: string | undefined;
}

/** A decision record: `id` is the span id for a decision span, `spanId:index` for a decision event. */
export function decisionRecord(
  ctx: RecordContext,
  base: { traceId: string; spanId: string },
  id: string,
  decidedAt: Date,
  d: DecisionFields,
): DecisionRecord {
  const s = ctx.sanitizer;
  return {
    traceId: base.traceId,
    spanId: base.spanId,
    type: 'decision',
    id,
    decisionType: s.name(String(d.type)),
    options: ctx.value(d.options, undefined, 'options'),
    chosen: nullable(d.chosen, s),
    reasoning: nullable(d.reasoning, s),
    decidedAt,
  };
}

/** The fields of a `mini_agent.decision` event. */
export function decisionEventFields(a: Attributes): DecisionFields {
  return {
    type: typeof a[ATTR_DECISION_TYPE] === 'string' ? a[ATTR_DECISION_TYPE] : 'decision',
    options: a[ATTR_DECISION_OPTIONS],
    chosen: optionalString(a[ATTR_DECISION_CHOSEN]),
    reasoning: optionalString(a[ATTR_DECISION_REASONING]),
  };
}
