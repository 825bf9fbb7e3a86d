import type { Io } from './command.js';

/**
 * Resolves on the first SIGTERM or SIGINT, for a long-running command to stop gracefully. What
 * comes after it:
 * - another SIGINT (Ctrl-C twice) exits at once with 130, without flushing;
 * - another SIGTERM is noted and ignored. `timeout`, process managers and `kill` on a process
 *   group can deliver the same stop twice (to the process and to its group), and a duplicate
 *   must not cut the flush short. SIGKILL still stops at once.
 *
 * Call it as early as possible: a SIGTERM that arrives before the handlers exist kills the
 * process outright (in the middle of creating an embedded database, say).
 */
export function nextShutdownSignal(io: Io): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      process.on('SIGTERM', () => io.err('SIGTERM again: already stopping (SIGKILL stops at once, without flushing)'));
      process.once('SIGINT', () => {
        io.err('second interrupt: exiting without flushing');
        process.exit(130);
      });
      resolve(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
