import { instrumentMcpClient, withSession } from '@mini-agent/otel';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BACKENDS, rowsOf, type StoredRows } from './support/databases.js';
import { startLocalLangfuse, type LocalLangfuse } from './support/langfuse.js';
import { agentTracing } from './support/tracing.js';

// An agent calls tools of a real MCP server (the official SDK, over its in-memory transport)
// through an instrumented client; its spans go through PostgresExporter and LangfuseExporter.

async function startDocsServer(): Promise<{ client: Client; close(): Promise<unknown> }> {
  const server = new McpServer({ name: 'docs-server', version: '1.4.0' });
  server.registerTool('search_docs', { inputSchema: { query: z.string() } }, async ({ query }) => ({
    content: [{ type: 'text', text: `3 pages about ${query}` }],
  }));
  server.registerTool('open_page', { inputSchema: { url: z.string() } }, async ({ url }) => ({
    content: [{ type: 'text', text: `404: ${url} does not exist` }],
    isError: true,
  }));
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = instrumentMcpClient(new Client({ name: 'docs-agent', version: '0.1.0' }));
  await client.connect(clientSide);
  return { client, close: () => Promise.all([client.close(), server.close()]) };
}

for (const backend of BACKENDS) {
  describe.runIf(backend.available)(`MCP tools through instrumentMcpClient → ${backend.name}`, () => {
    let db: StoredRows;
    let langfuse: LocalLangfuse;
    let traceId: string;

    beforeAll(async () => {
      db = await backend.open();
      langfuse = await startLocalLangfuse();
      const tracing = agentTracing([db.exporter, langfuse.exporter], 'docs-agent');
      // The helpers use the global OpenTelemetry API, as in an agent.
      trace.setGlobalTracerProvider(tracing.provider);
      const mcp = await startDocsServer();
      try {
        await withSession({ name: 'answer from docs', sessionId: 'mcp-session-1', agentName: 'docs-agent' }, async () => {
          await mcp.client.callTool({ name: 'search_docs', arguments: { query: 'otel' } });
          await mcp.client.callTool({ name: 'search_docs', arguments: { query: 'mcp' } });
          await mcp.client.callTool({ name: 'open_page', arguments: { url: '/missing' } });
        });
      } finally {
        await mcp.close();
      }
      traceId = tracing.span('answer from docs').spanContext().traceId;
      await tracing.shutdown();
      trace.disable();
    });
    afterAll(async () => {
      await db?.close();
      await langfuse?.server.close();
    });

    it('one tool_executions row per call, category mcp, with the server name, arguments and result', async () => {
      const rows = await rowsOf(db, 'tool_executions', traceId);
      expect(rows).toHaveLength(3);
      // By query, not by time: SDK 2 times are whole milliseconds, so two quick calls can tie.
      const query = (row: Record<string, unknown>) => String((row.input as { query?: unknown } | null)?.query);
      const searches = rows.filter((r) => r.tool_name === 'search_docs').sort((a, b) => query(a).localeCompare(query(b)));
      expect(searches).toMatchObject([
        { tool_name: 'search_docs', category: 'mcp', input: { query: 'mcp' }, success: true },
        { tool_name: 'search_docs', category: 'mcp', input: { query: 'otel' }, success: true, metadata: { server: 'docs-server' } },
      ]);
      expect(searches[1]!.output).toMatchObject({ content: [{ type: 'text', text: '3 pages about otel' }] });
    });

    it('the tool the server reported as failed (isError) is success = false with the server’s text', async () => {
      const [failed] = (await rowsOf(db, 'tool_executions', traceId)).filter((r) => r.tool_name === 'open_page');
      expect(failed).toMatchObject({ category: 'mcp', success: false, error_message: '404: /missing does not exist' });
    });

    it('the tools hang under the agent’s session', async () => {
      expect(await rowsOf(db, 'traces', traceId)).toMatchObject([{ session_id: 'mcp-session-1', agent_name: 'docs-agent' }]);
    });

    it('in Langfuse: one tool observation per call with category mcp and the server, the failed one at level ERROR', () => {
      const tools = langfuse.server.observations(traceId).filter((o) => o.type === 'TOOL');
      // Named by the tool, as Langfuse's own SDKs name tool observations (the span is `tools/call <tool>`).
      expect(tools.map((o) => [o.name, o.metadata['mini_agent.tool.category'], o.metadata['mini_agent.tool.server'], o.level]).sort()).toEqual([
        ['open_page', 'mcp', 'docs-server', 'ERROR'],
        ['search_docs', 'mcp', 'docs-server', 'DEFAULT'],
        ['search_docs', 'mcp', 'docs-server', 'DEFAULT'],
      ]);
      expect(tools.find((o) => o.level === 'ERROR')?.statusMessage).toBe('404: /missing does not exist');
    });
  });
}
