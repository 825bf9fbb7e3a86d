import { isToolCategory, ToolCategories } from '@mini-agent/semconv';
import type { SpanFacts } from '../conventions/index.js';
import type { InterpretableSpan, JsonObject, ToolExecutionRecord } from '../records.js';
import { nullableName, type Common, type RecordContext } from './shared.js';

/** The tool execution record of a tool span. */
export function toolRecord(ctx: RecordContext, span: InterpretableSpan, facts: SpanFacts, common: Common): ToolExecutionRecord {
  const s = ctx.sanitizer;
  // Facts a convention adds about the call (its server, its call id), then what interpret found.
  const metadata: JsonObject = facts.toolMetadata ? { ...(s.json(facts.toolMetadata) as JsonObject) } : {};
  let category: ToolExecutionRecord['category'] = ToolCategories.OTHER;
  if (isToolCategory(facts.toolCategory)) category = facts.toolCategory;
  else if (facts.toolCategory !== undefined) {
    ctx.counters.add('unknown_category');
    metadata.category_given = s.string(facts.toolCategory);
  }
  return {
    traceId: common.traceId,
    spanId: common.spanId,
    parentSpanId: common.parentSpanId,
    startTime: common.startTime,
    endTime: common.endTime,
    durationMs: common.durationMs,
    success: common.success,
    errorMessage: common.errorMessage,
    type: 'tool',
    sessionId: common.sessionId,
    userId: common.userId,
    name: s.name(span.name),
    toolName: s.name(facts.toolName ?? span.name),
    category,
    callId: nullableName(facts.toolCallId, s),
    toolType: nullableName(facts.toolType, s),
    input: ctx.value(facts.toolInput, span, 'input'),
    output: ctx.value(facts.toolOutput, span, 'output'),
    metadata,
  };
}
