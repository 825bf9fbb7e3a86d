import { DeliveryError, type AgentRecord, type RecordSink } from '@mini-agent/core';
import { IngestionTransport } from './ingestion-transport.js';
import { applyLimits, type LimitCounts } from './limits.js';
import { mapRecords } from './mapping.js';
import { resolveLangfuseOptions, type LangfuseOptions, type LangfuseTransport } from './options.js';
import { OtlpTransport } from './otlp-transport.js';
import { mapScores } from './score-mapping.js';
import { ScoreTransport } from './score-transport.js';
import type { LangfuseBatch } from './model.js';
import type { DeliveryCounts, FailedItems, LangfuseTransportClient, SendOutcome } from './transport.js';

/** What a Langfuse sink has done since it was created. */
export interface LangfuseSinkStats extends DeliveryCounts, LimitCounts {
  readonly transport: LangfuseTransport;
  /** Batches handed to `write()`. */
  batches: number;
  /** Observations and traces mapped from records. */
  observations: number;
  traces: number;
  /** Scores mapped from records (sent to `POST /api/public/scores`, counted in `delivered`/`rejected` too). */
  scores: number;
  lastError: string | null;
}

/** A {@link RecordSink} that sends records to Langfuse, with counters. */
export interface LangfuseSink extends RecordSink {
  readonly transport: LangfuseTransport;
  /** A snapshot of the counters. */
  stats(): LangfuseSinkStats;
}

/**
 * Creates the Langfuse sink: records → Langfuse traces and observations (one mapping), the user's
 * mask and the size limits, then the configured transport (`otlp` by default, `ingestion` for v2
 * servers) with retries. Options default from `LANGFUSE_*` variables.
 *
 * @throws `LangfuseConfigError` when the keys are missing (use `langfuseConfigFromEnv()` to check first).
 * @example
 * ```ts
 * const sink = createLangfuseSink({ baseUrl: 'https://us.cloud.langfuse.com' });
 * const exporter = new InterpretingExporter({ sinks: [sink] });
 * ```
 */
export function createLangfuseSink(options: LangfuseOptions = {}): LangfuseSink {
  const resolved = resolveLangfuseOptions(options);
  const counters: LangfuseSinkStats = {
    transport: resolved.transport,
    batches: 0,
    observations: 0,
    traces: 0,
    scores: 0,
    delivered: 0,
    rejected: 0,
    failedRetryable: 0,
    retries: 0,
    truncatedFields: 0,
    maskFailures: 0,
    lastError: null,
  };
  const transport: LangfuseTransportClient =
    resolved.transport === 'ingestion' ? new IngestionTransport(resolved, counters) : new OtlpTransport(resolved, counters);
  const scoreTransport = new ScoreTransport(resolved, counters);
  const pending = new Set<Promise<void>>();
  let closed = false;

  const deliver = async (records: readonly AgentRecord[]): Promise<void> => {
    counters.batches += 1;
    const mapped = mapRecords(records, { environment: resolved.environment, release: resolved.release });
    const limited = applyLimits(mapped, resolved, counters);
    counters.observations += limited.observations.length;
    counters.traces += limited.traces.length;
    const scores = mapScores(records, { environment: resolved.environment });
    counters.scores += scores.length;
    const hasObservations = limited.observations.length > 0 || limited.traces.length > 0;
    if (!hasObservations && scores.length === 0) return;
    const outcome = hasObservations ? await transport.send(limited) : NOTHING_FAILED;
    // Scores after their observations: a score reaches Langfuse once what it judges can be there.
    const scoreOutcome = scores.length > 0 ? await scoreTransport.send(scores) : NOTHING_FAILED;
    const failure = toDeliveryError(merge(outcome, scoreOutcome), limited, records);
    if (!failure) return;
    counters.lastError = failure.message;
    throw failure;
  };

  return {
    name: 'langfuse',
    filter: options.filter ?? 'agent',
    transport: resolved.transport,
    write(records) {
      if (closed) return Promise.reject(new DeliveryError('Langfuse sink is shut down', false));
      const delivery = deliver(records);
      pending.add(delivery);
      void delivery.catch(() => {}).finally(() => pending.delete(delivery));
      return delivery;
    },
    async forceFlush() {
      await Promise.allSettled([...pending]);
    },
    async shutdown() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([...pending]);
      await transport.shutdown();
    },
    stats: () => ({ ...counters }),
  };
}

/**
 * One error for the caller (the delivery pipeline) from what the transport reports. Retryable
 * failures win, carrying only the records of the spans still to send (`remaining`), so a retry
 * resends neither what was stored nor what was refused; refusals are then counted and logged here.
 */
function toDeliveryError(outcome: SendOutcome, batch: LangfuseBatch, records: readonly AgentRecord[]): DeliveryError | undefined {
  const { retryable, rejected } = outcome;
  if (!retryable && !rejected) return undefined;
  if (!retryable) return rejected!.error;
  const spans = sourceSpans(batch, retryable.ids, records);
  const remaining = records.filter((r) => spans.has(`${r.traceId}/${r.spanId}`));
  // Records of spans refused for good (and not also waiting for a retry): counted as rejected by the pipeline.
  const refusedSpans = rejected ? sourceSpans(batch, rejected.ids, records) : new Set<string>();
  const refused = records.filter((r) => refusedSpans.has(`${r.traceId}/${r.spanId}`) && !spans.has(`${r.traceId}/${r.spanId}`));
  const partial = remaining.length > 0 && remaining.length < records.length;
  return new DeliveryError(retryable.error.message, true, {
    cause: retryable.error,
    retryAfterMs: retryable.error.retryAfterMs,
    reason: retryable.error.reason,
    ...(partial ? { remaining } : {}),
    ...(partial && refused.length > 0 && rejected ? { refused: { records: refused, reason: rejected.error.reason ?? 'permanent', message: rejected.error.message } } : {}),
  });
}

const NOTHING_FAILED: SendOutcome = { retryable: null, rejected: null };

/** One outcome of the observations' and the scores' sends (ids are trace, observation or score ids). */
function merge(a: SendOutcome, b: SendOutcome): SendOutcome {
  const both = (x: FailedItems | null, y: FailedItems | null): FailedItems | null =>
    x && y ? { ids: [...x.ids, ...y.ids], error: x.error } : (x ?? y);
  return { retryable: both(a.retryable, b.retryable), rejected: both(a.rejected, b.rejected) };
}

/** The spans (`traceId/spanId`) whose records produced the given trace, observation or score ids. */
function sourceSpans(batch: LangfuseBatch, ids: readonly string[], records: readonly AgentRecord[] = []): Set<string> {
  const wanted = new Set(ids);
  const spans = new Set<string>();
  for (const r of records) if (r.type === 'score' && wanted.has(r.id)) spans.add(`${r.traceId}/${r.spanId}`);
  for (const trace of batch.traces) if (wanted.has(trace.id)) spans.add(`${trace.id}/${trace.spanId}`);
  for (const o of batch.observations) if (wanted.has(o.id)) spans.add(`${o.traceId}/${o.sourceSpanId}`);
  return spans;
}
