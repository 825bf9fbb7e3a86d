import { OpenInferenceAttributes as OI, OpenInferenceSpanKinds } from '@mini-agent/semconv';
import { defined, firstStr, jsonObject, num, reportedCostOf, str, strings, usageOf, type ConventionAdapter, type SpanFacts } from './facts.js';
import type { Attributes } from '@opentelemetry/api';
import { unflattenList, unwrap } from './flattened.js';

/** The wrapper keys OpenInference nests list items in. */
const WRAPPERS = ['message', 'tool_call', 'message_content'];

/**
 * OpenInference (`openinference.span.kind`, `input.value`, `llm.*`, `tool.name`): the span kind
 * says where the generic `input.value` / `output.value` land. LLM messages are rebuilt from the
 * flattened `llm.input_messages.<i>.message.*` attributes.
 */
export const openInferenceAdapter: ConventionAdapter = {
  name: 'openinference',
  read({ attributes: a }): SpanFacts {
    const given = str(a, OI.SPAN_KIND)?.toUpperCase();
    // Every OpenInference span has a kind; without one, only the session and user can be its.
    if (given === undefined) return defined<SpanFacts>({ sessionId: str(a, OI.SESSION_ID), userId: str(a, OI.USER_ID) });
    const kind: SpanFacts['kind'] = OpenInferenceSpanKinds[given as keyof typeof OpenInferenceSpanKinds];
    const input = a[OI.INPUT_VALUE];
    const output = a[OI.OUTPUT_VALUE];
    const messages = (prefix: string) => {
      const list = unflattenList(a, prefix);
      return list === undefined ? undefined : unwrap(list, WRAPPERS);
    };
    return defined<SpanFacts>({
      kind,
      sessionId: str(a, OI.SESSION_ID),
      userId: str(a, OI.USER_ID),
      agentName: str(a, OI.AGENT_NAME),
      tags: strings(a, OI.TAG_TAGS),
      sessionInput: kind === 'session' ? input : undefined,
      sessionOutput: kind === 'session' ? output : undefined,
      toolName: str(a, OI.TOOL_NAME),
      toolCallId: kind === 'tool' ? str(a, OI.TOOL_CALL_ID) : undefined,
      toolInput: kind === 'tool' ? input : undefined,
      toolOutput: kind === 'tool' ? output : undefined,
      model: firstStr(a, [OI.LLM_RESPONSE_MODEL_NAME, OI.LLM_MODEL_NAME, OI.LLM_REQUEST_MODEL_NAME]),
      provider: firstStr(a, [OI.LLM_PROVIDER, OI.LLM_SYSTEM]),
      llmInput: kind === 'llm' ? (messages(OI.LLM_INPUT_MESSAGES) ?? input) : undefined,
      llmOutput: kind === 'llm' ? (messages(OI.LLM_OUTPUT_MESSAGES) ?? output) : undefined,
      modelParameters: jsonObject(a[OI.LLM_INVOCATION_PARAMETERS]),
      cost: costOf(a),
      usage: usageOf({
        input: num(a, OI.LLM_TOKEN_COUNT_PROMPT),
        output: num(a, OI.LLM_TOKEN_COUNT_COMPLETION),
        total: num(a, OI.LLM_TOKEN_COUNT_TOTAL),
        cached: num(a, OI.LLM_TOKEN_COUNT_PROMPT_CACHE_READ),
        cacheCreation: num(a, OI.LLM_TOKEN_COUNT_PROMPT_CACHE_WRITE),
        reasoning: num(a, OI.LLM_TOKEN_COUNT_COMPLETION_REASONING),
      }),
    });
  },
};

/**
 * `llm.cost.*`: the prompt cost includes its cache parts and the completion cost its reasoning
 * part, so those are taken out to give each kind once; the total is the given one, else prompt +
 * completion.
 */
function costOf(a: Attributes): SpanFacts['cost'] {
  const prompt = num(a, OI.LLM_COST_PROMPT);
  const completion = num(a, OI.LLM_COST_COMPLETION);
  const cacheRead = num(a, OI.LLM_COST_PROMPT_CACHE_READ);
  const cacheWrite = num(a, OI.LLM_COST_PROMPT_CACHE_WRITE);
  const reasoning = num(a, OI.LLM_COST_COMPLETION_REASONING);
  const total = num(a, OI.LLM_COST_TOTAL) ?? (prompt === undefined && completion === undefined ? undefined : (prompt ?? 0) + (completion ?? 0));
  return reportedCostOf(OI.LLM_COST_TOTAL.replace('.total', '.*'), {
    total,
    input: prompt === undefined ? undefined : prompt - (cacheRead ?? 0) - (cacheWrite ?? 0),
    cache_read: cacheRead,
    cache_creation: cacheWrite,
    output: completion === undefined ? undefined : completion - (reasoning ?? 0),
    reasoning,
  });
}
