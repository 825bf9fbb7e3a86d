import { createBridge, type Bridge, type BridgeStats } from '@mini-agent/bridge';
import { CustomPrices } from '@mini-agent/core';
import type { LangfuseEnvConfig } from '@mini-agent/exporter-langfuse';
import { CliError, ExitCode, type Io } from '../command.js';
import { databaseErrorLine, type DatabaseTarget } from '../database-target.js';
import { needsOperator } from '../migrate-flag.js';
import { nextShutdownSignal } from '../shutdown-signal.js';
import { replayOrphanSpools } from './orphan-replay.js';
import { sinksFor } from './sinks.js';
import { orphanSpoolDirs, workerSpoolDir } from './spool-layout.js';
import type { WorkerLink } from './worker-link.js';

/** What `serve` was asked for, once the flags are parsed. */
export interface ServeConfig {
  readonly port: number;
  readonly host: string;
  readonly token: string | undefined;
  readonly target: DatabaseTarget;
  /** The spool's root folder; `undefined` with `--no-spool`. */
  readonly spoolDir: string | undefined;
  /** `undefined` with `--no-langfuse`. */
  readonly langfuse: LangfuseEnvConfig | undefined;
  readonly migrate: { migrate?: false };
  readonly workers: number;
}

/**
 * One bridge process: the whole of `serve` with one worker, or one worker of a group (`worker`
 * given: its spool is `<spool>/worker-<slot>`, its `/health` the group's, its lines prefixed).
 * Runs until SIGTERM / Ctrl-C (or, for a worker, until the primary is gone), then drains.
 */
export async function runBridge(config: ServeConfig, io: Io, worker?: WorkerLink): Promise<number> {
  const { port, host, token, target } = config;
  const spoolDir = config.spoolDir && worker ? workerSpoolDir(config.spoolDir, worker.slot) : config.spoolDir;
  // Listening for the stop before the sinks start: a SIGTERM while an embedded database is
  // being created waits for it instead of killing the process halfway.
  const stopped = worker ? Promise.race([nextShutdownSignal(io), worker.orphaned]) : nextShutdownSignal(io);
  // Generations are priced once, for every sink, with the database's model_prices (kept loaded by the Postgres sink).
  const prices = new CustomPrices();
  const { sinks, ready, described } = sinksFor(target, { ...config.migrate, prices }, config.langfuse, io);
  // With one process, spools an earlier `--workers` run left are replayed here; a group's primary does it for its workers.
  const orphans = !worker && config.spoolDir ? replayOrphanSpools(orphanSpoolDirs(config.spoolDir, 1), () => sinksFor(target, config.migrate, config.langfuse, io).sinks, io) : undefined;

  let bridge: Bridge;
  try {
    bridge = await createBridge({
      sinks,
      ready,
      port,
      host,
      token: token ?? false,
      interpretOptions: { prices },
      ...(spoolDir ? { delivery: { spoolDir } } : {}),
      ...(worker ? { health: worker.health } : {}),
    });
  } catch (error) {
    await Promise.allSettled([...sinks.map((s) => s.shutdown()), orphans?.stop()]);
    throw new CliError(`cannot listen on ${host}:${port}: ${error instanceof Error ? error.message : String(error)}`);
  }
  worker?.attach(bridge);
  io.out(worker ? `listening (pid ${process.pid})` : `mini-agent bridge listening on ${bridge.tracesUrl}`);
  io.out(`  sinks: ${described.join(', ')}`);
  if (!worker) io.out(`  token: ${token ? 'required (Authorization: Bearer …)' : 'none'}`);
  io.out(`  spool: ${spoolDir ?? 'off (undelivered records wait in memory)'}`);
  if (!worker && !token && !isLoopback(host)) io.err(`warning: listening on ${host} without a token: anyone who can reach this port can write spans`);
  // A sink only an operator can fix stops the bridge (once, with its reason); anything else is retried.
  const fatal = new Promise<{ error: unknown }>((resolve) => {
    void Promise.all(ready).then(
      () => io.out('  sinks ready'),
      (error: unknown) => {
        if (needsOperator(error)) resolve({ error });
        else io.err(`warning: a sink is not ready yet (it is retried on each write): ${error instanceof Error ? error.message : String(error)}`);
      },
    );
  });

  const stopLogging = logThroughput(bridge, io);
  const stop = await Promise.race([stopped, fatal]);
  const queued = bridge.stats().queue.queued;
  if (typeof stop === 'string') io.out(`${stop}: shutting down — refusing new requests, exporting ${queued} queued spans`);
  else io.out(`shutting down: the database cannot take rows (below) — refusing new requests, keeping ${queued} queued spans`);
  if (typeof stop !== 'string') worker?.fatal(databaseErrorLine(stop.error));
  await Promise.all([bridge.close(), orphans?.stop()]);
  stopLogging();
  worker?.close();
  const s = bridge.stats();
  io.out(`stopped: ${s.spans.received} spans received, ${s.queue.exported} exported, ${s.queue.failed} failed, ${s.spans.rejected} rejected`);
  reportSpooled(bridge, io);
  if (typeof stop !== 'string') throw new CliError(databaseErrorLine(stop.error));
  return ExitCode.OK;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/**
 * Prints one line a second while spans arrive or wait, and nothing while idle: what came in,
 * what was stored, what was refused, how deep the queue is.
 */
function logThroughput(bridge: Bridge, io: Io): () => void {
  let last: BridgeStats = bridge.stats();
  const timer = setInterval(() => {
    const now = bridge.stats();
    const received = now.spans.received - last.spans.received;
    const exported = now.queue.exported - last.queue.exported;
    const refused = refusals(now) - refusals(last);
    if (received > 0 || exported > 0 || refused > 0 || now.queue.queued > 0) {
      const failed = now.queue.failed - last.queue.failed;
      io.out(
        `bridge: ${received} spans/s in, ${exported} spans/s exported, queue ${now.queue.queued}` +
          `${failed ? `, ${failed} failed` : ''}${refused ? `, ${refused} requests refused` : ''}`,
      );
    }
    last = now;
  }, 1000);
  timer.unref();
  return () => clearInterval(timer);
}

/** Says what waits in the spool for the next start, and anything a sink lost. */
function reportSpooled(bridge: Bridge, io: Io): void {
  const sinks = (bridge.exporter as { stats?: () => { sinks: Record<string, { spoolBytes: number; dropped: Record<string, number> }> } }).stats?.().sinks ?? {};
  for (const [name, s] of Object.entries(sinks)) {
    if (s.spoolBytes > 0) io.out(`  ${name}: ${s.spoolBytes} bytes spooled, delivered on the next start`);
    const lost = Object.values(s.dropped).reduce((a, b) => a + b, 0);
    if (lost > 0) io.err(`warning: ${name} dropped ${lost} records: ${JSON.stringify(s.dropped)}`);
  }
}

function refusals(stats: BridgeStats): number {
  return Object.entries(stats.responses).reduce((sum, [status, n]) => (status === '200' ? sum : sum + n), 0);
}
