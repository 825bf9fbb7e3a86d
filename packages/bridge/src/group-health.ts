import type { BridgeHealth } from './bridge-state.js';

/** One process of a group of bridges sharing a port, as the group's `GET /health` lists it. */
export interface WorkerHealth {
  /** 0 … N-1: the worker's slot (a restarted worker keeps its slot, and its spool). */
  readonly index: number;
  readonly pid: number;
  /** `down` while the slot's process is being restarted. */
  readonly status: BridgeHealth['status'] | 'down';
  readonly ready: boolean;
  readonly queued: number;
  /** Bytes waiting in the worker's spool, over every sink. */
  readonly spoolBytes: number;
  readonly error?: string;
}

/** `GET /health` of a group of bridge processes: the group's state, then each worker's. */
export interface BridgeGroupHealth extends BridgeHealth {
  readonly workers: readonly WorkerHealth[];
}

/** One slot's last report: its health, its spool, its pid; `undefined` while its process is down. */
export interface WorkerReport {
  readonly pid: number;
  readonly health: BridgeHealth;
  readonly spoolBytes: number;
}

const SEVERITY: Record<BridgeHealth['status'], number> = { ok: 0, starting: 1, degraded: 2, shutting_down: 3 };

/**
 * The health of a group of bridges from each slot's last report: ready when every running worker
 * is (the port only hands connections to running ones); the worst status of them, and `degraded`
 * while a slot is down; queues summed; a sink healthy only when it is in every worker.
 */
export function groupHealth(reports: readonly (WorkerReport | undefined)[]): BridgeGroupHealth {
  const running = reports.filter((r): r is WorkerReport => r !== undefined);
  const healths = running.map((r) => r.health);
  let status: BridgeHealth['status'] = running.length < reports.length ? 'degraded' : 'ok';
  for (const h of healths) if (SEVERITY[h.status] > SEVERITY[status]) status = h.status;
  const sinks: Record<string, { healthy: boolean; lastError: string | null }> = {};
  for (const h of healths) {
    for (const [name, s] of Object.entries(h.sinks ?? {})) {
      const seen = sinks[name];
      sinks[name] = { healthy: (seen?.healthy ?? true) && s.healthy, lastError: seen?.lastError ?? s.lastError };
    }
  }
  const down = reports.length - running.length;
  const error = healths.find((h) => h.error)?.error ?? (down > 0 ? `${down} of ${reports.length} workers restarting` : undefined);
  return {
    status,
    live: true,
    ready: running.length > 0 && healths.every((h) => h.ready),
    queue: {
      queued: sum(healths.map((h) => h.queue.queued)),
      inFlight: sum(healths.map((h) => h.queue.inFlight)),
      max: sum(healths.map((h) => h.queue.max)),
    },
    ...(Object.keys(sinks).length > 0 ? { sinks } : {}),
    ...(error ? { error } : {}),
    workers: reports.map((r, index) =>
      r === undefined
        ? { index, pid: 0, status: 'down' as const, ready: false, queued: 0, spoolBytes: 0 }
        : {
            index,
            pid: r.pid,
            status: r.health.status,
            ready: r.health.ready,
            queued: r.health.queue.queued,
            spoolBytes: r.spoolBytes,
            ...(r.health.error ? { error: r.health.error } : {}),
          },
    ),
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
