/**
 * Flushes telemetry when the process is about to go away, without changing how it goes away.
 *
 * - `SIGTERM` / `SIGINT`: listening to a signal turns off Node's default (exit), so after the
 *   flush the signal is raised again, unless the application has listeners of its own (then
 *   exiting is their call). The process still dies by the signal, with the usual exit status.
 * - `beforeExit`: the event loop is empty (the BatchSpanProcessor's timer does not hold it), so
 *   the last batch would be lost; the flush runs once, and the process then ends by itself.
 *
 * `process.exit()` skips both: there is no way to wait for I/O from the `exit` event.
 */
export function installExitHooks(flush: () => Promise<void>, timeoutMillis: number): () => void {
  const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];
  const onSignal = (signal: NodeJS.Signals) => {
    uninstall();
    void withTimeout(flush(), timeoutMillis).finally(() => {
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  };
  const onBeforeExit = () => {
    uninstall();
    void withTimeout(flush(), timeoutMillis);
  };
  function uninstall() {
    for (const signal of signals) process.off(signal, onSignal);
    process.off('beforeExit', onBeforeExit);
  }
  for (const signal of signals) process.on(signal, onSignal);
  process.on('beforeExit', onBeforeExit);
  return uninstall;
}

/** Waits for `work`, at most `millis`: a database that hangs must not keep a dying process alive. */
async function withTimeout(work: Promise<void>, millis: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, millis);
  });
  try {
    await Promise.race([work.catch(() => {}), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
