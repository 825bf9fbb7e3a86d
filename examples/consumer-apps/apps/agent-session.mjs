// The agent itself, the same whatever the tracing setup: a session with a decision, a metric and a tool call.
import { recordDecision, recordMetric, withSession, withTool } from '@mini-agent/otel';

/** Runs one session; returns its trace id. */
export async function runAgentSession() {
  return withSession({ name: 'consumer-session', sessionId: process.env.SESSION_ID }, async (span) => {
    recordDecision({ type: 'tool_selection', options: ['lookup_order', 'faq'], chosen: 'lookup_order', reasoning: 'an order question' });
    await withTool({ name: 'lookup_order', category: 'core', input: { order: 42 } }, async () => ({ status: 'shipped' }));
    recordMetric({ type: 'latency', value: 12.5, unit: 'ms' });
    return span.spanContext().traceId;
  });
}
