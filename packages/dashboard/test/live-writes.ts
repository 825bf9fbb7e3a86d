// Writes made while a dashboard is open: one session, or one more tool call in a running trace,
// emitted as real OTel spans and stored by the real PostgresExporter.
import { ATTR_AGENT_NAME, ATTR_SPAN_KIND, ATTR_TOOL_CATEGORY, ATTR_TOOL_INPUT, ATTR_TOOL_NAME, ATTR_USER_ID } from '@mini-agent/semconv';
import { PostgresExporter, type PostgresExporterOptions } from '@mini-agent/exporter-postgres';
import { context, SpanStatusCode, trace, TraceFlags, type Span } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';

/** Emits spans with `emit` and stores them (and hands them to `also`, e.g. a Langfuse exporter); returns what `emit` returned. */
async function store<T>(target: PostgresExporterOptions, emit: (tracer: ReturnType<BasicTracerProvider['getTracer']>) => T, also: readonly SpanExporter[] = []): Promise<T> {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
  const result = emit(provider.getTracer('live-writes'));
  await provider.forceFlush();
  const spans: ReadableSpan[] = memory.getFinishedSpans();
  await provider.shutdown();
  for (const exporter of [new PostgresExporter(target), ...also]) {
    const outcome = await new Promise<ExportResult>((resolve) => exporter.export(spans, resolve));
    await exporter.shutdown();
    if (outcome.code !== ExportResultCode.SUCCESS) throw outcome.error ?? new Error('an exporter did not take the spans');
  }
  return result;
}

/** Stores one complete session with one tool call, started now; returns its trace id. */
export function writeSession(target: PostgresExporterOptions, name: string, options: { toolInput?: unknown; also?: readonly SpanExporter[] } = {}): Promise<string> {
  const toolInput = options.toolInput ?? { q: name };
  return store(target, (tracer) => {
    const start = Date.now();
    const session = tracer.startSpan(name, { startTime: start, attributes: { [ATTR_SPAN_KIND]: 'session', [ATTR_AGENT_NAME]: 'live-agent', [ATTR_USER_ID]: 'zoe' } });
    const tool = tracer.startSpan('read_file', {
      startTime: start + 5,
      attributes: { [ATTR_SPAN_KIND]: 'tool', [ATTR_TOOL_NAME]: 'read_file', [ATTR_TOOL_CATEGORY]: 'file', [ATTR_TOOL_INPUT]: JSON.stringify(toolInput) },
    }, trace.setSpan(context.active(), session));
    tool.end(start + 25);
    session.setStatus({ code: SpanStatusCode.OK });
    session.end(start + 40);
    return session.spanContext().traceId;
  }, options.also);
}

/** Stores one more tool call in the running trace `traceId` (its session span never ended). */
export function writeToolCall(target: PostgresExporterOptions, traceId: string, toolName: string, input?: unknown): Promise<void> {
  return store(target, (tracer) => {
    // A remote parent in that trace: the tool span joins it, as a span from another process would.
    const parent = trace.setSpanContext(context.active(), { traceId, spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED, isRemote: true });
    const start = Date.now();
    const attributes = { [ATTR_SPAN_KIND]: 'tool', [ATTR_TOOL_NAME]: toolName, [ATTR_TOOL_CATEGORY]: 'core', ...(input === undefined ? {} : { [ATTR_TOOL_INPUT]: JSON.stringify(input) }) };
    const tool: Span = tracer.startSpan(toolName, { startTime: start, attributes }, parent);
    tool.end(start + 15);
  });
}
