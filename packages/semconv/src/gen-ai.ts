/**
 * OpenTelemetry GenAI attribute names read by `interpret()`. Kept here rather than imported from
 * `@opentelemetry/semantic-conventions/incubating`: those constants are experimental, deprecated
 * there and moving to a separate package, and what matters is what instrumentations emit.
 */
export const GenAiAttributes = {
  OPERATION_NAME: 'gen_ai.operation.name',
  PROVIDER_NAME: 'gen_ai.provider.name',
  /** Older name of the provider attribute, still emitted by many instrumentations. */
  SYSTEM: 'gen_ai.system',
  REQUEST_MODEL: 'gen_ai.request.model',
  RESPONSE_MODEL: 'gen_ai.response.model',
  REQUEST_TEMPERATURE: 'gen_ai.request.temperature',
  REQUEST_MAX_TOKENS: 'gen_ai.request.max_tokens',
  REQUEST_TOP_P: 'gen_ai.request.top_p',
  REQUEST_TOP_K: 'gen_ai.request.top_k',
  REQUEST_FREQUENCY_PENALTY: 'gen_ai.request.frequency_penalty',
  REQUEST_PRESENCE_PENALTY: 'gen_ai.request.presence_penalty',
  REQUEST_SEED: 'gen_ai.request.seed',
  REQUEST_STOP_SEQUENCES: 'gen_ai.request.stop_sequences',
  USAGE_INPUT_TOKENS: 'gen_ai.usage.input_tokens',
  USAGE_OUTPUT_TOKENS: 'gen_ai.usage.output_tokens',
  /** Deprecated names some instrumentations still emit. */
  USAGE_PROMPT_TOKENS: 'gen_ai.usage.prompt_tokens',
  USAGE_COMPLETION_TOKENS: 'gen_ai.usage.completion_tokens',
  /** Input tokens read from the provider's cache; part of `gen_ai.usage.input_tokens`. */
  USAGE_CACHE_READ_INPUT_TOKENS: 'gen_ai.usage.cache_read.input_tokens',
  /** Input tokens written to the provider's cache; part of `gen_ai.usage.input_tokens`. */
  USAGE_CACHE_CREATION_INPUT_TOKENS: 'gen_ai.usage.cache_creation.input_tokens',
  /** Output tokens spent on reasoning; part of `gen_ai.usage.output_tokens`. */
  USAGE_REASONING_OUTPUT_TOKENS: 'gen_ai.usage.reasoning.output_tokens',
  /**
   * What the call cost in USD, as the instrumentation (or a gateway) computed it. Not yet in the
   * GenAI conventions, but emitted by LiteLLM and read by Langfuse's OTel endpoint; it wins over a
   * computed cost.
   */
  USAGE_COST: 'gen_ai.usage.cost',
  /** Seconds from issuing the request to the first chunk of a streamed response. */
  RESPONSE_TIME_TO_FIRST_CHUNK: 'gen_ai.response.time_to_first_chunk',
  /**
   * The same measure under the name of the GenAI client metric; `@ai-sdk/otel` 1.0 (AI SDK 7)
   * writes it on its `chat` spans in place of the span attribute.
   */
  CLIENT_OPERATION_TIME_TO_FIRST_CHUNK: 'gen_ai.client.operation.time_to_first_chunk',
  INPUT_MESSAGES: 'gen_ai.input.messages',
  OUTPUT_MESSAGES: 'gen_ai.output.messages',
  SYSTEM_INSTRUCTIONS: 'gen_ai.system_instructions',
  CONVERSATION_ID: 'gen_ai.conversation.id',
  AGENT_NAME: 'gen_ai.agent.name',
  AGENT_ID: 'gen_ai.agent.id',
  AGENT_VERSION: 'gen_ai.agent.version',
  TOOL_NAME: 'gen_ai.tool.name',
  /** `function` (run by the client), `extension` (run by the agent or provider), `datastore`. */
  TOOL_TYPE: 'gen_ai.tool.type',
  /** The model's id for the tool call, linking the call in its output to the tool's result. */
  TOOL_CALL_ID: 'gen_ai.tool.call.id',
  TOOL_CALL_ARGUMENTS: 'gen_ai.tool.call.arguments',
  TOOL_CALL_RESULT: 'gen_ai.tool.call.result',
  /** The evaluation's name (metric or criterion), on a `gen_ai.evaluation.result` event. Required there. */
  EVALUATION_NAME: 'gen_ai.evaluation.name',
  /** The evaluator's numeric score (double). */
  EVALUATION_SCORE_VALUE: 'gen_ai.evaluation.score.value',
  /** A human-readable, low-cardinality label for the score (`relevant`, `pass`, `fail`). */
  EVALUATION_SCORE_LABEL: 'gen_ai.evaluation.score.label',
  /** Free-form reason for the score. */
  EVALUATION_EXPLANATION: 'gen_ai.evaluation.explanation',
  /** The completion evaluated, when the event cannot be parented to its span. */
  RESPONSE_ID: 'gen_ai.response.id',
  /** Set when the evaluation itself failed. */
  ERROR_TYPE: 'error.type',
} as const;

/** OpenTelemetry GenAI event names read by `interpret()` (as span events). */
export const GenAiEvents = {
  /** One evaluation result, parented to the span it judges. */
  EVALUATION_RESULT: 'gen_ai.evaluation.result',
} as const;

/**
 * Values of `gen_ai.operation.name` and the agent span kind each one means. `create_agent` only
 * sets an agent up (its name and version still fill the trace's), so it is a step, not a session,
 * even though it carries a model. `agent_step` is one loop iteration of the AI SDK 7 agent.
 */
export const GenAiOperations = {
  chat: 'llm',
  text_completion: 'llm',
  generate_content: 'llm',
  embeddings: 'llm',
  execute_tool: 'tool',
  invoke_agent: 'session',
  invoke_workflow: 'session',
  create_agent: 'step',
  agent_step: 'step',
} as const;
