import { readdir, readFile } from 'node:fs/promises';
import { recordDecision, recordMetric, withLlmCall, withSession, withTool } from '@mini-agent/otel';

/** What the agent was asked and what it answered. */
export interface AgentResult {
  readonly answer: string;
  /** The session's trace id: its rows and its Langfuse trace carry it. */
  readonly traceId: string;
}

/**
 * The folder agent of the in-process example, step for step: it lists the folder, picks a
 * Markdown file, reads it, counts its words, tries a web search that fails (no MCP server), asks
 * a stand-in model for a summary and formats the answer. Every step is an ordinary OpenTelemetry
 * span made by the `@mini-agent/otel` helpers; where the spans go is the tracer provider's
 * business (here: OTLP, see `tracing.ts`), not the agent's.
 */
export async function runAgent(question: string, folder = '.'): Promise<AgentResult> {
  return withSession({ name: 'answer about a folder', userId: 'local-user', input: question, tags: ['example', 'collector'] }, async (session) => {
    const entries = await withTool({ name: 'list_dir', category: 'file', input: { path: folder } }, () => readdir(folder));
    const docs = entries.filter((name) => name.endsWith('.md'));
    const chosen = docs[0] ?? 'package.json';
    recordDecision({ type: 'tool_selection', options: docs.length > 0 ? docs : entries, chosen, reasoning: 'a Markdown file describes the folder best' });

    const text = await withTool({ name: 'read_file', category: 'file', input: { path: chosen } }, () => readFile(`${folder}/${chosen}`, 'utf8'));
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
    const answer = withTool({ name: 'format_answer', category: 'core', input: { entries: entries.length, style } }, () =>
      `${entries.length} entries here (${docs.length} Markdown files, ${words} words in ${chosen}). ${summary}`,
    );
    return { answer, traceId: session.spanContext().traceId };
  });
}
