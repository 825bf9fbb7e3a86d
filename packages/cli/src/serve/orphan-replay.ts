import { DeliveryPipeline, type RecordSink } from '@mini-agent/core';
import type { Io } from '../command.js';

/** Replays spools no running process owns; `stop()` ends it (what is left stays on disk). */
export interface OrphanReplay {
  /** Resolves once every orphan spool is delivered, or `stop()` was called. */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Delivers the records waiting in `dirs` (spools left by worker slots that no longer run, see
 * `orphanSpoolDirs`) to fresh sinks, each through its own delivery pipeline, which replays a
 * spool in order as it opens it and retries while the sink is down. Once all are drained the
 * sinks are shut down.
 */
export function replayOrphanSpools(dirs: readonly string[], makeSinks: () => RecordSink[], io: Io): OrphanReplay {
  if (dirs.length === 0) return { done: Promise.resolve(), stop: async () => {} };
  const sinks = makeSinks();
  // One pipeline per spool and sink; they share the sink (its writes are independent transactions).
  const pipelines = dirs.flatMap((dir) => sinks.map((sink) => ({ dir, pipeline: new DeliveryPipeline(sink, { spoolDir: dir }) })));
  io.out(`  replaying spools left by an earlier run: ${dirs.join(', ')}`);
  let stopping = false;
  let wake: () => void = () => {};
  const stopped = new Promise<void>((resolve) => (wake = resolve));
  const drained = (async () => {
    for (const { pipeline } of pipelines) {
      // flush() gives up after its timeout while the sink is down: try again until stopped.
      while (!stopping && !(await Promise.race([pipeline.flush(60_000), stopped.then(() => false)]))) {
        /* still replaying */
      }
    }
  })();
  const finish = (async () => {
    await drained;
    await Promise.allSettled(pipelines.map(({ pipeline }) => pipeline.shutdown(stopping ? 1_000 : 10_000)));
    await Promise.allSettled(sinks.map((sink) => sink.shutdown()));
    const left = pipelines.filter(({ pipeline }) => pipeline.stats().spoolBytes > 0);
    if (left.length === 0) io.out(`  replayed the spools left by an earlier run (${dirs.length})`);
    else io.out(`  ${left.map(({ dir, pipeline }) => `${dir}/${pipeline.sink.name}`).join(', ')}: left spooled, replayed on the next start`);
  })();
  return {
    done: finish,
    async stop() {
      stopping = true;
      wake();
      await finish;
    },
  };
}
