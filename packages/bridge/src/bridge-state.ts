import { diag } from '@opentelemetry/api';
import type { SpanExporter } from '@mini-agent/core';
import type { ResolvedBridgeOptions } from './bridge-options.js';
import { OtlpRequestError } from './errors.js';
import type { SpanQueue, SpanQueueStats } from './span-queue.js';

/** Counters of a running bridge. */
export interface BridgeStats {
  /** Answers sent to `POST /v1/traces`, by HTTP status. */
  readonly responses: Record<string, number>;
  /** Spans in requests answered 200, spans refused one by one (partial success), and session identity values (the baggage keys) removed as invalid. */
  readonly spans: { readonly received: number; readonly rejected: number; readonly refusedIdentities: number };
  /** Request bytes read (as sent, before decompression) of requests answered 200. */
  readonly bytesReceived: number;
  readonly queue: SpanQueueStats;
}

/** Liveness and readiness, as `GET /health` reports them. */
export interface BridgeHealth {
  /**
   * `ok`; `starting` (sinks still connecting); `degraded` (a sink is failing and being retried:
   * spans wait in the queue, and senders get 429 once it is full); `shutting_down`.
   */
  readonly status: 'ok' | 'starting' | 'degraded' | 'shutting_down';
  /** The process answers. */
  readonly live: true;
  /** Exports are being accepted now. */
  readonly ready: boolean;
  readonly queue: { readonly queued: number; readonly inFlight: number; readonly max: number };
  /** Per sink, when the exporter reports it (an `InterpretingExporter` does): whether its last delivery worked. */
  readonly sinks?: Record<string, { readonly healthy: boolean; readonly lastError: string | null }>;
  readonly error?: string;
}

/** What `InterpretingExporter.stats()` reports per sink, as much as the bridge reads. */
interface SinkHealthSource {
  stats(): { sinks: Record<string, { healthy: boolean; lastError: string | null; queuedRecords: number }> };
}

/** What the request handler shares: configuration, the queue, readiness, counters. */
export class BridgeState {
  closing = false;
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];
  private starting: boolean;
  private startupError: string | undefined;
  private readonly responses: Record<string, number> = {};
  private readonly spanCounts = { received: 0, rejected: 0, refusedIdentities: 0 };
  private bytesReceived = 0;

  constructor(
    readonly config: ResolvedBridgeOptions,
    readonly queue: SpanQueue,
    private readonly exporter: SpanExporter,
    ready: readonly Promise<unknown>[],
  ) {
    this.starting = ready.length > 0;
    Promise.all(ready).then(
      () => (this.starting = false),
      (error: unknown) => {
        // Sinks retry their own start on the next write; the bridge only reports it.
        this.starting = false;
        this.startupError = error instanceof Error ? error.message : String(error);
        diag.error(`mini-agent bridge: a sink could not start: ${this.startupError}`);
      },
    );
  }

  /** Refuses an export before its body is read when the bridge cannot take it. */
  checkAvailable(): void {
    if (this.closing) throw new OtlpRequestError(503, 'The bridge is shutting down', this.config.retryAfterSeconds);
    if (!this.queue.hasRoom) throw this.queueFull();
  }

  queueFull(): OtlpRequestError {
    const reason = sinksHealthy(this.exporter) ? 'the sinks are busy' : 'a sink is failing and being retried';
    return new OtlpRequestError(
      429,
      `The bridge queue is full (${this.config.maxQueuedSpans} spans; ${reason}): retry later`,
      this.config.retryAfterSeconds,
    );
  }

  requestStarted(): void {
    this.inFlight += 1;
  }

  requestEnded(): void {
    this.inFlight -= 1;
    if (this.inFlight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  /** Resolves when no request is being read or answered. */
  async requestsDone(): Promise<void> {
    if (this.inFlight > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  countResponse(status: number): void {
    this.responses[status] = (this.responses[status] ?? 0) + 1;
  }

  countAccepted(bytes: number, spans: number, rejected: number, refusedIdentities = 0): void {
    this.bytesReceived += bytes;
    this.spanCounts.refusedIdentities += refusedIdentities;
    this.spanCounts.received += spans;
    this.spanCounts.rejected += rejected;
  }

  stats(): BridgeStats {
    return { responses: { ...this.responses }, spans: { ...this.spanCounts }, bytesReceived: this.bytesReceived, queue: this.queue.stats() };
  }

  health(): BridgeHealth {
    const q = this.queue.stats();
    const sinks = sinkHealthOf(this.exporter);
    const healthy = sinks === undefined || Object.values(sinks).every((s) => s.healthy);
    const status = this.closing ? 'shutting_down' : this.starting ? 'starting' : healthy ? 'ok' : 'degraded';
    const error = healthy ? undefined : (Object.values(sinks ?? {}).find((s) => s.lastError)?.lastError ?? this.startupError);
    return {
      status,
      live: true,
      ready: !this.closing && this.queue.hasRoom,
      queue: { queued: q.queued, inFlight: q.inFlight, max: this.config.maxQueuedSpans },
      ...(sinks ? { sinks } : {}),
      ...(error ? { error } : {}),
    };
  }
}

/**
 * Whether the exporter can take another batch without it piling up in memory behind a failing
 * sink. An `InterpretingExporter` answers itself (`canAccept()`: healthy, or spooling to disk with
 * room left); for other exporters the bridge goes by the sink health they report, if any.
 */
export function exporterCanAccept(exporter: SpanExporter): boolean {
  const canAccept = (exporter as { canAccept?: () => boolean }).canAccept;
  if (typeof canAccept !== 'function') return sinksHealthy(exporter);
  try {
    return canAccept.call(exporter);
  } catch {
    return sinksHealthy(exporter);
  }
}

/** Whether every sink the exporter reports on is delivering (true when it reports none). */
export function sinksHealthy(exporter: SpanExporter): boolean {
  const sinks = sinkHealthOf(exporter);
  return sinks === undefined || Object.values(sinks).every((s) => s.healthy);
}

/** Per-sink health from an exporter with `stats().sinks` (an `InterpretingExporter`); `undefined` for others. */
function sinkHealthOf(exporter: SpanExporter): BridgeHealth['sinks'] {
  const source = exporter as Partial<SinkHealthSource>;
  if (typeof source.stats !== 'function') return undefined;
  try {
    const sinks = source.stats().sinks;
    if (typeof sinks !== 'object' || sinks === null) return undefined;
    return Object.fromEntries(Object.entries(sinks).map(([name, s]) => [name, { healthy: s.healthy !== false, lastError: s.lastError ?? null }]));
  } catch {
    return undefined;
  }
}
