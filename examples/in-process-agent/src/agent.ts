/**
 * A small agent that answers a question about the folder it runs in, traced in process: real file
 * tools, a decision, a metric, a tool that fails, and an LLM call (a stand-in model, so the example
 * needs no API key). Run: `pnpm -F @mini-agent/example-in-process build && pnpm -F @mini-agent/example-in-process start`.
 */
import { readdir, readFile } from 'node:fs/promises';
import { recordDecision, recordMetric, registerMiniAgentTracing, withLlmCall, withSession, withTool } from '@mini-agent/otel';

const tracing = registerMiniAgentTracing({ serviceName: 'folder-agent', serviceVersion: '0.1.0' });
const question = process.argv[2] ?? 'What is in this folder?';

try {
  const answer = await withSession({ name: 'answer about a folder', userId: 'local-user', input: question, tags: ['example'] }, async () => {
    const entries = await withTool({ name: 'list_dir', category: 'file', input: { path: '.' } }, () => readdir('.'));
    const docs = entries.filter((name) => name.endsWith('.md'));
    const chosen = docs[0] ?? 'package.json';
    recordDecision({ type: 'tool_selection', options: docs.length > 0 ? docs : entries, chosen, reasoning: 'a Markdown file describes the folder best' });

    const text = await withTool({ name: 'read_file', category: 'file', input: { path: chosen } }, () => readFile(chosen, 'utf8'));
    const words = withTool({ name: 'count_words', category: 'document', input: { path: chosen } }, () => text.split(/\s+/).filter(Boolean).length);
    recordMetric({ type: 'document_words', value: words, unit: '{word}' });

    // No MCP server is configured in this example: the failure is recorded on the tool span, and the agent carries on.
    await withTool({ name: 'web_search', category: 'mcp', input: { query: question } }, async () => {
      throw new Error('no MCP server configured');
    }).catch(() => undefined);

    const summary = await withLlmCall({ model: 'stand-in-model', provider: 'local', input: `Summarize in one sentence:\n${text.slice(0, 400)}` }, async (call) => {
      const reply = text.split(/(?<=\.)\s/)[0]?.replace(/^#.*\n+/gm, '').trim() ?? '';
      call.setUsage({ inputTokens: Math.ceil(Math.min(text.length, 400) / 4), outputTokens: Math.ceil(reply.length / 4) });
      return reply;
    });
    const style = withTool({ name: 'plain_language', category: 'skill', input: { audience: 'newcomer' } }, () => 'short sentences');
    return withTool({ name: 'format_answer', category: 'core', input: { entries: entries.length, style } }, () =>
      `${entries.length} entries here (${docs.length} Markdown files, ${words} words in ${chosen}). ${summary}`,
    );
  });
  console.log(answer);
} finally {
  await tracing.shutdown();
  const database = tracing.sinks.find((sink) => sink.name === 'postgres') as { target?: string } | undefined;
  if (database?.target) console.log(`Spans stored in ${database.target}`);
}
