import type { SpanFacts } from '../conventions/index.js';
import type { GenerationPricer } from '../cost/generation-cost.js';
import { pricedUsage } from '../cost/priced-usage.js';
import type { GenerationRecord, InterpretableSpan, JsonObject } from '../records.js';
import { toolCallIdsIn } from '../tool-call-ids.js';
import { nullableName, type Common, type RecordContext } from './shared.js';

/** The generation record of an LLM span: model, payloads, usage priced by `pricer`. */
export function generationRecord(
  ctx: RecordContext,
  pricer: GenerationPricer,
  span: InterpretableSpan,
  facts: SpanFacts,
  common: Common,
): GenerationRecord {
  const s = ctx.sanitizer;
  const u = facts.usage ?? {};
  const count = (n: number | undefined) => (n === undefined ? null : s.count(n));
  const completionStart = facts.completionStartTime === undefined ? null : new Date(facts.completionStartTime);
  const output = ctx.value(facts.llmOutput, span, 'output');
  const model = nullableName(facts.model, s);
  const provider = nullableName(facts.provider, s);
  const given = {
    input: count(u.input),
    output: count(u.output),
    total: count(u.total),
    cached: count(u.cached),
    cacheCreation: count(u.cacheCreation),
    reasoning: count(u.reasoning),
  };
  const priced = pricedUsage(pricer, given, { model, provider, at: common.startTime, reported: facts.cost });
  return {
    traceId: common.traceId,
    spanId: common.spanId,
    parentSpanId: common.parentSpanId,
    startTime: common.startTime,
    endTime: common.endTime,
    durationMs: common.durationMs,
    success: common.success,
    errorMessage: common.errorMessage,
    type: 'generation',
    sessionId: common.sessionId,
    userId: common.userId,
    name: s.name(span.name),
    model,
    provider,
    input: ctx.value(facts.llmInput, span, 'input'),
    output,
    usage: priced.usage,
    usageByKind: priced.usageByKind,
    costUsd: priced.costUsd,
    costDetails: priced.costDetails,
    modelParameters: facts.modelParameters ? (s.json(facts.modelParameters) as JsonObject) : {},
    completionStartTime: completionStart && !Number.isNaN(completionStart.getTime()) ? completionStart : null,
    toolCallIds: toolCallIdsIn(output),
  };
}
