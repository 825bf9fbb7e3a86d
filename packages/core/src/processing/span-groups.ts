import type { AgentRecord, SpanRecord } from '../records.js';

/** The records one span produced, in their order, and its `span` record when there is one. */
export interface SpanGroup {
  /** `traceId/spanId`. */
  readonly key: string;
  readonly traceId: string;
  readonly records: AgentRecord[];
  span: SpanRecord | undefined;
}

/** `traceId/spanId`: span ids are unique only within their trace. */
export function spanKey(traceId: string, spanId: string): string {
  return `${traceId}/${spanId}`;
}

/** Records grouped by the span they came from, in the order each span first appears. */
export function groupBySpan(records: readonly AgentRecord[]): SpanGroup[] {
  const groups = new Map<string, SpanGroup>();
  let last: SpanGroup | undefined;
  let lastSpanId: string | undefined;
  for (const record of records) {
    // A span's records come one after another (one interpret() call): the group of the record
    // before is the likely one, found without building and hashing the key again.
    let group = last !== undefined && record.spanId === lastSpanId && record.traceId === last.traceId ? last : undefined;
    if (!group) {
      const key = spanKey(record.traceId, record.spanId);
      group = groups.get(key);
      if (!group) groups.set(key, (group = { key, traceId: record.traceId, records: [], span: undefined }));
      last = group;
      lastSpanId = record.spanId;
    }
    group.records.push(record);
    if (record.type === 'span') group.span = record;
  }
  return [...groups.values()];
}

/**
 * The records of a span with a new parent: its span, tool and generation records carry the
 * parent. New objects: a batch once handed to a sink is never changed (the spool caches its bytes).
 */
export function withParent(records: readonly AgentRecord[], parentSpanId: string | null): AgentRecord[] {
  return records.map((r) => (r.type === 'span' || r.type === 'tool' || r.type === 'generation' ? { ...r, parentSpanId } : r));
}

/**
 * A map that forgets its oldest entries beyond `max`: what the stages remember about spans and
 * traces seen is bounded, whatever the traffic.
 */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly max: number) {
    super();
  }

  override set(key: K, value: V): this {
    if (!this.has(key) && this.size >= this.max) {
      const oldest = this.keys().next();
      if (!oldest.done) this.delete(oldest.value);
    }
    return super.set(key, value);
  }
}

/** Adds one to `counts[reason]`. */
export function countInto(counts: Record<string, number>, reason: string, n = 1): void {
  counts[reason] = (counts[reason] ?? 0) + n;
}
