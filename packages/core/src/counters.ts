/** Why a value was changed on its way to the sinks. Each change is counted under one reason. */
export type SanitizeReason =
  | 'nul_byte'
  | 'lone_surrogate'
  | 'non_finite_number'
  | 'invalid_number'
  | 'truncated'
  | 'too_deep'
  | 'circular'
  | 'unserializable'
  | 'invalid_time'
  | 'invalid_id'
  | 'unknown_category'
  | 'invalid_kind'
  | 'redacted'
  | ScoreRejection;

/**
 * Why a score was refused (counted, never thrown): no name, neither a value nor a label, a value
 * that is not a finite number, a name over the name limit, a boolean that is not 0 or 1, an
 * unknown data type, or a score with no span to carry it (`recordScore()` outside any span).
 */
export type ScoreRejection =
  | 'score_without_name'
  | 'score_without_value'
  | 'score_value_not_finite'
  | 'score_name_too_long'
  | 'score_boolean_not_0_or_1'
  | 'score_unknown_data_type'
  | 'score_without_span';

/**
 * Counts what interpretation changed. One instance is shared by an exporter across batches,
 * so `stats()` can report every sanitized, truncated and redacted value: nothing is altered silently.
 */
export class SanitizeCounters {
  private readonly counts = new Map<SanitizeReason, number>();
  private changes = 0;

  /** Counts one change. */
  add(reason: SanitizeReason, n = 1): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + n);
    this.changes += n;
  }

  /** Changes counted so far, for every reason: when it has not moved, nothing was altered in between. */
  get total(): number {
    return this.changes;
  }

  /** How often `reason` happened. */
  get(reason: SanitizeReason): number {
    return this.counts.get(reason) ?? 0;
  }

  /** Every reason seen so far with its count. */
  toJSON(): Partial<Record<SanitizeReason, number>> {
    return Object.fromEntries(this.counts);
  }
}
