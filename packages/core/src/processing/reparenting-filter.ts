import type { AgentRecord } from '../records.js';
import { ExpiryTimer } from './expiry-timer.js';
import { BoundedMap, countInto, groupBySpan, spanKey, withParent, type SpanGroup } from './span-groups.js';
import type { SpanVerdict } from './span-filter.js';

/** Bounds of a {@link ReparentingFilter}. */
export interface ReparentingOptions {
  /**
   * How long a kept span waits for an ancestor not yet seen (children end, and are exported,
   * before their parents), in milliseconds. Then it is sent with the nearest ancestor known by
   * then, counted as `unresolved`. Default 30 000.
   */
  readonly holdMs?: number;
  /** Kept spans held at most; beyond, the oldest is sent as above. Default 10 000. */
  readonly maxHeldSpans?: number;
  /** Spans remembered (kept or dropped, with their parent) for later batches. Default 100 000. */
  readonly maxRememberedSpans?: number;
}

/** What a {@link ReparentingFilter} did, for `stats()`. */
export interface FilterStats {
  /** Spans dropped, by reason (`http`, `db`, `other`, `duplicate`, `predicate`). */
  dropped: Record<string, number>;
  /** Kept spans given a new parent because theirs was dropped. */
  reparented: number;
  /** Kept spans sent before every ancestor was seen (hold time or bound reached, flush). */
  unresolved: number;
  /** Kept spans waiting now for an ancestor. */
  held: number;
}

interface Seen {
  readonly kept: boolean;
  readonly parentSpanId: string | null;
}

interface Held {
  readonly group: SpanGroup;
  readonly since: number;
  /** The ancestor it waits for (`traceId/spanId`). */
  waitingFor: string;
}

/**
 * One sink's span filter, with reparenting: a dropped span's kept descendants are attached to its
 * nearest kept ancestor, so no kept span points at a parent the sink never gets. Spans arrive in
 * any order and in different batches, and a parent normally ends after its children; so a kept
 * span whose parent has not been seen yet is held until it is (or until `holdMs`, `maxHeldSpans`,
 * or a flush: then it goes out with the nearest ancestor known, never lost). What it knows of
 * spans seen is bounded by `maxRememberedSpans`.
 */
export class ReparentingFilter {
  private readonly seen: BoundedMap<string, Seen>;
  private readonly held = new Map<string, Held>();
  /** Held spans by the ancestor they wait for. */
  private readonly waiting = new Map<string, Set<string>>();
  private readonly holdMs: number;
  private readonly maxHeld: number;
  private readonly counts: FilterStats = { dropped: {}, reparented: 0, unresolved: 0, held: 0 };
  private readonly timer = new ExpiryTimer(() => this.releaseExpired());

  /**
   * @param verdict - keeps a span (`undefined`) or says why it is dropped.
   * @param release - takes held records whose wait ended on a timer (outside any `process` call).
   */
  constructor(
    private readonly verdict: SpanVerdict,
    private readonly release: (records: AgentRecord[]) => void,
    options: ReparentingOptions = {},
  ) {
    this.seen = new BoundedMap(options.maxRememberedSpans ?? 100_000);
    this.holdMs = options.holdMs ?? 30_000;
    this.maxHeld = options.maxHeldSpans ?? 10_000;
  }

  /** The records of `records` to send now: kept spans whose ancestry is known, reparented as needed. */
  process(records: readonly AgentRecord[]): AgentRecord[] {
    const out: AgentRecord[] = [];
    const now = Date.now();
    for (const group of groupBySpan(records)) {
      const span = group.span;
      if (span === undefined) {
        out.push(...group.records); // records without their span (spooled by an older version): as they are
        continue;
      }
      const reason = this.verdict(span);
      this.seen.set(group.key, { kept: reason === undefined, parentSpanId: span.parentSpanId });
      if (reason !== undefined) countInto(this.counts.dropped, reason);
      else this.place(group, now, out);
      this.wake(group.key, out);
    }
    while (this.held.size > this.maxHeld) this.sendOldest(out);
    this.schedule();
    return out;
  }

