import { PropagatedAttributesProcessor, setPropagatedAttributes } from '@mini-agent/core';
import * as sc from '@mini-agent/semconv';
import { GenAiAttributes as G } from '@mini-agent/semconv';
import { recordSpans } from '@mini-agent/test-support';
import { context, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** The resource of the run: the service's version is not the agent's. */
export const CODING_RESOURCE = { 'service.name': 'coder-service', 'service.version': '2.1.0', 'deployment.environment.name': 'staging' };
/** The agent's version, set on the session span. */
export const AGENT_VERSION = '3.0.0';

/** The spans of one coding session and the ids to look them up by. */
export interface CodingRun {
  readonly spans: ReadableSpan[];
  readonly traceId: string;
  id(name: string): string;
  /** Every span but the session span: what a first export carries when the children end first. */
  readonly children: ReadableSpan[];
  readonly session: ReadableSpan;
}

const SESSION_ATTRIBUTES = {
  [sc.ATTR_SPAN_KIND]: 'session',
  [sc.ATTR_SESSION_ID]: 'chat-42',
  [sc.ATTR_USER_ID]: 'user-7',
  [sc.ATTR_AGENT_NAME]: 'coder',
  [sc.ATTR_AGENT_VERSION]: AGENT_VERSION,
  [sc.ATTR_SESSION_TAGS]: ['coding'],
};

/**
 * A session (agent version 3.0.0 on a service at 2.1.0) that runs a GenAI tool span, an LLM call
 * writing to the prompt cache, and a decision that takes 30 ms. `propagate`: the session's
 * attributes are propagated to the spans inside, as `withSession()` and the
 * PropagatedAttributesProcessor do in process.
 */
export async function recordCodingRun(options: { propagate: boolean }): Promise<CodingRun> {
  const processors = options.propagate ? [new PropagatedAttributesProcessor()] : [];
  const spans = await recordSpans(
    (tracer) => {
      const session = tracer.startSpan('fix the test', { attributes: SESSION_ATTRIBUTES });
      let inSession = trace.setSpan(context.active(), session);
      if (options.propagate) {
        const { [sc.ATTR_SPAN_KIND]: _kind, ...propagated } = SESSION_ATTRIBUTES;
        inSession = setPropagatedAttributes(inSession, { ...propagated, [sc.ATTR_SESSION_NAME]: 'fix the test' });
      }
      context.with(inSession, () => {
        tracer
          .startSpan('execute_tool run_tests', {
            attributes: { [sc.ATTR_SPAN_KIND]: 'tool', [sc.ATTR_TOOL_NAME]: 'run_tests', [G.OPERATION_NAME]: 'execute_tool', [G.TOOL_NAME]: 'run_tests' },
          })
          .end();
        tracer
          .startSpan('chat claude', {
            attributes: {
              [G.OPERATION_NAME]: 'chat',
              [G.REQUEST_MODEL]: 'claude-sonnet',
              [G.USAGE_INPUT_TOKENS]: 1200,
              [G.USAGE_OUTPUT_TOKENS]: 30,
              [G.USAGE_CACHE_READ_INPUT_TOKENS]: 200,
              [G.USAGE_CACHE_CREATION_INPUT_TOKENS]: 900,
            },
          })
          .end();
        const decided = new Date('2026-12-01T10:00:00.000Z');
        tracer
          .startSpan('decide plan', { startTime: decided, attributes: { [sc.ATTR_SPAN_KIND]: 'decision', [sc.ATTR_DECISION_TYPE]: 'plan', [sc.ATTR_DECISION_CHOSEN]: 'read first' } })
          .end(new Date(decided.getTime() + 30));
      });
      session.end();
    },
    CODING_RESOURCE,
    processors,
  );
  const byName = (name: string) => {
    const found = spans.find((s) => s.name === name);
    if (!found) throw new Error(`no span ${name}`);
    return found;
  };
  const session = byName('fix the test');
  return {
    spans,
    traceId: session.spanContext().traceId,
    id: (name) => byName(name).spanContext().spanId,
    children: spans.filter((s) => s !== session),
    session,
  };
}
