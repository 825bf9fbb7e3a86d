import { McpAttributes, McpMethods, ToolCategories } from '@mini-agent/semconv';
import { defined, str, type ConventionAdapter, type SpanFacts } from './facts.js';

/**
 * The OTel MCP conventions: a `tools/call` span (client or server side) is a tool execution of
 * category `mcp`. The tool's name, arguments and result use the GenAI names, which the GenAI
 * adapter reads.
 */
export const mcpAdapter: ConventionAdapter = {
  name: 'mcp',
  read({ attributes: a }): SpanFacts {
    if (str(a, McpAttributes.METHOD_NAME) !== McpMethods.TOOLS_CALL) return {};
    return defined<SpanFacts>({
      kind: 'tool',
      toolCategory: ToolCategories.MCP,
      toolMetadata: str(a, McpAttributes.SESSION_ID) ? { mcp_session_id: str(a, McpAttributes.SESSION_ID) } : undefined,
    });
  },
};