  /** Sends every held span now, with the nearest ancestor known (a flush or shutdown). */
  drain(): AgentRecord[] {
    const out: AgentRecord[] = [];
    while (this.held.size > 0) this.sendOldest(out);
    return out;
  }

  stats(): FilterStats {
    return { ...this.counts, dropped: { ...this.counts.dropped }, held: this.held.size };
  }

  /** Stops the timer (the stage is done). */
  close(): void {
    this.timer.cancel();
  }

  /** Sends `group` with its nearest kept ancestor, or holds it while an ancestor is unknown. */
  private place(group: SpanGroup, since: number, out: AgentRecord[]): void {
    const resolved = this.resolve(group);
    if (resolved.done) {
      this.send(group, resolved.parent, out);
      return;
    }
    const held: Held = { group, since, waitingFor: spanKey(group.traceId, resolved.parent!) };
    this.held.set(group.key, held);
    this.wait(held);
  }

  /** Walks up through dropped ancestors: the nearest kept one (`done`), or the first not yet seen. */
  private resolve(group: SpanGroup): { done: boolean; parent: string | null } {
    let parent = group.span!.parentSpanId;
    // Bounded: a hostile trace could make a cycle of parents.
    for (let hops = 0; parent !== null && hops < 1_000; hops++) {
      const seen = this.seen.get(spanKey(group.traceId, parent));
      if (seen === undefined) return { done: false, parent };
      if (seen.kept) return { done: true, parent };
      parent = seen.parentSpanId;
    }
    return { done: true, parent };
  }

  /** Re-places the spans that waited for `key`, now that it was seen. */
  private wake(key: string, out: AgentRecord[]): void {
    const waiters = this.waiting.get(key);
    if (!waiters) return;
    this.waiting.delete(key);
    for (const heldKey of waiters) {
      const held = this.held.get(heldKey);
      if (!held) continue;
      const resolved = this.resolve(held.group);
      if (resolved.done) {
        this.held.delete(heldKey);
        this.send(held.group, resolved.parent, out);
      } else {
        // Still waiting, for an ancestor further up; it keeps its place (and its age) in the queue.
        held.waitingFor = spanKey(held.group.traceId, resolved.parent!);
        this.wait(held);
      }
    }
  }

  private wait(held: Held): void {
    let set = this.waiting.get(held.waitingFor);
    if (!set) this.waiting.set(held.waitingFor, (set = new Set()));
    set.add(held.group.key);
  }

  private send(group: SpanGroup, parent: string | null, out: AgentRecord[]): void {
    if (parent === group.span!.parentSpanId) out.push(...group.records);
    else {
      this.counts.reparented += 1;
      out.push(...withParent(group.records, parent));
    }
  }

  /** The oldest held span goes out now with the nearest ancestor known: the one it waits for. */
  private sendOldest(out: AgentRecord[]): void {
    const [key, held] = this.held.entries().next().value as [string, Held];
    this.held.delete(key);
    this.waiting.get(held.waitingFor)?.delete(key);
    this.counts.unresolved += 1;
    this.send(held.group, held.waitingFor.slice(held.waitingFor.indexOf('/') + 1), out);
  }

  /** Arms the timer for the oldest held span. */
  private schedule(): void {
    const oldest = this.held.values().next().value as Held | undefined;
    if (oldest) this.timer.arm(oldest.since + this.holdMs);
  }

  /** Sends the spans that waited `holdMs`, oldest first. */
  private releaseExpired(): void {
    const out: AgentRecord[] = [];
    const deadline = Date.now() - this.holdMs;
    for (const held of [...this.held.values()]) {
      if (held.since > deadline) break;
      this.sendOldest(out);
    }
    if (out.length > 0) this.release(out);
    this.schedule();
  }
}
