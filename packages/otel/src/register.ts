import { context, diag, propagation, trace, type Meter, type MeterProvider, type ProxyTracerProvider } from '@opentelemetry/api';
import {
  InterpretingExporter,
  PropagatedAttributesProcessor,
  type DeliveryOptions,
  type ExporterStats,
  type InterpretOptions,
  type RecordSink,
  type ReparentingOptions,
  type SamplingOptions,
  type SpanProcessor,
} from '@mini-agent/core';
import { configuredSinks, type SinkOptions } from './configured-sinks.js';
import { installExitHooks } from './exit-hooks.js';
import { ProcessorDropCounter, type ProcessorStats } from './processor-drops.js';
import { scoreStats, type ScoreStats } from './score.js';
import { buildResource, type ResourceOptions } from './resource.js';
import { otlpTraceExporter } from './sdk/otlp.js';
import { traceSdk, type BatchOptions, type SdkTracerProvider, type TraceSdk } from './sdk/index.js';

/** What {@link MiniAgentTracing.stats} reports: the exporter's counters and the batch processor's drops. */
export interface MiniAgentStats extends ExporterStats {
  /** Spans the SDK's span processor dropped before the exporter saw them (`dropped.queue_full`). */
  processor: ProcessorStats;
  /** Scores `recordScore()` recorded and refused (process-wide; refusals by reason). */
  scores: ScoreStats;
}

/** Options of {@link registerMiniAgentTracing}. Everything is optional. */
export interface MiniAgentTracingOptions extends ResourceOptions, SinkOptions {
  /**
   * Also send the raw spans over OTLP/HTTP (protobuf) to a collector. Default: on when
   * `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set, with the
   * exporter's standard environment handling. `{ url }` names the traces endpoint; `false`: off.
   */
  readonly otlp?: { readonly url?: string; readonly headers?: Record<string, string> } | false;
  /** More span processors, added after the ones built here. */
  readonly spanProcessors?: readonly SpanProcessor[];
  /** Redaction and size limits of the interpretation step. */
  readonly interpretOptions?: InterpretOptions;
  /**
   * Retries, memory bounds and the durable spool of each sink's delivery. With
   * `{ spoolDir: '.mini-agent/spool' }` a batch is acknowledged only once it is stored or written
   * (fsync'd) to the spool, survives a crash, and is delivered on the next start.
   */
  readonly delivery?: DeliveryOptions;
  /**
   * `batch` (default): spans are batched by the SDK's BatchSpanProcessor and exported every few
   * seconds. `immediate`: each span is exported as it ends (SimpleSpanProcessor), for short-lived
   * and serverless processes that may be frozen between requests; `forceFlush()` then waits for
   * every export in flight. Costs a sink write per span.
   */
  readonly mode?: 'batch' | 'immediate';
  /**
   * Session-level tail sampling, for every sink: `{ rate: 0.1 }` keeps every failed or slow
   * (`slowMs`, default 30 s) session and 10 % of the others, each trace whole; decided when the
   * session span ends, with a bounded buffer (a trace that does not fit is kept, never lost).
   * Counted in `stats().sampling`. Default: off.
   */
  readonly sampling?: SamplingOptions;
  /** One generation per model call when two instrumentations report it (see `stats().duplicates`). Default `true`. */
  readonly dedupeGenerations?: boolean;
  /** How long (and how many) kept spans a sink's filter holds while their ancestors are not yet seen. */
  readonly reparenting?: ReparentingOptions;
  /** Report delivery counters (`stats()`) as OpenTelemetry metrics through this meter. */
  readonly meter?: Meter;
  /** How long a flush or shutdown waits for the sinks, in milliseconds. Default 10 000. */
  readonly flushTimeoutMillis?: number;
  /**
   * Batching of the span processor in front of the sinks (queue size, delay, batch size). A
   * `selfObsMeterProvider` given here still gets the SDK's processor metrics.
   */
  readonly batch?: BatchOptions;
  /**
   * Read the session's identity (session id, user id, agent name and version, environment) from
   * W3C baggage a caller sent, onto every span this process starts: for a service called by an
   * agent that propagates with `baggage: true`. Values are validated as hostile input (strings of
   * at most 256 characters, no control characters); refused ones are counted in `stats()`.
   * Default `false`: turn it on only where callers are trusted to name sessions and users.
   */
  readonly baggage?: boolean;
  /** Flush on SIGTERM, SIGINT and `beforeExit`. Default `true`. */
  readonly exitHooks?: boolean;
  /** The longest an exit flush may hold the process, in milliseconds. Default 10 000. */
  readonly exitFlushTimeoutMillis?: number;
}

