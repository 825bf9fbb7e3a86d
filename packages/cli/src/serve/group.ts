import cluster, { type Worker } from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { TRACES_PATH, type WorkerReport } from '@mini-agent/bridge';
import { CliError, ExitCode, type Io } from '../command.js';
import { nextShutdownSignal } from '../shutdown-signal.js';
import { replayOrphanSpools } from './orphan-replay.js';
import type { ServeConfig } from './run-bridge.js';
import { sinksFor } from './sinks.js';
import { orphanSpoolDirs, workerSpoolDir } from './spool-layout.js';
import { WORKER_ENV, type PrimaryMessage, type WorkerMessage } from './worker-link.js';

/** The CLI's entry point, which each worker runs again (`dist/serve/group.js` → `dist/bin.js`). */
const BIN = fileURLToPath(new URL('../bin.js', import.meta.url));

/** A worker that dies sooner than this after its start is restarted after a growing pause. */
const STEADY_MILLIS = 5_000;
const MAX_RESTART_DELAY_MILLIS = 10_000;

/**
 * `serve --workers N`: the primary of N bridge processes sharing one port (Node's `cluster`
 * hands each accepted connection to the next worker). Each worker runs its own pipeline and
 * spool (`<spool>/worker-<i>`). The primary only supervises: it restarts a worker that dies
 * (the new one replays the slot's spool), replays the spools of slots that no longer exist,
 * keeps the group's health for every worker to answer `/health` with, and on SIGTERM has
 * every worker drain before it exits.
 */
export async function runServeGroup(config: ServeConfig, args: readonly string[], io: Io): Promise<number> {
  const n = config.workers;
  const stopped = nextShutdownSignal(io);
  const orphans = config.spoolDir
    ? replayOrphanSpools(orphanSpoolDirs(config.spoolDir, n), () => sinksFor(config.target, config.migrate, config.langfuse, io).sinks, io)
    : undefined;
  cluster.setupPrimary({ exec: BIN, args: ['serve', ...args], silent: false });

  const slots: (Worker | undefined)[] = Array.from({ length: n }, () => undefined);
  const reports: (WorkerReport | undefined)[] = Array.from({ length: n }, () => undefined);
  const startedAt: number[] = [];
  const restartDelay: number[] = Array.from({ length: n }, () => 0);
  const listened = new Set<number>();
  let stopping = false;
  let fatal: string | undefined;
  let wakeStop: (reason: string) => void = () => {};
  const stopRequest = new Promise<string>((resolve) => (wakeStop = resolve));
  let allExited: () => void = () => {};
  const exited = new Promise<void>((resolve) => (allExited = resolve));
  let failedStops = 0;

  const broadcast = () => {
    const message: PrimaryMessage = { type: 'group', reports: reports.map((r) => r ?? null) };
    for (const worker of slots) if (worker?.isConnected()) worker.send(message, undefined, () => {});
  };
  const fork = (slot: number) => {
    const worker = cluster.fork({ [WORKER_ENV]: String(slot) });
    slots[slot] = worker;
    startedAt[slot] = Date.now();
    worker.on('message', (message: WorkerMessage) => {
      if (message?.type === 'report') {
        reports[slot] = message.report;
        broadcast();
      } else if (message?.type === 'fatal') {
        fatal ??= message.message;
        wakeStop('a worker cannot go on');
      }
    });
    worker.on('listening', (address: AddressInfo) => {
      if (listened.has(slot)) return;
      listened.add(slot);
      if (listened.size === n) announce(address);
    });
    worker.on('exit', (code, signal) => {
      if (slots[slot] === worker) slots[slot] = undefined;
      reports[slot] = undefined;
      broadcast();
      if (stopping || fatal !== undefined) {
        if (code !== 0) failedStops += 1;
        if (slots.every((w) => w === undefined)) allExited();
        return;
      }
      const ranFor = Date.now() - (startedAt[slot] ?? 0);
      restartDelay[slot] = ranFor >= STEADY_MILLIS ? 0 : Math.min(MAX_RESTART_DELAY_MILLIS, Math.max(250, (restartDelay[slot] ?? 0) * 2));
      io.err(`worker ${slot} (pid ${worker.process.pid}) ended (${signal ?? `exit ${code}`}); restarting it${restartDelay[slot] ? ` in ${restartDelay[slot]} ms` : ''}: it replays its spool`);
      setTimeout(() => {
        if (!stopping && fatal === undefined) fork(slot);
        else if (slots.every((w) => w === undefined)) allExited();
      }, restartDelay[slot]);
    });
  };
  const announce = (address: AddressInfo) => {
    const host = address.address.includes(':') ? `[${address.address}]` : address.address;
    io.out(`mini-agent bridge listening on http://${host}:${address.port}${TRACES_PATH}`);
    io.out(`  workers: ${n} (pids ${slots.map((w) => w?.process.pid).join(', ')}; primary ${process.pid})`);
    io.out(`  token: ${config.token ? 'required (Authorization: Bearer …)' : 'none'}`);
    io.out(`  spool: ${config.spoolDir ? workerSpoolDir(config.spoolDir, 0).replace(/0$/, '<i>') : 'off (undelivered records wait in memory)'}`);
  };
  for (let slot = 0; slot < n; slot++) fork(slot);

  const reason = await Promise.race([stopped, stopRequest]);
  stopping = true;
  io.out(`${reason}: stopping ${n} workers — each refuses new requests and stores or spools what it holds`);
  // A SIGTERM sent to the whole process group reached the workers already; a second one is ignored by them.
  for (const worker of slots) worker?.process.kill('SIGTERM');
  if (slots.some((w) => w !== undefined)) await exited;
  await orphans?.stop();
  io.out(`stopped: ${n} workers`);
  if (fatal !== undefined) throw new CliError(fatal);
  if (failedStops > 0) {
    io.err(`warning: ${failedStops} workers did not stop cleanly (see their lines above)`);
    return ExitCode.FAILED;
  }
  return ExitCode.OK;
}
