#!/usr/bin/env node
// The reference session with the TypeScript helpers (the twin of ../agents/reference_session.py),
// stored in process into DATABASE_URL. Usage: DATABASE_URL=... node reference_session.mjs SESSION_ID
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const { registerMiniAgentTracing, withSession, withTool, withLlmCall, recordDecision, recordMetric } = await import(
  pathToFileURL(join(ROOT, 'packages/otel/dist/index.js')).href
);

const tracing = registerMiniAgentTracing({ serviceName: 'reference-agent', otlp: false, exitHooks: false });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

await withSession(
  {
    name: 'fix-bug',
    sessionId: process.argv[2],
    userId: 'u-42',
    userContext: { repo: 'demo', api_key: 'sk-proj-Q2x7Rt9vLm3Kp8Zw4Yn6Bc1Df5Gh0Jk' },
    input: 'fix the failing test',
    tags: ['ci'],
  },
  async () => {
    recordDecision({ type: 'tool_selection', options: ['grep', 'read_file'], chosen: 'grep', reasoning: 'the path is unknown' });
    await withTool({ name: 'grep', category: 'core', input: { pattern: 'TODO', token: 'ghp_0123456789abcdefghijABCDEFGHIJ0123456789' } }, async () => {
      await sleep(50);
      return ['a.py:3'];
    });
    withTool({ name: 'read_file', category: 'file', input: { path: 'a.py' } }, () => "print('hi')");
    try {
      withTool({ name: 'search_docs', category: 'mcp', input: { query: 'pytest fixtures' } }, () => {
        throw new Error('mcp server down');
      });
    } catch {
      // the agent goes on, as the Python twin does
    }
    recordMetric({ type: 'latency', value: 412, unit: 'ms' });
    await withLlmCall({ model: 'gpt-4.1-mini', provider: 'openai', input: 'summarize the fix' }, async (call) => {
      call.setUsage({ inputTokens: 12, outputTokens: 5 });
      call.setOutput('done');
    });
    return 'fixed';
  },
);
await tracing.shutdown();