/** What {@link registerMiniAgentTracing} set up. */
export interface MiniAgentTracing {
  /**
   * The tracer provider registered globally: a `NodeTracerProvider` with SDK 2.x, a `TracerProvider`
   * of `@opentelemetry/sdk-trace` with SDK 3.x, whichever the application installed.
   */
  readonly provider: SdkTracerProvider;
  /** The exporter that interprets each span once and hands the records to every sink. */
  readonly exporter: InterpretingExporter;
  /** The sinks attached, in order (database, Langfuse, yours). */
  readonly sinks: readonly RecordSink[];
  /**
   * Settles when every sink is ready (the database connected and migrated). Rejects with the
   * reason one is not; nothing waits for it unless you do: spans are queued meanwhile.
   */
  readonly ready: Promise<void>;
  /**
   * Spans received, records stored and dropped per sink, values sanitized; and (`processor`) the
   * spans the batch processor dropped before the exporter saw them, which the SDK reports nowhere else.
   */
  stats(): MiniAgentStats;
  /**
   * Exports every finished span now and waits until each sink stored it (or spooled it, or the
   * flush timeout passed). Never rejects: failures show in {@link stats} and `diag`.
   */
  forceFlush(): Promise<void>;
  /** Flushes, closes the sinks and unregisters the global provider. Never rejects. */
  shutdown(): Promise<void>;
}

// On globalThis, like the OTel API's own globals: two copies of this module must still see one registration.
const REGISTRATION = Symbol.for('@mini-agent/otel.registration');
type GlobalWithRegistration = typeof globalThis & { [REGISTRATION]?: MiniAgentTracing };

/**
 * Sets up OpenTelemetry tracing for an agent in one call: a tracer provider of the application's
 * OpenTelemetry SDK (2.x or 3.x, a peer dependency) with the agent's resource, one
 * BatchSpanProcessor in front of one exporter that interprets each span once and
 * fans the records out to the configured sinks (Postgres/Supabase or embedded PGlite, Langfuse,
 * your own), plus an OTLP exporter when a collector is configured. Registers globally (tracer
 * provider, async context, W3C propagation) and flushes on SIGTERM/SIGINT/`beforeExit`.
 *
 * Calling it again while registered warns and returns the first handle.
 *
 * @example
 * ```ts
 * const tracing = registerMiniAgentTracing({ serviceName: 'support-bot' });
 * // ... withSession(...), withTool(...) ...
 * await tracing.shutdown();
 * ```
 */
