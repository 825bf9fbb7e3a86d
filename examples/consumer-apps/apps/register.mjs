// A user's agent that lets @mini-agent/otel set up tracing with whichever SDK line the app installed.
import { registerMiniAgentTracing, withSession, withTool } from '@mini-agent/otel';

const databaseUrl = process.env.DATABASE_URL;
const tracing = registerMiniAgentTracing({
  serviceName: 'consumer-app',
  postgres: databaseUrl ? { databaseUrl } : { dataDir: process.env.PGLITE_DIR },
  langfuse: false,
  otlp: false,
  exitHooks: false,
});
await tracing.ready;
await withSession({ name: 'consumer-session', sessionId: process.env.SESSION_ID }, () =>
  withTool({ name: 'lookup_order', category: 'core', input: { order: 42 } }, async () => ({ status: 'shipped' })),
);
await tracing.shutdown();
console.log(JSON.stringify({ provider: tracing.provider.constructor.name, stats: tracing.stats() }));
