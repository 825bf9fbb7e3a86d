import type { BridgeHealth } from './bridge-state.js';
import type { DeliveryOptions, InterpretOptions, RecordSink, SpanExporter } from '@mini-agent/core';

/** Options of `createBridge()`. Give `exporter` or `sinks`. */
export interface BridgeOptions {
  /**
   * Where received spans go: any `SpanExporter`, typically an `InterpretingExporter`,
   * `PostgresExporter` or `LangfuseExporter`. The bridge shuts it down on `close()`.
   */
  readonly exporter?: SpanExporter;
  /** Or sinks: the bridge wraps them in one `InterpretingExporter` (spans interpreted once, records to each). */
  readonly sinks?: readonly RecordSink[];
  /** Interpretation options when `sinks` are given. */
  readonly interpretOptions?: InterpretOptions;
  /** Delivery options when `sinks` are given: retries, memory bounds, a durable spool (`spoolDir`). */
  readonly delivery?: DeliveryOptions;
  /** TCP port; `0` picks a free one (read it back from `bridge.port`). Default 4319, next to the Collector's 4317/4318. */
  readonly port?: number;
  /** Interface to listen on. Default `127.0.0.1`; `0.0.0.0` in a container. */
  readonly host?: string;
  /**
   * Bearer token every export must carry (`Authorization: Bearer <token>`). Default: the
   * `MINI_AGENT_BRIDGE_TOKEN` environment variable; none when that is unset. `false`: never require one.
   */
  readonly token?: string | false;
  /** Largest request body, compressed and decompressed alike. Default 20 MiB (the Collector's own receiver default). */
  readonly maxBodyBytes?: number;
  /** Spans held in memory waiting for the exporter before requests get 429. Default 100,000. */
  readonly maxQueuedSpans?: number;
  /**
   * Spans per `export()` call at most. Default 2,048: large enough for efficient Postgres
   * transactions (several rows a span), small enough that interpreting one batch does not hold
   * the event loop (and so other requests and health checks) for long.
   */
  readonly maxExportBatchSize?: number;
  /** `export()` calls in flight at once. Default 1. */
  readonly maxConcurrentExports?: number;
  /** An export that has not called back after this long counts as failed. Default 30 s. */
  readonly exportTimeoutMillis?: number;
  /** The `Retry-After` sent with 429 and 503, in seconds. Default 1. */
  readonly retryAfterSeconds?: number;
  /**
   * Promises that must settle before the bridge reports ready (a database connecting and migrating).
   * While pending, exports are queued; if one rejects, exports get 503 so senders keep their data.
   */
  readonly ready?: readonly Promise<unknown>[];
  /**
   * What `GET /health` reports, given this bridge's own health: by default that health itself. A
   * group of bridge processes sharing one port (`serve --workers N`) answers with the group's
   * state instead, whichever process the request reaches (see `groupHealth()`).
   */
  readonly health?: (own: BridgeHealth) => BridgeHealth;
}

/** Options with every default applied. */
export interface ResolvedBridgeOptions {
  readonly port: number;
  readonly host: string;
  readonly token: string | undefined;
  readonly maxBodyBytes: number;
  readonly maxQueuedSpans: number;
  readonly maxExportBatchSize: number;
  readonly maxConcurrentExports: number;
  readonly exportTimeoutMillis: number;
  readonly retryAfterSeconds: number;
}

/** The port `mini-agent-otel serve` and `createBridge()` use by default. */
export const DEFAULT_BRIDGE_PORT = 4319;
/** The path OTLP/HTTP trace exporters post to. */
export const TRACES_PATH = '/v1/traces';
/** The environment variable holding the bearer token. */
export const TOKEN_ENV = 'MINI_AGENT_BRIDGE_TOKEN';

/** Applies defaults, reading the token from the environment when it is not given. */
export function resolveBridgeOptions(options: BridgeOptions, env: NodeJS.ProcessEnv = process.env): ResolvedBridgeOptions {
  const token = options.token === false ? undefined : (options.token ?? env[TOKEN_ENV]) || undefined;
  return {
    port: options.port ?? DEFAULT_BRIDGE_PORT,
    host: options.host ?? '127.0.0.1',
    token,
    maxBodyBytes: positive(options.maxBodyBytes, 20 * 1024 * 1024, 'maxBodyBytes'),
    maxQueuedSpans: positive(options.maxQueuedSpans, 100_000, 'maxQueuedSpans'),
    maxExportBatchSize: positive(options.maxExportBatchSize, 2_048, 'maxExportBatchSize'),
    maxConcurrentExports: positive(options.maxConcurrentExports, 1, 'maxConcurrentExports'),
    exportTimeoutMillis: positive(options.exportTimeoutMillis, 30_000, 'exportTimeoutMillis'),
    retryAfterSeconds: positive(options.retryAfterSeconds, 1, 'retryAfterSeconds'),
  };
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`createBridge: ${name} must be a positive number, got ${value}`);
  return value;
}
