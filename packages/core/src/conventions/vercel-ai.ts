import { VercelAiAttributes as V, VercelAiMetadataKeys, VercelAiOperations as Ops } from '@mini-agent/semconv';
import type { Attributes } from '@opentelemetry/api';
import type { InterpretableSpan } from '../records.js';
import { afterStart, defined, firstStr, hasParent, num, parseJson, str, usageOf, type ConventionAdapter, type SpanFacts } from './facts.js';

/**
 * The Vercel AI SDK's telemetry (versions 4 to 6, `experimental_telemetry`): `ai.toolCall` spans
 * are tools, the provider calls (`*.doGenerate`, `*.doStream`, `*.doEmbed`) are LLM calls, and a
 * top-level call (`ai.generateText`, ...) is the session when it starts the trace or its
 * metadata names a session; otherwise (inside the agent's own session span) it is a step.
 */
export const vercelAiAdapter: ConventionAdapter = {
  name: 'vercel_ai',
  read(span): SpanFacts {
    const a = span.attributes;
    const operation = str(a, V.OPERATION_ID);
    if (operation === undefined || !operation.startsWith('ai.')) return {};
    const metadata = (keys: readonly string[]) => firstStr(a, keys.map((key) => `${V.METADATA_PREFIX}${key}`));
    const sessionId = metadata(VercelAiMetadataKeys.SESSION_ID);
    const kind = kindOf(span, operation, sessionId !== undefined);
    return defined<SpanFacts>({
      kind,
      sessionId,
      userId: metadata(VercelAiMetadataKeys.USER_ID),
      agentName: str(a, V.FUNCTION_ID),
      sessionInput: kind === 'session' ? a[V.PROMPT] : undefined,
      sessionOutput: kind === 'session' ? (a[V.RESPONSE_TEXT] ?? a[V.RESPONSE_OBJECT]) : undefined,
      toolName: kind === 'tool' ? str(a, V.TOOL_CALL_NAME) : undefined,
      toolInput: kind === 'tool' ? a[V.TOOL_CALL_ARGS] : undefined,
      toolOutput: kind === 'tool' ? a[V.TOOL_CALL_RESULT] : undefined,
      toolCallId: kind === 'tool' ? str(a, V.TOOL_CALL_ID) : undefined,
      model: firstStr(a, [V.RESPONSE_MODEL, V.MODEL_ID]),
      provider: str(a, V.MODEL_PROVIDER),
      llmInput: kind === 'llm' ? (a[V.PROMPT_MESSAGES] ?? a[V.PROMPT]) : undefined,
      llmOutput: kind === 'llm' ? responseOf(a) : undefined,
      modelParameters: kind === 'llm' ? settingsOf(a) : undefined,
      completionStartTime: kind === 'llm' ? afterStart(span, num(a, V.RESPONSE_MS_TO_FIRST_CHUNK)) : undefined,
      usage: kind === 'llm' ? usageOfCall(a, str(a, V.MODEL_PROVIDER)) : undefined,
    });
  },
};

/**
 * A top-level call is the session when it starts the trace, or when its metadata names a session
 * (the user said so: inside an HTTP server span, say). Inside the agent's own session span,
 * without a session id of its own, it is a step, so the trace keeps one session.
 */
function kindOf(span: InterpretableSpan, operation: string, namesSession: boolean): SpanFacts['kind'] {
  if (operation === Ops.TOOL_CALL) return 'tool';
  if (Ops.MODEL_CALL_SUFFIXES.some((suffix) => operation.endsWith(suffix))) return 'llm';
  if ((Ops.CALLS as readonly string[]).includes(operation) && (namesSession || !hasParent(span))) return 'session';
  return undefined;
}

/**
 * The call's token counts, with the input made to include the cache reads as the GenAI
 * conventions count it: before AI SDK 6 (no `inputTokenDetails`), the Anthropic provider passed
 * on Anthropic's own `input_tokens`, which leaves out the tokens read from the cache.
 */
function usageOfCall(a: Attributes, provider: string | undefined): SpanFacts['usage'] {
  const given = num(a, V.USAGE_INPUT_TOKENS) ?? num(a, V.USAGE_PROMPT_TOKENS) ?? num(a, V.USAGE_TOKENS);
  const legacyCached = num(a, V.USAGE_CACHED_INPUT_TOKENS);
  const excludesCache = provider?.startsWith('anthropic') === true && a[V.USAGE_CACHE_READ_TOKENS] === undefined && legacyCached !== undefined;
  return usageOf({
    input: given !== undefined && excludesCache ? given + legacyCached! : given,
    output: num(a, V.USAGE_OUTPUT_TOKENS) ?? num(a, V.USAGE_COMPLETION_TOKENS),
    total: num(a, V.USAGE_TOTAL_TOKENS),
    cached: num(a, V.USAGE_CACHED_INPUT_TOKENS) ?? num(a, V.USAGE_CACHE_READ_TOKENS),
    cacheCreation: num(a, V.USAGE_CACHE_WRITE_TOKENS),
    reasoning: num(a, V.USAGE_REASONING_TOKENS) ?? num(a, V.USAGE_OUTPUT_REASONING_TOKENS),
  });
}

/** The model's answer: its text, its tool calls, or both; a structured object for `generateObject`. */
function responseOf(a: Attributes): unknown {
  const text = str(a, V.RESPONSE_TEXT);
  const toolCalls = a[V.RESPONSE_TOOL_CALLS];
  if (toolCalls === undefined) return text ?? a[V.RESPONSE_OBJECT];
  if (text === undefined) return toolCalls;
  return { text, toolCalls: typeof toolCalls === 'string' ? (parseJson(toolCalls) ?? toolCalls) : toolCalls };
}

/** `ai.settings.<name>` as model parameters; retries and timeouts are not the model's. */
function settingsOf(a: Attributes): Record<string, unknown> | undefined {
  const settings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(a)) {
    if (!key.startsWith(V.SETTINGS_PREFIX) || value === undefined) continue;
    const name = key.slice(V.SETTINGS_PREFIX.length);
    if (name !== 'maxRetries' && name !== 'timeout') settings[name] = value;
  }
  return Object.keys(settings).length > 0 ? settings : undefined;
}
