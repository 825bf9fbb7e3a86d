import type { JsonValue } from './records.js';

/** How deep into a model's output the search for tool calls goes: messages → parts → call. */
const MAX_DEPTH = 8;
/** At most this many ids: an output is hostile input like any other. */
const MAX_IDS = 64;

/**
 * The ids of the tool calls a model's output asks for, in order, without repeats. Reads the
 * shapes the conventions give once `interpret()` has parsed them: OpenAI and OpenLLMetry
 * `tool_calls: [{ id }]`, OTel GenAI parts `{ type: 'tool_call', id }`, OpenInference's
 * unflattened `tool_calls: [{ id }]` (from `tool_call.id`), the Vercel AI SDK's `{ toolCallId }`.
 */
export function toolCallIdsIn(output: JsonValue | null): string[] {
  const ids = new Set<string>();
  visit(output, 0, ids, false);
  return [...ids];
}

function visit(value: JsonValue | null, depth: number, ids: Set<string>, inToolCalls: boolean): void {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH || ids.size >= MAX_IDS) return;
  if (Array.isArray(value)) {
    for (const item of value) visit(item, depth + 1, ids, inToolCalls);
    return;
  }
  const id = value.id;
  const callShaped = inToolCalls || value.type === 'tool_call' || value.type === 'tool-call' || value.type === 'function_call';
  if (callShaped && typeof id === 'string' && id !== '') ids.add(id);
  if (typeof value.toolCallId === 'string' && value.toolCallId !== '') ids.add(value.toolCallId);
  if (typeof value.call_id === 'string' && value.type === 'function_call') ids.add(value.call_id);
  for (const [key, child] of Object.entries(value)) {
    if (typeof child !== 'object' || child === null) continue;
    visit(child, depth + 1, ids, key === 'tool_calls' || key === 'toolCalls');
  }
}
