import type { SpanFilterOption } from './processing/span-filter.js';
import type { AgentRecord } from './records.js';

/**
 * Where records go: Postgres rows, Langfuse observations. A sink maps records to its wire
 * format and delivers them; it never reads raw span attributes (that is `interpret()`'s job).
 */
export interface RecordSink {
  /** A short name for logs and counters, e.g. `postgres`, `langfuse`. */
  readonly name: string;
  /**
   * Which spans the sink gets (a preset or a predicate; see {@link SpanFilterOption}); the
   * kept descendants of a dropped span are attached to its nearest kept ancestor. Applied by the
   * `InterpretingExporter`, once, before the sink's delivery. Default: every span.
   */
  readonly filter?: SpanFilterOption;
  /**
   * Delivers one batch. Resolves once the records are stored; rejects when they are not,
   * with a {@link DeliveryError} saying whether trying again can succeed.
   */
  write(records: readonly AgentRecord[]): Promise<void>;
  /** Delivers anything the sink still holds. */
  forceFlush?(): Promise<void>;
  /** Delivers what it holds, then releases connections. Further writes reject. */
  shutdown(): Promise<void>;
}

/** Details of a {@link DeliveryError}. */
export interface DeliveryErrorOptions {
  readonly cause?: unknown;
  /** How long the receiver asked us to wait (e.g. from `Retry-After`). */
  readonly retryAfterMs?: number;
  /** When only part of the batch failed (e.g. an HTTP 207): the records still to deliver. */
  readonly remaining?: readonly AgentRecord[];
  /** A short reason for counters, e.g. `http_400`, `queue_full`. */
  readonly reason?: string;
  /**
   * With `remaining`: records of the batch the receiver refused for good (not retried, counted as
   * rejected). Whatever is in neither list was stored. On a permanent error (not retryable), the
   * records refused when only part of the batch was: the rest was stored.
   */
  readonly refused?: { readonly records: readonly AgentRecord[]; readonly reason: string; readonly message: string };
  /** Set by the delivery pipeline when it had to drop the records (queue or spool full, shutdown): sending them again can work. */
  readonly dropped?: boolean;
}

/** A failed delivery, and whether a retry can succeed (network down: yes; rejected payload: no). */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  readonly retryAfterMs: number | undefined;
  readonly remaining: readonly AgentRecord[] | undefined;
  readonly reason: string | undefined;
  readonly refused: DeliveryErrorOptions['refused'];
  readonly dropped: boolean;

  constructor(
    message: string,
    readonly retryable: boolean,
    options: DeliveryErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryAfterMs = options.retryAfterMs;
    this.remaining = options.remaining;
    this.reason = options.reason;
    this.refused = options.refused;
    this.dropped = options.dropped ?? false;
  }
}
