import * as sc from '@mini-agent/semconv';
import { GenAiAttributes as G } from '@mini-agent/semconv';
import { recordSpans } from '@mini-agent/test-support';
import { SpanStatusCode, type Tracer } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** The spans of one small agent run, made with the real SDK, and a lookup by span name. */
export interface AgentRun {
  readonly spans: ReadableSpan[];
  span(name: string): ReadableSpan;
  id(name: string): string;
  readonly traceId: string;
}

/** Resource of the run: the agent's service name and version, and its deployment environment. */
export const RUN_RESOURCE = { 'service.name': 'support-agent', 'service.version': '2.1.0', 'deployment.environment.name': 'staging' };

/**
 * A session that reads a file (with a latency metric), calls an LLM, decides which tool to use,
 * plans with a decision recorded inside a step, and fails to write a file.
 */
export async function recordAgentRun(options: { toolInput?: unknown; toolOutput?: string } = {}): Promise<AgentRun> {
  const spans = await recordSpans((tracer: Tracer) =>
    tracer.startActiveSpan('support-agent run', (session) => {
      session.setAttributes({
        [sc.ATTR_SPAN_KIND]: 'session',
        [sc.ATTR_SESSION_ID]: 'session-42',
        [sc.ATTR_USER_ID]: 'user-7',
        [sc.ATTR_AGENT_NAME]: 'support-agent',
        [sc.ATTR_SESSION_INPUT]: JSON.stringify({ question: 'Where is my order?' }),
        [sc.ATTR_SESSION_OUTPUT]: JSON.stringify({ answer: 'It ships tomorrow.' }),
        [sc.ATTR_SESSION_TAGS]: ['support', 'orders'],
      });
      tracer.startActiveSpan('read_file', (tool) => {
        tool.setAttributes({
          [sc.ATTR_SPAN_KIND]: 'tool',
          [sc.ATTR_TOOL_NAME]: 'read_file',
          [sc.ATTR_TOOL_CATEGORY]: 'file',
          [sc.ATTR_TOOL_INPUT]: JSON.stringify(options.toolInput ?? { path: 'orders/123.json' }),
          [sc.ATTR_TOOL_OUTPUT]: options.toolOutput ?? JSON.stringify({ status: 'shipped' }),
        });
        tool.addEvent(sc.EVENT_METRIC, { [sc.ATTR_METRIC_TYPE]: 'latency', [sc.ATTR_METRIC_VALUE]: 12, [sc.ATTR_METRIC_UNIT]: 'ms' });
        tool.end();
      });
      tracer.startActiveSpan('chat gpt-4o', (llm) => {
        llm.setAttributes({
          [G.OPERATION_NAME]: 'chat',
          [G.PROVIDER_NAME]: 'openai',
          [G.REQUEST_MODEL]: 'gpt-4o',
          [G.RESPONSE_MODEL]: 'gpt-4o-2024-08-06',
          [G.REQUEST_TEMPERATURE]: 0.2,
          [G.REQUEST_MAX_TOKENS]: 256,
          [G.USAGE_INPUT_TOKENS]: 100,
          [G.USAGE_OUTPUT_TOKENS]: 50,
          [G.USAGE_CACHE_READ_INPUT_TOKENS]: 20,
          [G.USAGE_REASONING_OUTPUT_TOKENS]: 10,
          [G.INPUT_MESSAGES]: JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Where is my order?' }] }]),
          [G.OUTPUT_MESSAGES]: JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'It ships tomorrow.' }] }]),
        });
        llm.end();
      });
      // A point-in-time decision (start = end): a decision that took time becomes a span instead.
      const decidedAt = Date.now();
      tracer.startActiveSpan('choose tool', { startTime: decidedAt }, (decision) => {
        decision.setAttributes({
          [sc.ATTR_SPAN_KIND]: 'decision',
          [sc.ATTR_DECISION_TYPE]: 'tool_selection',
          [sc.ATTR_DECISION_OPTIONS]: JSON.stringify(['read_file', 'search']),
          [sc.ATTR_DECISION_CHOSEN]: 'read_file',
          [sc.ATTR_DECISION_REASONING]: 'the order id is known',
        });
        decision.end(decidedAt);
      });
      tracer.startActiveSpan('plan', (step) => {
        step.addEvent(sc.EVENT_DECISION, {
          [sc.ATTR_DECISION_TYPE]: 'plan',
          [sc.ATTR_DECISION_OPTIONS]: JSON.stringify(['answer', 'escalate']),
          [sc.ATTR_DECISION_CHOSEN]: 'answer',
          [sc.ATTR_DECISION_REASONING]: 'simple question',
        });
        step.end();
      });
      tracer.startActiveSpan('write_file', (tool) => {
        tool.setAttributes({ [sc.ATTR_SPAN_KIND]: 'tool', [sc.ATTR_TOOL_NAME]: 'write_file', [sc.ATTR_TOOL_CATEGORY]: 'file' });
        tool.setStatus({ code: SpanStatusCode.ERROR, message: 'disk full' });
        tool.end();
      });
      session.end();
    }),
  RUN_RESOURCE);
  const span = (name: string): ReadableSpan => {
    const found = spans.find((s) => s.name === name);
    if (!found) throw new Error(`no span named ${name}`);
    return found;
  };
  return { spans, span, id: (name) => span(name).spanContext().spanId, traceId: span('support-agent run').spanContext().traceId };
}
