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
  | 'redacted';

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
