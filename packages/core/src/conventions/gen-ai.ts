import { GenAiAttributes as G, GenAiOperations } from '@mini-agent/semconv';
import { defined, num, str, type ConventionAdapter, type SpanFacts } from './facts.js';

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

/** The OpenTelemetry GenAI conventions (`gen_ai.*`): LLM calls, tool executions, agent invocations. */
export const genAiAdapter: ConventionAdapter = {
  name: 'gen_ai',
  read({ attributes: a }): SpanFacts {
    const operation = str(a, G.OPERATION_NAME);
    const kind = operation !== undefined ? GenAiOperations[operation as keyof typeof GenAiOperations] : undefined;
    const modelParameters: Record<string, unknown> = {};
    for (const [name, key] of Object.entries(MODEL_PARAMETERS)) if (a[key] !== undefined) modelParameters[name] = a[key];
    const input = num(a, G.USAGE_INPUT_TOKENS) ?? num(a, G.USAGE_PROMPT_TOKENS);
    const output = num(a, G.USAGE_OUTPUT_TOKENS) ?? num(a, G.USAGE_COMPLETION_TOKENS);
    const isLlm = kind === 'llm' || (kind === undefined && str(a, G.REQUEST_MODEL) !== undefined);
    return defined<SpanFacts>({
      kind: kind ?? (isLlm ? 'llm' : undefined),
      sessionId: str(a, G.CONVERSATION_ID),
      agentName: str(a, G.AGENT_NAME),
      toolName: str(a, G.TOOL_NAME),
      toolInput: a[G.TOOL_CALL_ARGUMENTS],
      toolOutput: a[G.TOOL_CALL_RESULT],
      model: str(a, G.RESPONSE_MODEL) ?? str(a, G.REQUEST_MODEL),
      provider: str(a, G.PROVIDER_NAME) ?? str(a, G.SYSTEM),
      llmInput: a[G.INPUT_MESSAGES],
      llmOutput: a[G.OUTPUT_MESSAGES],
      modelParameters: Object.keys(modelParameters).length > 0 ? modelParameters : undefined,
      usage: defined({
        input,
        output,
        total: input !== undefined || output !== undefined ? (input ?? 0) + (output ?? 0) : undefined,
        cached: num(a, G.USAGE_CACHE_READ_INPUT_TOKENS),
        reasoning: num(a, G.USAGE_REASONING_OUTPUT_TOKENS),
      }),
    });
  },
};
