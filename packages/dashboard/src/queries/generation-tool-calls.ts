import type { Query } from '../read-only-database.js';
import { S } from './rows.js';

/** One tool call a generation asked for, and the tool execution that answered it (if it ran). */
export interface GenerationToolCall {
  call_id: string;
  /** The tool's span id; `null` when no tool span carries the call id (the agent never ran it). */
  tool_span_id: string | null;
  tool_name: string | null;
  tool_success: boolean | null;
}

/**
 * Per generation (by span id) of one trace, the tool calls its output asked for, in order, from
 * the `generation_tool_calls` view (migration 081).
 */
export async function loadGenerationToolCalls(query: Query, traceId: string): Promise<Map<string, GenerationToolCall[]>> {
  const rows = await query<GenerationToolCall & { generation_id: string }>(
    `SELECT generation_id, call_id, tool_span_id, tool_name, tool_success
       FROM ${S}.generation_tool_calls WHERE trace_id = $1 ORDER BY generation_id, call_index`,
    [traceId],
  );
  const byGeneration = new Map<string, GenerationToolCall[]>();
  for (const { generation_id, ...call } of rows) {
    let calls = byGeneration.get(generation_id);
    if (!calls) byGeneration.set(generation_id, (calls = []));
    calls.push(call);
  }
  return byGeneration;
}
