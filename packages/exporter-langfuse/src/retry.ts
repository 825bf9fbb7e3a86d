import { setTimeout as sleep } from 'node:timers/promises';
import { DeliveryError } from '@mini-agent/core';

/**
 * How a failed delivery is retried: exponential backoff with full jitter, never sooner than a
 * `Retry-After` the server sent, and never waiting past `maxDelayMillis` (a longer `Retry-After`
 * ends the attempts with a retryable error that carries it, for the caller to schedule).
 */
export interface RetryPolicy {
  /** Attempts in all, the first included. Default 3 (longer outages are the delivery pipeline's). */
  readonly maxAttempts: number;
  /** Ceiling of the first backoff. Default 500 ms. */
  readonly initialDelayMillis: number;
  /** Longest single wait. Default 10 s. */
  readonly maxDelayMillis: number;
}

/** Default {@link RetryPolicy}. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 3, initialDelayMillis: 500, maxDelayMillis: 10_000 };

/**
 * What one attempt achieved: everything delivered, or the part still to send and why it failed.
 * `remaining` lets a partially accepted batch retry only what failed.
 */
export type AttemptOutcome<W> = { readonly done: true } | { readonly done: false; readonly remaining: W; readonly error: DeliveryError };

/** Counts retries, for the sink's stats. */
export interface RetryObserver {
  onRetry?(attempt: number, delayMillis: number, error: DeliveryError): void;
}

/** How {@link deliverWithRetry} ended: all delivered, or what is left and the last error. */
export type RetryResult<W> = { readonly delivered: true } | { readonly delivered: false; readonly remaining: W; readonly error: DeliveryError };

/**
 * Runs `attempt` until it reports `done`, retrying only retryable failures, each time with what
 * the previous attempt left. A permanent failure (or a thrown non-retryable `DeliveryError`) ends at
 * once; so do running out of attempts and a `Retry-After` longer than `maxDelayMillis`. Never
 * throws. Kept in one small module: the shared delivery pipeline of `@mini-agent/core` retries
 * whatever this leaves, over longer outages.
 */
export async function deliverWithRetry<W>(
  work: W,
  attempt: (work: W) => Promise<AttemptOutcome<W>>,
  policy: Partial<RetryPolicy> = {},
  observer: RetryObserver = {},
): Promise<RetryResult<W>> {
  const p = { ...DEFAULT_RETRY_POLICY, ...policy };
  let pending = work;
  for (let attemptNo = 1; ; attemptNo += 1) {
    let outcome: AttemptOutcome<W>;
    try {
      outcome = await attempt(pending);
    } catch (error) {
      outcome = { done: false, remaining: pending, error: asDeliveryError(error) };
    }
    if (outcome.done) return { delivered: true };
    const { error, remaining } = outcome;
    const tooLong = error.retryAfterMs !== undefined && error.retryAfterMs > p.maxDelayMillis;
    if (!error.retryable || attemptNo >= p.maxAttempts || tooLong) return { delivered: false, remaining, error };
    const delay = backoffDelay(attemptNo, p, error.retryAfterMs);
    observer.onRetry?.(attemptNo, delay, error);
    await sleep(delay);
    pending = remaining;
  }
}

/** Delay before retry number `attempt` (1-based): full jitter up to the exponential ceiling, at least `Retry-After`. */
export function backoffDelay(attempt: number, policy: RetryPolicy, retryAfterMillis?: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMillis, policy.initialDelayMillis * 2 ** (attempt - 1));
  const jittered = random() * ceiling;
  return Math.min(policy.maxDelayMillis, Math.max(jittered, retryAfterMillis ?? 0));
}

/** `Retry-After` (seconds or an HTTP date) in milliseconds; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** True for statuses a later attempt can get past: timeouts, rate limits and server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

function asDeliveryError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  // An unexpected throw (a bug, a network stack surprise) might pass next time: retry it.
  return new DeliveryError(error instanceof Error ? error.message : String(error), true, { cause: error });
}
