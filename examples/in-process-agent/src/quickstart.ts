import { registerMiniAgentTracing, withSession, withTool, recordDecision } from '@mini-agent/otel';

const tracing = registerMiniAgentTracing({ serviceName: 'my-agent' }); // DATABASE_URL, Langfuse keys… from the environment
await withSession({ name: 'fix-bug', userId: 'u-42', input: 'fix the failing test' }, async () => {
  recordDecision({ type: 'tool_selection', options: ['grep', 'read_file'], chosen: 'grep', reasoning: 'faster' });
  const hits = await withTool({ name: 'grep', category: 'core', input: { pattern: 'TODO' } }, async () => ['a.ts:3']);
  await withTool({ name: 'read_file', category: 'file', input: { path: 'a.ts' } }, async () => 'export {}');
  return hits;
});
await tracing.shutdown(); // flushes; also done on SIGTERM/SIGINT and beforeExit
