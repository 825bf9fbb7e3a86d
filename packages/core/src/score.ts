import { isScoreDataType, ScoreDataTypes, type ScoreDataType } from '@mini-agent/semconv';
import type { ScoreRejection } from './counters.js';
import { DEFAULT_LIMITS, type SanitizeLimits } from './sanitize.js';

/**
 * A score as a producer gives it, before it is checked: the fields of a `gen_ai.evaluation.result`
 * event, of an OpenInference annotation, of a `recordScore()` call or of the CLI's `score`.
 */
export interface ScoreInput {
  /** What is judged (`helpfulness`, `correctness`, `user_feedback`). Required. */
  readonly name: unknown;
  /** A finite number, or a boolean (a boolean score, stored as 1 or 0). */
  readonly value?: unknown;
  /** A category (`pass`, `relevant`, `thumbs_down`). */
  readonly label?: unknown;
  /** Why: the judge's reasoning or the user's comment. */
  readonly explanation?: unknown;
  /** `numeric`, `categorical` or `boolean`; inferred when absent. */
  readonly dataType?: unknown;
}

/** A score that passed {@link checkScore}: the fields every sink stores. */
export interface CheckedScore {
  readonly name: string;
  readonly dataType: ScoreDataType;
  readonly value: number | null;
  readonly label: string | null;
  readonly explanation: string | null;
}

/** What {@link checkScore} says: the score, or why it is refused. */
export type ScoreCheck =
  | { readonly ok: true; readonly score: CheckedScore }
  | { readonly ok: false; readonly reason: ScoreRejection; readonly message: string };

/**
 * Checks one score the way every way in does (span events, `recordScore()`, the CLI): a name no
 * longer than the name limit, a value or a label, a value that is a finite number, a boolean that
 * is 0 or 1. The data type is inferred when not given: a value makes it numeric (a JS boolean
 * boolean), a label alone categorical. Never throws.
 *
 * @example
 * ```ts
 * const check = checkScore({ name: 'helpfulness', value: 0.8 });
 * if (!check.ok) console.warn(check.message);
 * ```
 */
export function checkScore(input: ScoreInput, limits: Pick<SanitizeLimits, 'maxNameLength'> = DEFAULT_LIMITS): ScoreCheck {
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (name === '') return refuse('score_without_name', 'a score needs a name');
  if (name.length > limits.maxNameLength) {
    return refuse('score_name_too_long', `the score name is ${name.length} characters long; the limit is ${limits.maxNameLength}`);
  }
  const given = input.dataType;
  if (given !== undefined && given !== null && given !== '' && !isScoreDataType(given)) {
    return refuse('score_unknown_data_type', `unknown score data type ${JSON.stringify(String(given))}: use numeric, categorical or boolean`);
  }
  const label = textOf(input.label);
  const explanation = textOf(input.explanation);
  let value: number | null = null;
  const raw = input.value;
  if (raw !== undefined && raw !== null && raw !== '') {
    const numeric = typeof raw === 'boolean' ? Number(raw) : typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.trim()) : Number.NaN;
    if (!Number.isFinite(numeric)) return refuse('score_value_not_finite', `score ${name}: the value ${describe(raw)} is not a finite number`);
    value = numeric;
  }
  if (value === null && label === null) return refuse('score_without_value', `score ${name} has neither a value nor a label`);
  const dataType: ScoreDataType = isScoreDataType(given)
    ? given
    : typeof raw === 'boolean'
      ? ScoreDataTypes.BOOLEAN
      : value !== null
        ? ScoreDataTypes.NUMERIC
        : ScoreDataTypes.CATEGORICAL;
  if (dataType === ScoreDataTypes.BOOLEAN && value !== 0 && value !== 1) {
    return refuse('score_boolean_not_0_or_1', `boolean score ${name} needs the value 0 or 1 (or true or false)`);
  }
  if (dataType === ScoreDataTypes.NUMERIC && value === null) return refuse('score_without_value', `numeric score ${name} has no value`);
  // A categorical score is its label; a value given alone names the category.
  const category = dataType === ScoreDataTypes.CATEGORICAL && label === null ? String(value) : label;
  return { ok: true, score: { name, dataType, value, label: category, explanation } };
}

function refuse(reason: ScoreRejection, message: string): ScoreCheck {
  return { ok: false, reason, message };
}

function textOf(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  const text = typeof v === 'string' ? v : String(v);
  return text === '' ? null : text;
}

function describe(v: unknown): string {
  if (typeof v === 'number') return String(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
