/**
 * OpenInference attribute names (Arize Phoenix and the `@arizeai/openinference-*`
 * instrumentations). Lists such as `llm.input_messages` are flattened on spans:
 * `llm.input_messages.0.message.role`, `llm.input_messages.0.message.content`,
 * `llm.input_messages.0.message.tool_calls.0.tool_call.function.name`, ...
 */
export const OpenInferenceAttributes = {
  SPAN_KIND: 'openinference.span.kind',
  INPUT_VALUE: 'input.value',
  OUTPUT_VALUE: 'output.value',
  TOOL_NAME: 'tool.name',
  /** The model's id for the tool call, on a TOOL span. */
  TOOL_CALL_ID: 'tool_call.id',
  TOOL_PARAMETERS: 'tool.parameters',
  LLM_MODEL_NAME: 'llm.model_name',
  LLM_REQUEST_MODEL_NAME: 'llm.request.model_name',
  LLM_RESPONSE_MODEL_NAME: 'llm.response.model_name',
  LLM_PROVIDER: 'llm.provider',
  LLM_SYSTEM: 'llm.system',
  /** JSON object string of the request's parameters. */
  LLM_INVOCATION_PARAMETERS: 'llm.invocation_parameters',
  /** Prefix of the flattened input messages. */
  LLM_INPUT_MESSAGES: 'llm.input_messages',
  /** Prefix of the flattened output messages. */
  LLM_OUTPUT_MESSAGES: 'llm.output_messages',
  LLM_TOKEN_COUNT_PROMPT: 'llm.token_count.prompt',
  LLM_TOKEN_COUNT_COMPLETION: 'llm.token_count.completion',
  LLM_TOKEN_COUNT_TOTAL: 'llm.token_count.total',
  LLM_TOKEN_COUNT_PROMPT_CACHE_READ: 'llm.token_count.prompt_details.cache_read',
  LLM_TOKEN_COUNT_PROMPT_CACHE_WRITE: 'llm.token_count.prompt_details.cache_write',
  LLM_TOKEN_COUNT_COMPLETION_REASONING: 'llm.token_count.completion_details.reasoning',
  /** Costs in USD the instrumentation computed (`llm.cost.*`); they win over a computed cost. */
  LLM_COST_TOTAL: 'llm.cost.total',
  LLM_COST_PROMPT: 'llm.cost.prompt',
  LLM_COST_COMPLETION: 'llm.cost.completion',
  LLM_COST_PROMPT_CACHE_READ: 'llm.cost.prompt_details.cache_read',
  LLM_COST_PROMPT_CACHE_WRITE: 'llm.cost.prompt_details.cache_write',
  LLM_COST_COMPLETION_REASONING: 'llm.cost.completion_details.reasoning',
  SESSION_ID: 'session.id',
  USER_ID: 'user.id',
  AGENT_NAME: 'agent.name',
  TAG_TAGS: 'tag.tags',
  METADATA: 'metadata',
  /**
   * Prefix of flattened feedback results in annotation terms: `annotations.<i>.annotation.name`,
   * `.score`, `.label`, `.explanation`, `.annotator_kind`, `.identifier`, `.metadata`.
   */
  ANNOTATIONS: 'annotations',
  /** The same results in evaluation terms: `evaluations.<i>.evaluation.name`, ... */
  EVALUATIONS: 'evaluations',
} as const;

/** Values of `openinference.span.kind` and the agent span kind each one means; the rest are steps. */
export const OpenInferenceSpanKinds = {
  LLM: 'llm',
  EMBEDDING: 'llm',
  TOOL: 'tool',
  AGENT: 'session',
} as const;
