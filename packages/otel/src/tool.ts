import type { Span } from '@opentelemetry/api';
import {
  ATTR_SPAN_KIND,
  ATTR_TOOL_CATEGORY,
  ATTR_TOOL_INPUT,
  ATTR_TOOL_NAME,
  ATTR_TOOL_OUTPUT,
  GenAiAttributes,
  SpanKinds,
  type ToolCategory,
} from '@mini-agent/semconv';
import { runInSpan } from './run-in-span.js';
import { safeJsonStringify } from './safe-json.js';

/** The tool being called. */
export interface ToolCall {
  readonly name: string;
  /** `core`, `file`, `mcp`, `document`, `skill` or `other`; any other value is kept but stored as `other`. */
  readonly category?: ToolCategory | (string & {});
  /** The tool's arguments; stored as JSON (circular references become a marker). */
  readonly input?: unknown;
  /**
   * The model's id for this call (`tool_calls[].id` of its answer), set as `gen_ai.tool.call.id`:
   * links the tool's row to the generation that asked for it.
   */
  readonly callId?: string;
}

/**
 * Runs `fn` as one tool call: a `tool` span, child of the active span. `fn`'s value is recorded
 * as the tool's output and returned unchanged; a thrown error or rejected promise marks the span
 * failed (status `ERROR`, `exception` event) and is rethrown unchanged. Works with sync and async
 * functions; never throws because of telemetry.
 *
 * @example
 * ```ts
 * const text = await withTool({ name: 'read_file', category: 'file', input: { path } }, () => readFile(path, 'utf8'));
 * ```
 */
export function withTool<T>(call: ToolCall, fn: (span: Span) => T): T {
  const attributes: Record<string, string> = {
    [ATTR_SPAN_KIND]: SpanKinds.TOOL,
    [ATTR_TOOL_NAME]: String(call.name),
    [ATTR_TOOL_CATEGORY]: String(call.category ?? 'other'),
    // The GenAI names too, so tools are recognized by any backend that reads that convention.
    [GenAiAttributes.OPERATION_NAME]: 'execute_tool',
    [GenAiAttributes.TOOL_NAME]: String(call.name),
  };
  if (typeof call.callId === 'string' && call.callId !== '') attributes[GenAiAttributes.TOOL_CALL_ID] = call.callId;
  const input = safeJsonStringify(call.input);
  return runInSpan(`execute_tool ${String(call.name)}`, input === undefined ? attributes : { ...attributes, [ATTR_TOOL_INPUT]: input }, fn, {
    onSuccess(span, output) {
      const json = safeJsonStringify(output);
      if (json !== undefined) span.setAttribute(ATTR_TOOL_OUTPUT, json);
    },
  });
}
