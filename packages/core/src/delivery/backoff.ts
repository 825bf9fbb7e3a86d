/** How a failed delivery is retried. */
export interface RetryOptions {
  /** First delay, before jitter. Default 200 ms. */
  readonly initialDelayMs?: number;
  /** Longest delay between attempts. Default 30 s. */
  readonly maxDelayMs?: number;
  /** Growth per attempt. Default 2. */
  readonly multiplier?: number;
}

/**
 * Delay before retry number `attempt` (1-based): exponential with full jitter, so many clients
 * recovering together do not retry in lockstep; never shorter than what the receiver asked for
 * with `Retry-After`.
 */
export function retryDelay(attempt: number, options: RetryOptions = {}, retryAfterMs?: number, random: () => number = Math.random): number {
  const initial = options.initialDelayMs ?? 200;
  const max = options.maxDelayMs ?? 30_000;
  const ceiling = Math.min(max, initial * (options.multiplier ?? 2) ** Math.max(0, attempt - 1));
  const jittered = ceiling / 2 + random() * (ceiling / 2);
  return Math.max(jittered, Math.min(retryAfterMs ?? 0, 5 * 60_000));
}

/** A sleep that can be cut short: the retry loop's wait, which a flush or shutdown wakes. */
export class WakeableSleep {
  private wake: (() => void) | undefined;

  /** Resolves after `ms` (the timer does not keep the process alive), or at {@link wakeUp}. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      timer.unref?.();
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }

  /** Ends the current sleep now, if there is one. */
  wakeUp(): void {
    this.wake?.();
  }
}
