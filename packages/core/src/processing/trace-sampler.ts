import type { AgentRecord } from '../records.js';
import { ExpiryTimer } from './expiry-timer.js';
import { BoundedMap, countInto, groupBySpan, type SpanGroup } from './span-groups.js';

/** Options of the session-level tail sampler. */
export interface SamplingOptions {
  /** The fraction (0–1) of the sessions that neither failed nor were slow to keep. */
  readonly rate: number;
  /** A session at least this long (milliseconds) is slow, and kept. Default 30 000. */
  readonly slowMs?: number;
  /** Spans buffered at most, over all undecided traces; beyond, the oldest trace is kept whole. Default 20 000. */
  readonly maxBufferedSpans?: number;
  /** How long a trace waits for its session (or root) span, in milliseconds; then it is kept. Default 300 000. */
  readonly maxWaitMs?: number;
}

/** What the sampler did, for `stats()`. */
export interface SamplingStats {
  /** Traces kept, by reason: `error`, `slow`, `rate`, `overflow` (the buffer was full), `timeout`, `flush`. */
  keptTraces: Record<string, number>;
  /** Traces dropped by the rate. */
  droppedTraces: number;
  /** Spans of dropped traces. */
  droppedSpans: number;
  /** Spans waiting now for their trace's decision. */
  bufferedSpans: number;
}

interface Pending {
  readonly groups: SpanGroup[];
  readonly since: number;
  failed: boolean;
}

/**
 * Keeps or drops each trace whole: every failed or slow session, and `rate` of the others. The
 * decision is made once, when the trace's session span ends (or its root span, for a trace
 * without a session span); the trace's spans wait for it in a bounded buffer. A trace the buffer
 * cannot hold, or that waits longer than `maxWaitMs`, is kept (never lost), and counted. Spans of
 * a decided trace that arrive later follow the decision. The rate is applied to the trace id, as
 * OpenTelemetry's `TraceIdRatioBased` sampler does, so every process decides a trace alike.
 */
export class TraceSampler {
  private readonly pending = new Map<string, Pending>();
  private readonly decided = new BoundedMap<string, boolean>(100_000);
  private buffered = 0;
  private readonly counts = { keptTraces: {} as Record<string, number>, droppedTraces: 0, droppedSpans: 0 };
  private readonly rate: number;
  private readonly slowMs: number;
  private readonly maxBuffered: number;
  private readonly maxWaitMs: number;
  private readonly timer = new ExpiryTimer(() => this.keepExpired());

  /** @param release - takes the records of traces kept on a timer (outside any `process` call). */
  constructor(options: SamplingOptions, private readonly release: (records: AgentRecord[]) => void) {
    if (!(options.rate >= 0 && options.rate <= 1)) throw new RangeError(`sampling rate must be between 0 and 1, got ${options.rate}`);
    this.rate = options.rate;
    this.slowMs = options.slowMs ?? 30_000;
    this.maxBuffered = options.maxBufferedSpans ?? 20_000;
    this.maxWaitMs = options.maxWaitMs ?? 300_000;
  }

  /** The records to pass on now: those of kept traces, decided now or before. */
  process(records: readonly AgentRecord[]): AgentRecord[] {
    const out: AgentRecord[] = [];
    const now = Date.now();
    for (const group of groupBySpan(records)) {
      const decision = this.decided.get(group.traceId);
      if (decision !== undefined) {
        if (decision) out.push(...group.records);
        else this.counts.droppedSpans += 1;
        continue;
      }
      let trace = this.pending.get(group.traceId);
      if (!trace) this.pending.set(group.traceId, (trace = { groups: [], since: now, failed: false }));
      trace.groups.push(group);
      this.buffered += 1;
      if (group.span?.status === 'error') trace.failed = true;
      if (decides(group)) this.decide(group.traceId, this.verdict(group, trace), out);
    }
    while (this.buffered > this.maxBuffered && this.pending.size > 0) this.decide(this.pending.keys().next().value as string, 'overflow', out);
    this.schedule();
    return out;
  }

  /** Keeps every trace still waiting (a flush or shutdown: nothing is lost for want of a decision). */
  drain(): AgentRecord[] {
    const out: AgentRecord[] = [];
    for (const traceId of [...this.pending.keys()]) this.decide(traceId, 'flush', out);
    return out;
  }

  stats(): SamplingStats {
    return { keptTraces: { ...this.counts.keptTraces }, droppedTraces: this.counts.droppedTraces, droppedSpans: this.counts.droppedSpans, bufferedSpans: this.buffered };
  }

  close(): void {
    this.timer.cancel();
  }

  /** Why the trace is kept (`error`, `slow`, `rate`), or `null` to drop it. */
  private verdict(group: SpanGroup, trace: Pending): string | null {
    if (trace.failed) return 'error';
    const span = group.span;
    if (span && span.durationMs >= this.slowMs) return 'slow';
    return traceIdFraction(group.traceId) < this.rate ? 'rate' : null;
  }

  /** Settles a trace: its buffered records go out (`reason`) or are dropped (`null`). */
  private decide(traceId: string, reason: string | null, out: AgentRecord[]): void {
    const trace = this.pending.get(traceId);
    this.pending.delete(traceId);
    const spans = trace?.groups.length ?? 0;
    this.buffered -= spans;
    // Remembered whatever the reason: a trace kept for want of a decision stays kept whole when its session ends.
    this.decided.set(traceId, reason !== null);
    if (reason === null) {
      this.counts.droppedTraces += 1;
      this.counts.droppedSpans += spans;
      return;
    }
    countInto(this.counts.keptTraces, reason);
    for (const group of trace?.groups ?? []) out.push(...group.records);
  }

  /** Arms the timer for the trace that has waited longest. */
  private schedule(): void {
    const oldest = this.pending.values().next().value as Pending | undefined;
    if (oldest) this.timer.arm(oldest.since + this.maxWaitMs);
  }

  /** Keeps the traces that waited `maxWaitMs` for their decision, oldest first. */
  private keepExpired(): void {
    const out: AgentRecord[] = [];
    const deadline = Date.now() - this.maxWaitMs;
    for (const [traceId, trace] of [...this.pending]) {
      if (trace.since > deadline) break;
      this.decide(traceId, 'timeout', out);
    }
    if (out.length > 0) this.release(out);
    this.schedule();
  }
}

/** The session span decides its trace; without one, the root span does. */
function decides(group: SpanGroup): boolean {
  const span = group.span;
  if (!span) return false;
  return span.kind === 'session' || span.parentSpanId === null;
}

/**
 * Where the trace id falls in [0, 1): its last 14 hex digits (the random part of a W3C trace id,
 * as the level-2 trace context defines it) over 2^56.
 */
export function traceIdFraction(traceId: string): number {
  const tail = Number.parseInt(traceId.slice(-14), 16);
  return Number.isFinite(tail) ? tail / 2 ** 56 : 0;
}
