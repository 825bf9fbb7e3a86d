import { GenAiAttributes as G, GenAiOperations } from '@mini-agent/semconv';
import type { InterpretableSpan } from '../records.js';
import { afterStart, defined, firstStr, num, reportedCostOf, str, usageOf, type ConventionAdapter, type SpanFacts } from './facts.js';

const MODEL_PARAMETERS: Record<string, string> = {
  temperature: G.REQUEST_TEMPERATURE,
  max_tokens: G.REQUEST_MAX_TOKENS,
  top_p: G.REQUEST_TOP_P,
  top_k: G.REQUEST_TOP_K,
  frequency_penalty: G.REQUEST_FREQUENCY_PENALTY,
  presence_penalty: G.REQUEST_PRESENCE_PENALTY,
  seed: G.REQUEST_SEED,
  stop_sequences: G.REQUEST_STOP_SEQUENCES,
};

/**
 * The OpenTelemetry GenAI conventions (`gen_ai.*`): LLM calls (`chat`, `text_completion`, ...),
 * tool executions (`execute_tool`) and agent or workflow invocations (`invoke_agent`,
 * `invoke_workflow`, whose messages become the session's input and output). A span with a
 * requested model and no operation is an LLM call.
 */
export const genAiAdapter: ConventionAdapter = {
  name: 'gen_ai',
  read(span): SpanFacts {
    const a = span.attributes;
    // Every attribute read below is a `gen_ai.*` one: a span without any (most tool and step spans)
    // says nothing here, found with one look at its keys instead of some thirty lookups.
    if (!hasGenAiKey(a)) return {};
    const operation = str(a, G.OPERATION_NAME);
    const kind = operation !== undefined ? GenAiOperations[operation as keyof typeof GenAiOperations] : undefined;
    const modelParameters: Record<string, unknown> = {};
    for (const [name, key] of Object.entries(MODEL_PARAMETERS)) if (a[key] !== undefined) modelParameters[name] = a[key];
    const isLlm = kind === 'llm' || (kind === undefined && str(a, G.REQUEST_MODEL) !== undefined);
    const isSession = kind === 'session';
    return defined<SpanFacts>({
      kind: kind ?? (isLlm ? 'llm' : undefined),
      sessionId: str(a, G.CONVERSATION_ID),
      agentName: str(a, G.AGENT_NAME),
      agentVersion: str(a, G.AGENT_VERSION),
      sessionInput: isSession ? a[G.INPUT_MESSAGES] : undefined,
      sessionOutput: isSession ? a[G.OUTPUT_MESSAGES] : undefined,
      toolName: str(a, G.TOOL_NAME),
      toolCallId: str(a, G.TOOL_CALL_ID),
      toolType: str(a, G.TOOL_TYPE),
      toolInput: a[G.TOOL_CALL_ARGUMENTS],
      toolOutput: a[G.TOOL_CALL_RESULT],
      model: firstStr(a, [G.RESPONSE_MODEL, G.REQUEST_MODEL]),
      provider: firstStr(a, [G.PROVIDER_NAME, G.SYSTEM]),
      llmInput: isSession ? undefined : a[G.INPUT_MESSAGES],
      llmOutput: isSession ? undefined : a[G.OUTPUT_MESSAGES],
      modelParameters: Object.keys(modelParameters).length > 0 ? modelParameters : undefined,
      completionStartTime: isLlm ? firstChunkTime(span) : undefined,
      cost: reportedCostOf(G.USAGE_COST, { total: num(a, G.USAGE_COST) }),
      usage: usageOf({
        input: num(a, G.USAGE_INPUT_TOKENS) ?? num(a, G.USAGE_PROMPT_TOKENS),
        output: num(a, G.USAGE_OUTPUT_TOKENS) ?? num(a, G.USAGE_COMPLETION_TOKENS),
        cached: num(a, G.USAGE_CACHE_READ_INPUT_TOKENS),
        cacheCreation: num(a, G.USAGE_CACHE_CREATION_INPUT_TOKENS),
        reasoning: num(a, G.USAGE_REASONING_OUTPUT_TOKENS),
      }),
    });
  },
};

const PREFIX = 'gen_ai.';

function hasGenAiKey(attributes: InterpretableSpan['attributes']): boolean {
  for (const key in attributes) if (key.startsWith(PREFIX)) return true;
  return false;
}

/**
 * When the first chunk arrived: the time to it is given in seconds from the request, which the
 * span's start stands for (the span covers the call).
 */
function firstChunkTime(span: InterpretableSpan): number | undefined {
  const seconds = num(span.attributes, G.RESPONSE_TIME_TO_FIRST_CHUNK) ?? num(span.attributes, G.CLIENT_OPERATION_TIME_TO_FIRST_CHUNK);
  return afterStart(span, seconds === undefined ? undefined : seconds * 1000);
}
