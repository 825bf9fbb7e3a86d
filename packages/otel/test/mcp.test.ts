import { interpret, type ToolExecutionRecord } from '@mini-agent/core';
import { ATTR_TOOL_SERVER, McpAttributes } from '@mini-agent/semconv';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { instrumentMcpClient, withSession } from '../src/index.js';
import { useInMemoryTracing } from './in-memory-tracing.js';

const tracing = useInMemoryTracing();

/** A real MCP server with a working tool and one that fails, connected to a real client in memory. */
async function connectedClient(options?: { serverName?: string }) {
  const server = new McpServer({ name: 'weather-server', version: '2.0.0' });
  server.registerTool(
    'get_weather',
    { description: 'Weather for a city', inputSchema: { city: z.string() } },
    async ({ city }) => ({ content: [{ type: 'text', text: `Sunny in ${city}` }] }),
  );
  server.registerTool('get_forecast', { inputSchema: { city: z.string() } }, async ({ city }) => {
    throw new Error(`no forecast for ${city}`);
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = instrumentMcpClient(new Client({ name: 'test-agent', version: '1.0.0' }), options);
  await client.connect(clientSide);
  return { client, close: () => Promise.all([client.close(), server.close()]) };
}

const toolRecord = (records: ReturnType<typeof interpret>) => records.find((r): r is ToolExecutionRecord => r.type === 'tool');

let close: (() => Promise<unknown>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('instrumentMcpClient', () => {
  it('a tool call becomes a tool row of category mcp with the server name, arguments and result', async () => {
    const connected = await connectedClient();
    close = connected.close;
    const result = await withSession({ name: 'ask weather' }, () =>
      connected.client.callTool({ name: 'get_weather', arguments: { city: 'Paris' } }),
    );
    expect(result.content).toEqual([{ type: 'text', text: 'Sunny in Paris' }]);

    const span = tracing.span('tools/call get_weather');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.parentSpanContext?.spanId).toBe(tracing.span('ask weather').spanContext().spanId);
    expect(span.attributes[McpAttributes.METHOD_NAME]).toBe('tools/call');
    expect(span.attributes[ATTR_TOOL_SERVER]).toBe('weather-server');

    expect(toolRecord(interpret(span))).toMatchObject({
      toolName: 'get_weather',
      category: 'mcp',
      input: { city: 'Paris' },
      output: { content: [{ type: 'text', text: 'Sunny in Paris' }] },
      success: true,
      errorMessage: null,
      metadata: { server: 'weather-server' },
    });
  });

  it('a tool that fails on the server (isError) becomes a failed row with the server’s error text', async () => {
    const connected = await connectedClient();
    close = connected.close;
    const result = await connected.client.callTool({ name: 'get_forecast', arguments: { city: 'Oslo' } });
    expect(result.isError).toBe(true); // the caller still gets the result unchanged

    const span = tracing.span('tools/call get_forecast');
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'no forecast for Oslo' });
    expect(toolRecord(interpret(span))).toMatchObject({ category: 'mcp', success: false, errorMessage: 'no forecast for Oslo' });
  });

  it('a call that throws (the connection is gone) is rethrown unchanged and recorded as a failed tool', async () => {
    const connected = await connectedClient({ serverName: 'weather (eu)' });
    await connected.close();
    await expect(connected.client.callTool({ name: 'get_weather', arguments: { city: 'Rome' } })).rejects.toThrow(/not connected/i);

    const span = tracing.span('tools/call get_weather');
    expect(span.events.map((e) => e.name)).toContain('exception');
    expect(toolRecord(interpret(span))).toMatchObject({ success: false, metadata: { server: 'weather (eu)' } });
    expect(toolRecord(interpret(span))?.errorMessage).toMatch(/not connected/i);
  });

  it('instrumenting twice still gives one span per call', async () => {
    const connected = await connectedClient();
    close = connected.close;
    instrumentMcpClient(connected.client);
    await connected.client.callTool({ name: 'get_weather', arguments: { city: 'Lima' } });
    expect(tracing.spans().filter((s) => s.name === 'tools/call get_weather')).toHaveLength(1);
  });
});
