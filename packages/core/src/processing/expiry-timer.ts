/**
 * One unref'd timer for the oldest thing a stage holds: armed for when it expires, never twice at
 * once, and never keeping the process alive for what is only waiting.
 */
export class ExpiryTimer {
  private timer: NodeJS.Timeout | undefined;

  /** @param onExpiry - runs when the timer fires; it releases what expired and arms the timer again. */
  constructor(private readonly onExpiry: () => void) {}

  /** Fires at `at` (epoch milliseconds), unless the timer is already armed. */
  arm(at: number): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.onExpiry();
    }, Math.max(0, at - Date.now()));
    this.timer.unref();
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
