import { context, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type IdGenerator, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { recordSpans } from './spans.js';

// The `mini_agent.*` names, spelled out: this package sits below the workspace packages it tests.
const A = {
  spanKind: 'mini_agent.span.kind', sessionId: 'mini_agent.session.id', toolName: 'mini_agent.tool.name',
  toolCategory: 'mini_agent.tool.category', toolInput: 'mini_agent.tool.input', toolOutput: 'mini_agent.tool.output',
  decisionType: 'mini_agent.decision.type', decisionOptions: 'mini_agent.decision.options', decisionChosen: 'mini_agent.decision.chosen',
  metricEvent: 'mini_agent.metric', decisionEvent: 'mini_agent.decision', metricType: 'mini_agent.metric.type', metricValue: 'mini_agent.metric.value',
} as const;

/**
 * Ids the way a deterministic generator (a replay tool, a seeded test harness) hands them out: the
 * trace ids given, and span ids counted from 1 again in every trace. OTLP allows it: a span id is
 * unique only within its trace.
 */
class PerTraceCountingIds implements IdGenerator {
  private traceId = '';
  private span = 0;
  /** The next root span starts trace `traceId`, its spans counted from 1 (the SDK asks for a root's span id before its trace id). */
  startTrace(traceId: string): void {
    this.traceId = traceId;
    this.span = 0;
  }
  generateTraceId(): string {
    return this.traceId;
  }
  generateSpanId(): string {
    this.span += 1;
    return this.span.toString(16).padStart(16, '0');
  }
}

/** What {@link collidingTraces} made. */
export interface CollidingTraces {
  readonly traceIds: readonly string[];
  /** Every finished span of every trace, in end order. */
  readonly spans: ReadableSpan[];
  /** Per trace: how many spans, tool spans, LLM spans, decisions (spans and events) and metric events. */
  readonly perTrace: { spans: number; tools: number; generations: number; decisions: number; metrics: number };
}

/**
 * Traces made by the real SDK whose spans reuse the same span ids (1 … `spansPerTrace` in each):
 * a session span over tool, LLM, decision and plain spans, tools carrying a metric and a decision
 * event, so every span-keyed table gets rows with colliding ids.
 */
export async function collidingTraces(traceCount: number, spansPerTrace: number): Promise<CollidingTraces> {
  const traceIds = Array.from({ length: traceCount }, (_, i) => (i + 1).toString(16).padStart(32, 'a'));
  const exporter = new InMemorySpanExporter();
  const ids = new PerTraceCountingIds();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'replay-agent' }),
    idGenerator: ids,
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  await recordSpans(() => {}); // installs the context manager parent/child links need
  const tracer = provider.getTracer('replay');
  const perTrace = { spans: spansPerTrace, tools: 0, generations: 0, decisions: 0, metrics: 0 };
  for (let t = 0; t < traceCount; t += 1) {
    ids.startTrace(traceIds[t] as string);
    const root = tracer.startSpan('replayed session', { root: true, attributes: { [A.spanKind]: 'session', [A.sessionId]: `replay-${t}` } });
    context.with(trace.setSpan(context.active(), root), () => {
      for (let i = 1; i < spansPerTrace; i += 1) {
        const kind = i % 4;
        const span = tracer.startSpan(`step ${i}`, {
          attributes:
            kind === 0
              ? { [A.toolName]: 'lookup', [A.toolCategory]: 'core', [A.toolInput]: JSON.stringify({ trace: t, i }), [A.toolOutput]: 'ok' }
              : kind === 1
                ? { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'm1', 'gen_ai.usage.input_tokens': i }
                : kind === 2
                  ? { [A.spanKind]: 'decision', [A.decisionType]: 'route', [A.decisionOptions]: '["a","b"]', [A.decisionChosen]: 'a' }
                  : {},
        });
        if (kind === 0) {
          span.addEvent(A.metricEvent, { [A.metricType]: 'latency', [A.metricValue]: i });
          span.addEvent(A.decisionEvent, { [A.decisionType]: 'retry', [A.decisionChosen]: 'no' });
        }
        span.end();
      }
    });
    root.end();
  }
  for (let i = 1; i < spansPerTrace; i += 1) {
    const kind = i % 4;
    if (kind === 0) perTrace.tools += 1;
    if (kind === 1) perTrace.generations += 1;
    if (kind === 2 || kind === 0) perTrace.decisions += 1;
    if (kind === 0) perTrace.metrics += 1;
  }
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  await provider.shutdown();
  return { traceIds, spans, perTrace };
}
