import {
  ATTR_SCORE_AUTHOR,
  ATTR_SCORE_DATA_TYPE,
  ATTR_SCORE_ID,
  ATTR_SCORE_SOURCE,
  ATTR_SCORE_SPAN_ID,
  ATTR_SCORE_TARGET,
  GenAiAttributes as G,
  GenAiEvents,
  isScoreSource,
  OpenInferenceAttributes as OI,
  ScoreSources,
  ScoreTargets,
  type ScoreSource,
} from '@mini-agent/semconv';
import type { Attributes, AttributeValue } from '@opentelemetry/api';
import type { InterpretableSpan } from '../records.js';
import type { ScoreInput } from '../score.js';

/** A score found on a span, not yet checked or sanitized. */
export interface FoundScore {
  readonly id: string;
  /** The span judged; `null` for the whole session. */
  readonly targetSpanId: string | null;
  readonly input: ScoreInput;
  readonly source: ScoreSource;
  readonly author: string | undefined;
  /** Index of the event that carried it, for its time; undefined when read from span attributes. */
  readonly eventIndex: number | undefined;
  readonly metadata: Record<string, AttributeValue>;
}

const SPAN_ID = /^[0-9a-f]{16}$/i;
/** `annotations.0.annotation.name`, `evaluations.3.evaluation.score`, ... */
const OPENINFERENCE_RESULT = /^(annotations|evaluations)\.(\d+)\.(annotation|evaluation)\.(name|score|label|explanation|annotator_kind|identifier|metadata)$/;

/**
 * Every score a span carries: its `gen_ai.evaluation.result` events (OTel GenAI; `mini_agent.score.*`
 * attributes on the event add an id, a target, a data type, a source and an author), and the
 * OpenInference `annotations.<i>.annotation.*` / `evaluations.<i>.evaluation.*` results on its
 * attributes. Ids are deterministic, so a span delivered twice gives the same scores.
 */
export function findScores(span: InterpretableSpan, spanId: string): FoundScore[] {
  const found: FoundScore[] = [];
  span.events.forEach((event, index) => {
    if (event.name !== GenAiEvents.EVALUATION_RESULT) return;
    found.push(fromEvaluationEvent(event.attributes ?? {}, spanId, index));
  });
  for (const result of openInferenceResults(span.attributes)) found.push(fromOpenInference(result, spanId));
  return found;
}

function fromEvaluationEvent(a: Attributes, spanId: string, index: number): FoundScore {
  const target = a[ATTR_SCORE_TARGET] === ScoreTargets.SESSION ? null : spanIdOf(a[ATTR_SCORE_SPAN_ID]) ?? spanId;
  const source = a[ATTR_SCORE_SOURCE];
  const metadata: Record<string, AttributeValue> = {};
  const responseId = a[G.RESPONSE_ID];
  if (responseId !== undefined) metadata.response_id = responseId;
  const errorType = a[G.ERROR_TYPE];
  if (errorType !== undefined) metadata.error_type = errorType;
  return {
    id: textOf(a[ATTR_SCORE_ID]) ?? `${spanId}:${index}`,
    targetSpanId: target,
    input: {
      name: a[G.EVALUATION_NAME],
      value: a[G.EVALUATION_SCORE_VALUE],
      label: a[G.EVALUATION_SCORE_LABEL],
      explanation: a[G.EVALUATION_EXPLANATION],
      dataType: a[ATTR_SCORE_DATA_TYPE],
    },
    source: isScoreSource(source) ? source : ScoreSources.EVALUATION,
    author: textOf(a[ATTR_SCORE_AUTHOR]),
    eventIndex: index,
    metadata,
  };
}

interface OpenInferenceResult {
  readonly prefix: string;
  readonly index: string;
  readonly fields: Partial<Record<string, AttributeValue>>;
}

/** The flattened OpenInference results of a span, grouped by list and index. */
function openInferenceResults(attributes: Attributes): OpenInferenceResult[] {
  let results: Map<string, OpenInferenceResult> | undefined;
  for (const key in attributes) {
    // Cheap first test: most spans carry neither list, and most keys start with something else.
    const first = key.charCodeAt(0);
    if (first !== 97 /* a */ && first !== 101 /* e */) continue;
    const match = OPENINFERENCE_RESULT.exec(key);
    if (!match) continue;
    const [, prefix, index, , field] = match as unknown as [string, string, string, string, string];
    results ??= new Map();
    const group = `${prefix}.${index}`;
    let result = results.get(group);
    if (!result) results.set(group, (result = { prefix, index, fields: {} }));
    const value = attributes[key];
    if (value !== undefined) (result.fields as Record<string, AttributeValue>)[field] = value;
  }
  return results ? [...results.values()] : [];
}

function fromOpenInference(result: OpenInferenceResult, spanId: string): FoundScore {
  const f = result.fields;
  const identifier = textOf(f.identifier);
  const name = textOf(f.name);
  const metadata: Record<string, AttributeValue> = {};
  if (identifier !== undefined) metadata.identifier = identifier;
  if (f.metadata !== undefined) metadata.metadata = f.metadata;
  return {
    // The spec names (target span, name, identifier) as what identifies a result; list indices do not.
    id: identifier !== undefined && name !== undefined ? `${spanId}:${name}:${identifier}` : `${spanId}:${result.prefix}.${result.index}`,
    targetSpanId: spanId,
    input: { name: f.name, value: f.score, label: f.label, explanation: f.explanation },
    source: result.prefix === OI.ANNOTATIONS ? ScoreSources.ANNOTATION : ScoreSources.EVALUATION,
    author: textOf(f.annotator_kind),
    eventIndex: undefined,
    metadata,
  };
}

function spanIdOf(v: AttributeValue | undefined): string | undefined {
  return typeof v === 'string' && SPAN_ID.test(v) ? v.toLowerCase() : undefined;
}

function textOf(v: AttributeValue | undefined): string | undefined {
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}
