// Agent sessions with chosen times, latencies and failures, written the way an agent's are: real
// OTel SDK spans with mini_agent.* / gen_ai.* attributes, exported by PostgresExporter.
import {
  ATTR_AGENT_NAME,
  ATTR_METRIC_TYPE,
  ATTR_METRIC_UNIT,
  ATTR_METRIC_VALUE,
  ATTR_SESSION_ID,
  ATTR_SPAN_KIND,
  ATTR_TOOL_CATEGORY,
  ATTR_TOOL_NAME,
  EVENT_METRIC,
  GenAiAttributes as G,
} from '@mini-agent/semconv';
import { PostgresExporter, type PostgresSinkOptions } from '@mini-agent/exporter-postgres';
import { recordSpans } from '@mini-agent/test-support';
import { context, SpanStatusCode, trace, type Span } from '@opentelemetry/api';

/** One tool call, `startMs` after its session started. */
export interface ToolCall {
  readonly tool: string;
  readonly category: string;
  readonly startMs: number;
  readonly durationMs: number;
  /** The span ends with status ERROR and this message. */
  readonly error?: string;
}

/** One LLM call, `startMs` after its session started. */
export interface LlmCall {
  readonly model: string;
  readonly provider: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly startMs: number;
  readonly durationMs: number;
}

/** One agent session run: a session span with its tools, LLM calls and memory samples. */
export interface SessionRun {
  readonly startedAt: Date;
  readonly durationMs: number;
  /** The session span ends with status ERROR. */
  readonly failed?: boolean;
  readonly sessionId?: string;
  readonly tools?: readonly ToolCall[];
  readonly llmCalls?: readonly LlmCall[];
  /** Memory samples in percent of the limit, recorded as `mini_agent.metric` events on the session span. */
  readonly memoryPct?: readonly number[];
}

export const AGENT_NAME = 'support-agent';

/** Runs the sessions through a real SDK provider and exports their spans; resolves with the trace ids, in order. */
export async function writeSessions(target: PostgresSinkOptions, sessions: readonly SessionRun[]): Promise<string[]> {
  const traceIds: string[] = [];
  const spans = await recordSpans((tracer) => {
    for (const run of sessions) {
      const at = (ms: number) => new Date(run.startedAt.getTime() + ms);
      const session = tracer.startSpan('support session', {
        startTime: run.startedAt,
        attributes: { [ATTR_SPAN_KIND]: 'session', [ATTR_AGENT_NAME]: AGENT_NAME, [ATTR_SESSION_ID]: run.sessionId ?? `sess-${traceIds.length}` },
      });
      traceIds.push(session.spanContext().traceId);
      const child = (name: string, startMs: number, attributes: Record<string, string | number>): Span =>
        tracer.startSpan(name, { startTime: at(startMs), attributes }, trace.setSpan(context.active(), session));

      for (const call of run.tools ?? []) {
        const span = child(call.tool, call.startMs, { [ATTR_SPAN_KIND]: 'tool', [ATTR_TOOL_NAME]: call.tool, [ATTR_TOOL_CATEGORY]: call.category });
        if (call.error) span.setStatus({ code: SpanStatusCode.ERROR, message: call.error });
        span.end(at(call.startMs + call.durationMs));
      }
      for (const call of run.llmCalls ?? []) {
        child(`chat ${call.model}`, call.startMs, {
          [G.OPERATION_NAME]: 'chat',
          [G.REQUEST_MODEL]: call.model,
          [G.PROVIDER_NAME]: call.provider,
          [G.USAGE_INPUT_TOKENS]: call.inputTokens,
          [G.USAGE_OUTPUT_TOKENS]: call.outputTokens,
        }).end(at(call.startMs + call.durationMs));
      }
      (run.memoryPct ?? []).forEach((value, i) =>
        session.addEvent(EVENT_METRIC, { [ATTR_METRIC_TYPE]: 'memory', [ATTR_METRIC_VALUE]: value, [ATTR_METRIC_UNIT]: '%' }, at(i + 1)),
      );
      session.setStatus(run.failed ? { code: SpanStatusCode.ERROR, message: 'the agent gave up' } : { code: SpanStatusCode.OK });
      session.end(at(run.durationMs));
    }
  });

  const exporter = new PostgresExporter({ ...target, migrate: false });
  await new Promise<void>((resolve, reject) =>
    exporter.export(spans, (result) => (result.error ? reject(result.error) : resolve())),
  );
  await exporter.shutdown();
  const stats = exporter.stats().sinks.postgres;
  if (stats?.delivered !== stats?.accepted) throw new Error(`the exporter did not store every record: ${JSON.stringify(stats)}`);
  return traceIds;
}
