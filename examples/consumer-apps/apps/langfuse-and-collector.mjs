// A user's agent sending to Langfuse and to an OpenTelemetry Collector, both configured by the
// standard environment variables; the OTLP exporters are those of the app's own SDK line.
import { registerMiniAgentTracing, withSession, withTool } from '@mini-agent/otel';

const tracing = registerMiniAgentTracing({ serviceName: 'consumer-app', postgres: false, exitHooks: false });
let traceId = '';
await withSession({ name: 'consumer-session', sessionId: process.env.SESSION_ID }, async (span) => {
  traceId = span.spanContext().traceId;
  await withTool({ name: 'lookup_order', category: 'core', input: { order: 42 } }, async () => ({ status: 'shipped' }));
});
await tracing.shutdown();
console.log(JSON.stringify({ traceId, stats: tracing.stats() }));
