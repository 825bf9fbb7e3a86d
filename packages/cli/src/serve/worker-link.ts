import cluster from 'node:cluster';
import { groupHealth, type Bridge, type BridgeHealth, type WorkerReport } from '@mini-agent/bridge';

/** Set by `serve --workers N` on each worker process: its slot, 0 … N-1. */
export const WORKER_ENV = 'MINI_AGENT_SERVE_WORKER';

/** Messages between the primary and its workers. */
export type WorkerMessage =
  | { readonly type: 'report'; readonly report: WorkerReport }
  | { readonly type: 'fatal'; readonly message: string };
export type PrimaryMessage = { readonly type: 'group'; readonly reports: readonly (WorkerReport | null)[] };

/** This process's slot when it is a worker of `serve --workers N`; `undefined` otherwise. */
export function workerSlot(env: NodeJS.ProcessEnv = process.env): number | undefined {
  if (!cluster.isWorker) return undefined;
  const slot = Number(env[WORKER_ENV]);
  return Number.isInteger(slot) && slot >= 0 ? slot : undefined;
}

/** How often a worker tells the primary its health (and so how stale a group `/health` may be). */
const REPORT_MILLIS = 500;

/**
 * A worker's side of the group: reports its health and spool to the primary, learns the others'
 * from it, answers `GET /health` with the group's state, and hears when the primary is gone.
 */
export class WorkerLink {
  private reports: (WorkerReport | undefined)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private bridge: Bridge | undefined;
  /** Resolves when the primary's channel closes (the primary died): the worker stops too. */
  readonly orphaned: Promise<'primary gone'>;

  constructor(readonly slot: number) {
    this.orphaned = new Promise((resolve) => process.once('disconnect', () => resolve('primary gone')));
    process.on('message', (message: PrimaryMessage) => {
      if (message?.type === 'group') this.reports = message.reports.map((r) => r ?? undefined);
    });
  }

  /** Starts reporting `bridge`'s health. */
  attach(bridge: Bridge): void {
    this.bridge = bridge;
    this.report();
    this.timer = setInterval(() => this.report(), REPORT_MILLIS).unref();
  }

  /** The group's `/health`, with this worker's own state fresh. */
  readonly health = (own: BridgeHealth): BridgeHealth => {
    const reports = [...this.reports];
    while (reports.length <= this.slot) reports.push(undefined);
    reports[this.slot] = this.reportOf(own);
    return groupHealth(reports);
  };

  /** Tells the primary the group must stop: an operator has to fix something (the message says what). */
  fatal(message: string): void {
    this.send({ type: 'fatal', message });
  }

  /**
   * The last report, then the channel to the primary is closed: an open IPC channel keeps a
   * worker's process alive after its work is done.
   */
  close(): void {
    clearInterval(this.timer);
    this.report();
    if (process.connected) process.disconnect();
  }

  private report(): void {
    if (this.bridge) this.send({ type: 'report', report: this.reportOf(this.bridge.health()) });
  }

  private reportOf(health: BridgeHealth): WorkerReport {
    return { pid: process.pid, health, spoolBytes: this.bridge ? spoolBytesOf(this.bridge) : 0 };
  }

  private send(message: WorkerMessage): void {
    if (process.connected) process.send?.(message, undefined, {}, () => {});
  }
}

/** Bytes in the bridge exporter's spools, over every sink. */
export function spoolBytesOf(bridge: Bridge): number {
  const sinks = (bridge.exporter as { stats?: () => { sinks: Record<string, { spoolBytes: number }> } }).stats?.().sinks ?? {};
  return Object.values(sinks).reduce((n, s) => n + s.spoolBytes, 0);
}
