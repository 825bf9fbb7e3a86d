// A user's agent that lets @mini-agent/otel set up tracing with whichever SDK line the app installed.
import { registerMiniAgentTracing } from '@mini-agent/otel';
import { runAgentSession } from './agent-session.mjs';

const databaseUrl = process.env.DATABASE_URL;
const tracing = registerMiniAgentTracing({
  serviceName: 'consumer-app',
  postgres: databaseUrl ? { databaseUrl } : { dataDir: process.env.PGLITE_DIR },
  langfuse: false,
  otlp: false,
  exitHooks: false,
});
await tracing.ready;
await runAgentSession();
await tracing.shutdown();
console.log(JSON.stringify({ provider: tracing.provider.constructor.name, stats: tracing.stats() }));
