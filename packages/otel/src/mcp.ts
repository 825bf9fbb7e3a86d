import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import {
  ATTR_SPAN_KIND,
  ATTR_TOOL_CATEGORY,
  ATTR_TOOL_INPUT,
  ATTR_TOOL_NAME,
  ATTR_TOOL_OUTPUT,
  ATTR_TOOL_SERVER,
  GenAiAttributes,
  McpAttributes,
  McpMethods,
  SpanKinds,
  ToolCategories,
} from '@mini-agent/semconv';
import { quietly } from './guard.js';
import { recordFailure } from './run-in-span.js';
import { safeJsonStringify } from './safe-json.js';
import { SCOPE_NAME, VERSION } from './version.js';

/**
 * The part of an `@modelcontextprotocol/sdk` `Client` that {@link instrumentMcpClient} uses.
 * Typed by shape so this package needs the MCP SDK only as an optional peer.
 */
export interface McpClientLike {
  callTool(params: { name: string; arguments?: Record<string, unknown> }, ...rest: never[]): Promise<unknown>;
  getServerVersion?(): { name?: string; version?: string } | undefined;
}

/** Options of {@link instrumentMcpClient}. */
export interface McpInstrumentationOptions {
  /** The server's name on the tool rows; default: the name the server gave at initialization. */
  readonly serverName?: string;
}

const INSTRUMENTED = Symbol.for('@mini-agent/otel.mcp-instrumented');

/**
 * Makes every `callTool` of an MCP client a `tool` span (category `mcp`, child of the active
 * span) with the server's name, the arguments and the result. A thrown error, or a result with
 * `isError: true` (how MCP servers report a failed tool), marks the span failed with the error's
 * text. The client is patched in place and returned; instrumenting it twice has no effect.
 * Results and errors reach the caller unchanged; telemetry never throws.
 *
 * @example
 * ```ts
 * import { Client } from '@modelcontextprotocol/sdk/client/index.js';
 * const client = instrumentMcpClient(new Client({ name: 'my-agent', version: '1.0.0' }));
 * await client.connect(transport);
 * const result = await client.callTool({ name: 'get_weather', arguments: { city: 'Paris' } });
 * ```
 */
export function instrumentMcpClient<C extends McpClientLike>(client: C, options: McpInstrumentationOptions = {}): C {
  const marked = client as C & { [INSTRUMENTED]?: true };
  if (marked[INSTRUMENTED]) return client;
  const callTool = client.callTool;
  const traced = function (this: C, params: { name: string; arguments?: Record<string, unknown> }, ...rest: never[]) {
    const span = quietly('starting an MCP tool span', () => startToolSpan(client, params, options));
    if (!span) return callTool.call(this, params, ...rest);
    const active = quietly('activating an MCP tool span', () => trace.setSpan(context.active(), span)) ?? context.active();
    let pending: Promise<unknown>;
    try {
      pending = context.with(active, () => callTool.call(this, params, ...rest));
    } catch (error) {
      end(span, { error });
      throw error;
    }
    return Promise.resolve(pending).then(
      (result) => {
        end(span, { result });
        return result;
      },
      (error: unknown) => {
        end(span, { error });
        throw error;
      },
    );
  };
  quietly('instrumenting an MCP client', () => {
    Object.defineProperty(client, 'callTool', { value: traced, configurable: true, writable: true });
    Object.defineProperty(client, INSTRUMENTED, { value: true });
  });
  return client;
}

function startToolSpan(client: McpClientLike, params: { name: string; arguments?: Record<string, unknown> }, options: McpInstrumentationOptions): Span {
  const name = String(params?.name);
  // Asked at call time: the server only says its name once the client has connected.
  const server = options.serverName ?? quietly('reading the MCP server name', () => client.getServerVersion?.()?.name);
  const input = safeJsonStringify(params?.arguments);
  return trace.getTracer(SCOPE_NAME, VERSION).startSpan(`${McpMethods.TOOLS_CALL} ${name}`, {
    kind: SpanKind.CLIENT,
    attributes: {
      [ATTR_SPAN_KIND]: SpanKinds.TOOL,
      [ATTR_TOOL_NAME]: name,
      [ATTR_TOOL_CATEGORY]: ToolCategories.MCP,
      ...(server ? { [ATTR_TOOL_SERVER]: server } : {}),
      ...(input !== undefined ? { [ATTR_TOOL_INPUT]: input } : {}),
      // The OTel MCP and GenAI names too, for backends that read those conventions.
      [McpAttributes.METHOD_NAME]: McpMethods.TOOLS_CALL,
      [GenAiAttributes.OPERATION_NAME]: 'execute_tool',
      [GenAiAttributes.TOOL_NAME]: name,
    },
  });
}

function end(span: Span, outcome: { result: unknown } | { error: unknown }): void {
  quietly('recording an MCP tool result', () => {
    if ('error' in outcome) {
      recordFailure(span, outcome.error);
      return;
    }
    const json = safeJsonStringify(outcome.result);
    if (json !== undefined) span.setAttribute(ATTR_TOOL_OUTPUT, json);
    if (isErrorResult(outcome.result)) span.setStatus({ code: SpanStatusCode.ERROR, message: errorText(outcome.result) });
    else span.setStatus({ code: SpanStatusCode.OK });
  });
  quietly('ending an MCP tool span', () => span.end());
}

function isErrorResult(result: unknown): result is { isError: true; content?: unknown } {
  return typeof result === 'object' && result !== null && (result as { isError?: unknown }).isError === true;
}

/** The text parts of a failed result's content: what the server said went wrong. */
function errorText(result: { content?: unknown }): string {
  const parts = Array.isArray(result.content) ? result.content : [];
  const texts = parts
    .filter((part): part is { type: 'text'; text: string } => typeof part === 'object' && part !== null && part.type === 'text' && typeof part.text === 'string')
    .map((part) => part.text);
  return texts.length > 0 ? texts.join('\n') : 'MCP tool returned isError';
}
