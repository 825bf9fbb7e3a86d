import type { AgentRecord, GenerationRecord, SpanRecord } from '../records.js';
import { BoundedMap, countInto, spanKey } from './span-groups.js';

/** A model call already reported, remembered to recognize a second report of it. */
interface Reported {
  readonly spanId: string;
  readonly parentSpanId: string | null;
  readonly model: string | null;
  readonly start: number;
  readonly end: number;
  /** The span that reported the call first (itself, unless it was a duplicate too). */
  readonly original: string;
}

/** What a {@link DuplicateGenerations} stage did, for `stats()`. */
export interface DuplicateStats {
  /** Generations dropped as another instrumentation's report of the same call, by reason. */
  dropped: Record<string, number>;
}

/**
 * The same model call seen by two instrumentations (OpenInference and OpenLLMetry both patching
 * the OpenAI client): one span nested directly in the other, the same model, overlapping times.
 * The first one reported (the inner span: it ends first) stays the generation; the other keeps its
 * `spans` row, marked `duplicateOf`, and loses its generation record, so both sinks show one
 * generation. Decided before the records fan out, so every sink agrees. Remembers at most
 * `maxRemembered` calls (oldest forgotten first).
 */
export class DuplicateGenerations {
  private readonly byTrace: BoundedMap<string, Reported[]>;
  private readonly counts: DuplicateStats = { dropped: {} };

  constructor(maxRememberedTraces = 10_000) {
    this.byTrace = new BoundedMap(maxRememberedTraces);
  }

  /** `records` with the second report of each model call turned into a marked plain span. */
  process(records: readonly AgentRecord[]): readonly AgentRecord[] {
    // Only generation records are looked at; the batch is regrouped by span only when one of
    // them turns out to be a second report (rare), instead of grouping every batch to find them.
    let duplicates: Map<string, string> | undefined;
    for (const record of records) {
      if (record.type !== 'generation') continue;
      const key = spanKey(record.traceId, record.spanId);
      if (duplicates?.has(key)) continue; // a span's first generation record speaks for it
      const reported = this.byTrace.get(record.traceId) ?? [];
      if (reported.length === 0) this.byTrace.set(record.traceId, reported);
      const first = reported.find((r) => sameCall(r, record));
      if (reported.length < 1_000) reported.push(describe(record, first?.original ?? record.spanId));
      if (!first) continue;
      countInto(this.counts.dropped, 'nested_same_model');
      (duplicates ??= new Map()).set(key, first.original);
    }
    // Unchanged batches stay the same array: its spool bytes are made once.
    if (!duplicates) return records;
    const out: AgentRecord[] = [];
    for (const r of records) {
      const original = duplicates.get(spanKey(r.traceId, r.spanId));
      if (original === undefined) out.push(r);
      else if (r.type === 'span') out.push({ ...r, duplicateOf: original } satisfies SpanRecord);
      else if (r.type !== 'generation') out.push(r);
    }
    return out;
  }

  stats(): DuplicateStats {
    return { dropped: { ...this.counts.dropped } };
  }
}

function describe(g: GenerationRecord, original: string): Reported {
  return { spanId: g.spanId, parentSpanId: g.parentSpanId, model: normalized(g.model), start: g.startTime.getTime(), end: g.endTime.getTime(), original };
}

/** Nested directly one in the other, the same model (one may name the dated version), overlapping in time. */
function sameCall(r: Reported, g: GenerationRecord): boolean {
  const nested = r.spanId === g.parentSpanId || r.parentSpanId === g.spanId;
  if (!nested) return false;
  const model = normalized(g.model);
  if (r.model === null || model === null || !(r.model.startsWith(model) || model.startsWith(r.model))) return false;
  return r.start <= g.endTime.getTime() && g.startTime.getTime() <= r.end;
}

function normalized(model: string | null): string | null {
  return model === null || model === '' ? null : model.toLowerCase();
}
