// A user's agent sending to Langfuse and to an OpenTelemetry Collector, both configured by the
// standard environment variables; the OTLP exporters are those of the app's own SDK line.
import { registerMiniAgentTracing } from '@mini-agent/otel';
import { runAgentSession } from './agent-session.mjs';

const tracing = registerMiniAgentTracing({ serviceName: 'consumer-app', postgres: false, exitHooks: false });
const traceId = await runAgentSession();
await tracing.shutdown();
console.log(JSON.stringify({ traceId, stats: tracing.stats() }));
