import type { RetryOptions } from './backoff.js';
import type { SpoolFullPolicy } from './spool.js';

/** Where `mini-agent-otel serve` and `demo` keep their durable spool unless told otherwise (one folder per sink inside). */
export const DEFAULT_SPOOL_DIR = '.mini-agent/spool';

/** How records reach a sink: in-memory queue bounds, retries, and an optional durable spool. */
export interface DeliveryOptions {
  /** `false`: one attempt per batch; a failure is counted and reported, never retried. */
  readonly retries?: boolean;
  readonly retry?: RetryOptions;
  /** Most records held in memory while the sink is slow or down. Default 100,000. */
  readonly maxQueuedRecords?: number;
  /** Most bytes (as JSON) held in memory while the sink is slow or down. Default 64 MiB. */
  readonly maxQueuedBytes?: number;
  /**
   * A folder for the durable spool. With it, a batch is acknowledged only once it is in the
   * sink or fsync'd to the spool, and it survives a crash or restart; without it, undelivered
   * records wait in memory and are lost if the process dies.
   */
  readonly spoolDir?: string;
  /** Most bytes in the spool (per sink). Default 1 GiB. */
  readonly spoolMaxBytes?: number;
  /** When the spool is full: `reject-new` (default) or `drop-oldest`. Either way, counted. */
  readonly spoolWhenFull?: SpoolFullPolicy;
  /**
   * Most records in one write to the sink; larger batches are split. Default 10,000. A sink that
   * says a batch is too large (`DeliveryError` reason `too_large`) gets it again in halves.
   */
  readonly maxBatchRecords?: number;
  /** Most bytes (estimated as JSON) in one write to the sink; larger batches are split. Default 16 MiB. */
  readonly maxBatchBytes?: number;
}

/** Counters of one sink's delivery. `dropped` and `rejected` say why, by reason. */
export interface DeliveryStats {
  /** Records handed to the pipeline. */
  accepted: number;
  /** Records the sink stored. */
  delivered: number;
  /** Record deliveries tried again after a retryable failure. */
  retried: number;
  /** Records written to the durable spool. */
  spooled: number;
  /** Spooled records later delivered. */
  replayed: number;
  /**
   * Records lost, by reason: `queue_full` (memory bound), `spool_full` (disk bound, `reject-new`),
   * `spool_full_oldest` (disk bound, `drop-oldest`), `shutdown` (still in memory at shutdown),
   * `in_flight_at_shutdown` (a write to a hung sink still running at shutdown, no spool to keep it),
   * `failed_without_retry` (retries off), `spool_undecodable` (a spooled batch that no longer decodes).
   */
  dropped: Record<string, number>;
  /** Records the sink refused for good (a permanent error), by reason. */
  rejected: Record<string, number>;
  /** Batches split before writing (over `maxBatchRecords`/`maxBatchBytes`, or refused as too large). */
  splitBatches: number;
  /** Records waiting in memory. */
  queuedRecords: number;
  /** Bytes waiting in the spool. */
  spoolBytes: number;
  /** Torn or corrupt spool frames skipped (a crash mid-append: that batch was never acknowledged). */
  spoolTornFrames: number;
  /** Whether the last delivery attempt succeeded. */
  healthy: boolean;
  /** The last failure while the sink is failing; cleared by the next delivery. */
  lastError: string | null;
  /** The last permanent refusal (e.g. the server's message with an HTTP 400); kept. */
  lastRejection: string | null;
}
