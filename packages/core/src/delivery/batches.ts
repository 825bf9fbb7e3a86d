import { knownJsonText } from '../json-text.js';
import type { AgentRecord } from '../records.js';
import { DeliveryError } from '../sink.js';

/** Records written (or held) together, with their estimated size. */
export interface Batch {
  records: readonly AgentRecord[];
  bytes: number;
}

/** Splits records into batches of at most `maxRecords` and (estimated) `maxBytes`; a record larger than `maxBytes` goes alone. */
export function splitBatch(records: readonly AgentRecord[], maxRecords: number, maxBytes: number): Batch[] {
  const chunks: Batch[] = [];
  let start = 0;
  let bytes = 0;
  const shared = new SharedSizes();
  for (let i = 0; i < records.length; i++) {
    const size = recordBytes(records[i]!, shared);
    if (i > start && (i - start >= maxRecords || bytes + size > maxBytes)) {
      chunks.push({ records: records.slice(start, i), bytes });
      start = i;
      bytes = 0;
    }
    bytes += size;
  }
  chunks.push({ records: start === 0 ? records : records.slice(start), bytes });
  return chunks;
}

/** Whatever a sink threw, as a DeliveryError: unclassified errors count as retryable (a network blip). */
export function asDeliveryError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  // V8 could not build the payload (e.g. "Invalid string length"): the same records fail again.
  if (error instanceof RangeError) return new DeliveryError(`batch too large for the sink: ${error.message}`, false, { cause: error, reason: 'too_large' });
  // An error the sink did not classify: assume the backend may recover (a network blip).
  return new DeliveryError(error instanceof Error ? error.message : String(error), true, { cause: error });
}

/** True when the sink said the batch is too large, or building the payload ran out of string length. */
export function isTooLarge(error: unknown): boolean {
  return error instanceof RangeError || (error instanceof DeliveryError && error.reason === 'too_large');
}

/** Records of a batch refused for good, with why (see `DeliveryErrorOptions.refused`). */
export type Refusal = NonNullable<DeliveryError['refused']>;

/**
 * The error of a failed part of a split batch, now naming everything still to deliver: what the
 * part left (all of it, unless the sink said which records remain) and the parts not tried yet;
 * with the records earlier parts had refused for good, so they are counted and not retried.
 */
export function withRemaining(error: unknown, attempted: readonly AgentRecord[], rest: readonly AgentRecord[], refusedBefore?: Refusal): unknown {
  const failure = asDeliveryError(error);
  if (!failure.retryable) return failure;
  const remaining = [...(failure.remaining ?? attempted), ...rest];
  // What the part itself refused counts only beside a `remaining` list (a partial failure).
  const refused = joinRefusals(refusedBefore, failure.remaining ? failure.refused : undefined);
  return new DeliveryError(failure.message, true, { cause: failure, retryAfterMs: failure.retryAfterMs, reason: failure.reason, remaining, ...(refused ? { refused } : {}) });
}

/** What a part refused for good: the records the error names, or the whole part. */
export function refusalOf(failure: DeliveryError, part: readonly AgentRecord[]): Refusal {
  return failure.refused ?? { records: part, reason: failure.reason ?? 'permanent', message: failure.message };
}

/** Both parts' refusals as one; the first part's reason and message are kept, as a batch reports its first error. */
export function joinRefusals(a: Refusal | undefined, b: Refusal | undefined): Refusal | undefined {
  if (!a || !b) return a ?? b;
  return { records: [...a.records, ...b.records], reason: a.reason, message: a.message };
}

/** The permanent error of a split batch some of whose parts were refused: the rest was stored. */
export function refusedPart(refused: Refusal): DeliveryError {
  return new DeliveryError(refused.message, false, { reason: refused.reason, refused });
}

/**
 * The last `attributes` and `resource` objects measured, with their sizes. Consecutive records
 * share them (every span of a process its resource; a span's `span` and `trace` records their
 * attributes), and records never change once made. One slot each, compared by identity: a
 * `WeakMap` per record measured slower than walking the record again.
 */
class SharedSizes {
  private attributes: object | undefined;
  private attributesBytes = 0;
  private resource: object | undefined;
  private resourceBytes = 0;

  of(key: string, value: object): number {
    if (key === 'resource') {
      if (value !== this.resource) {
        this.resource = value;
        this.resourceBytes = estimateBytes(value);
      }
      return this.resourceBytes;
    }
    if (value !== this.attributes) {
      this.attributes = value;
      this.attributesBytes = estimateBytes(value);
    }
    return this.attributesBytes;
  }
}

/** {@link estimateBytes} of one record, with what it shares with the records before it measured once. */
function recordBytes(record: AgentRecord, shared: SharedSizes): number {
  let size = 2;
  for (const key in record) {
    const value = (record as unknown as Record<string, unknown>)[key];
    const isShared = (key === 'attributes' || key === 'resource') && typeof value === 'object' && value !== null;
    size += key.length + 4 + (isShared ? shared.of(key, value) : estimateBytes(value));
  }
  return size;
}

/** {@link estimateBytes} of an array of records. */
export function batchBytes(records: readonly AgentRecord[]): number {
  const shared = new SharedSizes();
  let total = 2;
  for (const record of records) total += recordBytes(record, shared) + 1;
  return total;
}

/**
 * A cheap estimate of a value's JSON size: string lengths plus a little per value. Used for the
 * memory bound and batch splitting, where `JSON.stringify` of a whole batch would cost as much as
 * the write (and could itself fail on a huge batch).
 */
export function estimateBytes(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return value.length + 2;
    case 'object': {
      if (value === null) return 4;
      if (value instanceof Date) return 26;
      // A parsed tool input or message list usually still has the text it came in: no walk needed.
      const text = knownJsonText(value);
      if (text !== undefined) return text.length;
      let total = 2;
      if (Array.isArray(value)) {
        for (const item of value) total += estimateBytes(item) + 1;
        return total;
      }
      for (const key in value) total += key.length + 4 + estimateBytes((value as Record<string, unknown>)[key]);
      return total;
    }
    default:
      return 8;
  }
}
