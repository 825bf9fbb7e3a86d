import type { DecisionRow, GenerationRow, MetricRow, SessionDetailData, SpanRow, ToolRow } from './queries/session-detail.js';

/** One row of the waterfall: a span, placed in time and in the tree, with what the other tables know about it. */
export interface WaterfallNode {
  readonly spanId: string;
  readonly parentSpanId: string | null;
  readonly name: string;
  /** session | tool | decision | llm | step. */
  readonly kind: string;
  /** ok | error | unset. */
  readonly status: string;
  readonly statusMessage: string | null;
  readonly startedAt: Date;
  readonly endedAt: Date;
  readonly durationMs: number;
  /** Nesting depth, 0 for a root. */
  readonly depth: number;
  /** Milliseconds from the start of the trace's first span. */
  readonly offsetMs: number;
  readonly span: SpanRow | undefined;
  readonly tool: ToolRow | undefined;
  readonly generation: GenerationRow | undefined;
  readonly decisions: readonly DecisionRow[];
  readonly metrics: readonly MetricRow[];
}

/** The trace laid out: rows in tree order (each parent before its children, siblings by start time). */
export interface Waterfall {
  readonly nodes: readonly WaterfallNode[];
  readonly startedAt: Date | null;
  /** From the first start to the last end, at least 1 ms (so positions can be divided by it). */
  readonly totalMs: number;
}

type Draft = Omit<WaterfallNode, 'depth' | 'offsetMs'>;

/**
 * Lays out a trace's spans. Tool and LLM rows whose span row is missing (written by another
 * writer, or the spans table was pruned) still appear, as spans of their own kind. A span whose
 * parent never arrived is shown as a root rather than dropped.
 */
export function buildWaterfall(data: Pick<SessionDetailData, 'spans' | 'tools' | 'generations' | 'decisions' | 'metrics'>): Waterfall {
  const tools = new Map(data.tools.map((t) => [t.id, t]));
  const generations = new Map(data.generations.map((g) => [g.id, g]));
  const decisions = groupBy(data.decisions, (d) => d.span_id);
  const metrics = groupBy(data.metrics, (m) => m.span_id);
  const drafts = new Map<string, Draft>();
  const extras = (id: string) => ({ tool: tools.get(id), generation: generations.get(id), decisions: decisions.get(id) ?? [], metrics: metrics.get(id) ?? [] });
  for (const s of data.spans) {
    drafts.set(s.span_id, {
      spanId: s.span_id, parentSpanId: s.parent_span_id, name: s.name, kind: s.kind, status: s.status, statusMessage: s.status_message,
      startedAt: s.started_at, endedAt: s.ended_at, durationMs: s.duration_ms, span: s, ...extras(s.span_id),
    });
  }
  for (const t of data.tools) {
    if (drafts.has(t.id)) continue;
    drafts.set(t.id, {
      spanId: t.id, parentSpanId: t.parent_span_id, name: t.name, kind: 'tool', status: t.success ? 'ok' : 'error', statusMessage: t.error_message,
      startedAt: t.started_at, endedAt: t.ended_at, durationMs: t.duration_ms, span: undefined, ...extras(t.id),
    });
  }
  for (const g of data.generations) {
    if (drafts.has(g.id)) continue;
    drafts.set(g.id, {
      spanId: g.id, parentSpanId: g.parent_span_id, name: g.name, kind: 'llm', status: g.success ? 'ok' : 'error', statusMessage: g.error_message,
      startedAt: g.started_at, endedAt: g.ended_at, durationMs: g.duration_ms, span: undefined, ...extras(g.id),
    });
  }
  if (drafts.size === 0) return { nodes: [], startedAt: null, totalMs: 1 };

  const all = [...drafts.values()];
  const start = all.reduce((min, d) => Math.min(min, d.startedAt.getTime()), Number.POSITIVE_INFINITY);
  const end = all.reduce((max, d) => Math.max(max, d.endedAt.getTime()), Number.NEGATIVE_INFINITY);
  const children = groupBy(all, (d) => (d.parentSpanId && drafts.has(d.parentSpanId) ? d.parentSpanId : ''));
  const byStart = (a: Draft, b: Draft) => a.startedAt.getTime() - b.startedAt.getTime() || a.spanId.localeCompare(b.spanId);
  const nodes: WaterfallNode[] = [];
  const placed = new Set<string>();
  // Iterative depth-first walk (a trace can nest deeply); `placed` guards against parent cycles in bad data.
  const stack: { draft: Draft; depth: number }[] = [...(children.get('') ?? [])].sort(byStart).reverse().map((draft) => ({ draft, depth: 0 }));
  while (stack.length > 0) {
    const { draft, depth } = stack.pop()!;
    if (placed.has(draft.spanId)) continue;
    placed.add(draft.spanId);
    nodes.push({ ...draft, depth, offsetMs: draft.startedAt.getTime() - start });
    const kids = [...(children.get(draft.spanId) ?? [])].sort(byStart).reverse();
    for (const kid of kids) stack.push({ draft: kid, depth: depth + 1 });
  }
  // Spans caught in a parent cycle have no root above them: list them at the end as roots.
  for (const draft of all.sort(byStart)) {
    if (!placed.has(draft.spanId)) nodes.push({ ...draft, depth: 0, offsetMs: draft.startedAt.getTime() - start });
  }
  return { nodes, startedAt: new Date(start), totalMs: Math.max(end - start, 1) };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}
