/**
 * OpenTelemetry semantic conventions for the Model Context Protocol (MCP) client and server spans.
 * A `tools/call` span is a tool execution; its tool name and arguments use the GenAI names
 * (`gen_ai.tool.name`, `gen_ai.tool.call.arguments`, `gen_ai.tool.call.result`).
 */
export const McpAttributes = {
  METHOD_NAME: 'mcp.method.name',
  SESSION_ID: 'mcp.session.id',
  PROTOCOL_VERSION: 'mcp.protocol.version',
  RESOURCE_URI: 'mcp.resource.uri',
} as const;

/** Values of `mcp.method.name` that `interpret()` gives a meaning to. */
export const McpMethods = {
  TOOLS_CALL: 'tools/call',
} as const;