export function registerMiniAgentTracing(options: MiniAgentTracingOptions = {}): MiniAgentTracing {
  const global = globalThis as GlobalWithRegistration;
  const existing = global[REGISTRATION];
  if (existing) {
    const message = '@mini-agent/otel: registerMiniAgentTracing() was called twice; returning the first registration';
    diag.warn(message);
    console.warn(message);
    return existing;
  }
  const sdk = traceSdk();
  const { sinks, ready } = configuredSinks(options);
  const exporter = new InterpretingExporter({
    sinks,
    ...(options.interpretOptions ? { interpretOptions: options.interpretOptions } : {}),
    ...(options.delivery ? { delivery: options.delivery } : {}),
    ...(options.flushTimeoutMillis !== undefined ? { flushTimeoutMs: options.flushTimeoutMillis } : {}),
    ...(options.meter ? { meter: options.meter } : {}),
    ...(options.sampling ? { sampling: options.sampling } : {}),
    ...(options.dedupeGenerations !== undefined ? { dedupeGenerations: options.dedupeGenerations } : {}),
    ...(options.reparenting ? { reparenting: options.reparenting } : {}),
  });
  // The SDK counts queue-full drops only in its self-observability metrics: watched here, passed on to the user's provider.
  const drops = new ProcessorDropCounter(options.batch?.selfObsMeterProvider);
  const batch: BatchOptions & { selfObsMeterProvider: MeterProvider } = { ...options.batch, selfObsMeterProvider: drops };
  const processor = options.mode === 'immediate' ? sdk.simpleSpanProcessor(exporter) : sdk.batchSpanProcessor(exporter, batch);
  const propagated = new PropagatedAttributesProcessor({ baggage: options.baggage === true });
  const provider = sdk.registerTracerProvider({
    resource: buildResource(options),
    // First: the session's attributes are on each span before any other processor sees it start.
    spanProcessors: [propagated, processor, ...otlpProcessors(sdk, options.otlp), ...(options.spanProcessors ?? [])],
  });
  warnIfNotGlobal(provider);

  const allReady = Promise.all(ready).then(() => undefined);
  allReady.catch(() => {}); // reported through writes and stats(); only a caller awaiting it sees the rejection
  let uninstallExitHooks = () => {};
  let shuttingDown: Promise<void> | undefined;
  const handle: MiniAgentTracing = {
    provider,
    exporter,
    sinks,
    ready: allReady,
    stats: () => ({ ...exporter.stats(), processor: drops.stats(), scores: scoreStats() }),
    // The processors hand their spans over; the exporter's pipelines then deliver (or spool) what they hold.
    forceFlush: () =>
      provider
        .forceFlush()
        .then(() => exporter.forceFlush())
        .catch((error: unknown) => diag.warn('@mini-agent/otel: flush failed', error)),
    shutdown() {
      shuttingDown ??= (async () => {
        uninstallExitHooks();
        await provider.shutdown().catch((error: unknown) => diag.warn('@mini-agent/otel: shutdown failed', error));
        unregister(provider);
        if (global[REGISTRATION] === handle) delete global[REGISTRATION];
      })();
      return shuttingDown;
    },
  };
  if (options.exitHooks !== false) uninstallExitHooks = installExitHooks(() => handle.shutdown(), options.exitFlushTimeoutMillis ?? 10_000);
  global[REGISTRATION] = handle;
  return handle;
}

function otlpProcessors(sdk: TraceSdk, option: MiniAgentTracingOptions['otlp']): SpanProcessor[] {
  if (option === false) return [];
  if (option) return [sdk.batchSpanProcessor(otlpTraceExporter(option), {})];
  const env = process.env;
  // Without a url the exporter resolves the standard variables itself (traces endpoint, /v1/traces suffix, headers).
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return [sdk.batchSpanProcessor(otlpTraceExporter(), {})];
  return [];
}

/**
 * The OTel API keeps the first provider registered and ignores later ones. If the application set
 * up its own SDK first, the helpers' spans go there, so say how to attach ours to it instead.
 */
function warnIfNotGlobal(provider: SdkTracerProvider): void {
  const current = trace.getTracerProvider() as ProxyTracerProvider;
  if (typeof current.getDelegate !== 'function' || current.getDelegate() === provider) return;
  console.warn(
    '@mini-agent/otel: another OpenTelemetry tracer provider was registered first, so spans go there, not to the mini-agent sinks. ' +
      'Add the exporter to your own setup instead: new BatchSpanProcessor(new InterpretingExporter({ sinks })) on SDK 2.x, ' +
      'new BatchSpanProcessor({ exporter: new InterpretingExporter({ sinks }) }) on SDK 3.x.',
  );
}

/** Removes the globals the registration set, only when they are still ours, so a later registration can take over. */
function unregister(provider: SdkTracerProvider): void {
  const current = trace.getTracerProvider() as ProxyTracerProvider;
  if (typeof current.getDelegate === 'function' && current.getDelegate() !== provider) return;
  trace.disable();
  context.disable();
  propagation.disable();
}
