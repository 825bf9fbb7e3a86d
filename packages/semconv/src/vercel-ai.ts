/**
 * Vercel AI SDK (versions 4 to 6) telemetry attribute names, emitted with
 * `experimental_telemetry: { isEnabled: true }`. The SDK names each span after its operation
 * (`ai.generateText`, `ai.generateText.doGenerate`, `ai.toolCall`, ...) and repeats the name in
 * `ai.operationId`. Version 7 emits the OTel GenAI conventions instead (through `@ai-sdk/otel`).
 */
export const VercelAiAttributes = {
  OPERATION_ID: 'ai.operationId',
  FUNCTION_ID: 'ai.telemetry.functionId',
  /** Prefix of `experimental_telemetry.metadata` entries: `ai.telemetry.metadata.<key>`. */
  METADATA_PREFIX: 'ai.telemetry.metadata.',
  MODEL_ID: 'ai.model.id',
  MODEL_PROVIDER: 'ai.model.provider',
  /** Prefix of call settings: `ai.settings.<name>`. */
  SETTINGS_PREFIX: 'ai.settings.',
  /** The outer call's prompt: JSON `{ system, prompt, messages }`. */
  PROMPT: 'ai.prompt',
  PROMPT_MESSAGES: 'ai.prompt.messages',
  RESPONSE_TEXT: 'ai.response.text',
  RESPONSE_TOOL_CALLS: 'ai.response.toolCalls',
  RESPONSE_OBJECT: 'ai.response.object',
  RESPONSE_MODEL: 'ai.response.model',
  RESPONSE_MS_TO_FIRST_CHUNK: 'ai.response.msToFirstChunk',
  TOOL_CALL_NAME: 'ai.toolCall.name',
  TOOL_CALL_ID: 'ai.toolCall.id',
  TOOL_CALL_ARGS: 'ai.toolCall.args',
  TOOL_CALL_RESULT: 'ai.toolCall.result',
  USAGE_INPUT_TOKENS: 'ai.usage.inputTokens',
  USAGE_OUTPUT_TOKENS: 'ai.usage.outputTokens',
  USAGE_TOTAL_TOKENS: 'ai.usage.totalTokens',
  /** Versions 4 and some version 5/6 spans: the older names of the input and output counts. */
  USAGE_PROMPT_TOKENS: 'ai.usage.promptTokens',
  USAGE_COMPLETION_TOKENS: 'ai.usage.completionTokens',
  USAGE_CACHED_INPUT_TOKENS: 'ai.usage.cachedInputTokens',
  USAGE_CACHE_READ_TOKENS: 'ai.usage.inputTokenDetails.cacheReadTokens',
  USAGE_CACHE_WRITE_TOKENS: 'ai.usage.inputTokenDetails.cacheWriteTokens',
  USAGE_REASONING_TOKENS: 'ai.usage.reasoningTokens',
  USAGE_OUTPUT_REASONING_TOKENS: 'ai.usage.outputTokenDetails.reasoningTokens',
  /** Embedding calls count their input as `ai.usage.tokens`. */
  USAGE_TOKENS: 'ai.usage.tokens',
} as const;

/** `ai.telemetry.metadata.<key>` keys read as the session and the user (camelCase or snake_case). */
export const VercelAiMetadataKeys = {
  SESSION_ID: ['sessionId', 'session_id'],
  USER_ID: ['userId', 'user_id'],
} as const;

/** Operation ids of the Vercel AI SDK by what they are. */
export const VercelAiOperations = {
  TOOL_CALL: 'ai.toolCall',
  /** Provider calls end in one of these. */
  MODEL_CALL_SUFFIXES: ['.doGenerate', '.doStream', '.doEmbed'],
  /** Top-level calls: a session when they start the trace. */
  CALLS: ['ai.generateText', 'ai.streamText', 'ai.generateObject', 'ai.streamObject', 'ai.embed', 'ai.embedMany'],
} as const;
