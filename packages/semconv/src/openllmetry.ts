/**
 * OpenLLMetry (Traceloop) attribute names: `traceloop.*` from its workflow/task/agent/tool
 * decorators, and the indexed `gen_ai.prompt.<i>.*` / `gen_ai.completion.<i>.*` messages and older
 * usage names its LLM instrumentations still write next to the OTel GenAI ones.
 */
export const OpenLlmetryAttributes = {
  SPAN_KIND: 'traceloop.span.kind',
  ENTITY_NAME: 'traceloop.entity.name',
  ENTITY_INPUT: 'traceloop.entity.input',
  ENTITY_OUTPUT: 'traceloop.entity.output',
  WORKFLOW_NAME: 'traceloop.workflow.name',
  /** Prefix of association properties: `traceloop.association.properties.<key>`. */
  ASSOCIATION_PROPERTIES_PREFIX: 'traceloop.association.properties.',
  /** Prefix of the flattened input messages: `gen_ai.prompt.<i>.role`, `.content`. */
  PROMPT_PREFIX: 'gen_ai.prompt',
  /** Prefix of the flattened output messages: `gen_ai.completion.<i>.role`, `.content`, `.tool_calls.<j>.*`. */
  COMPLETION_PREFIX: 'gen_ai.completion',
  LLM_REQUEST_TYPE: 'llm.request.type',
  LLM_USAGE_TOTAL_TOKENS: 'llm.usage.total_tokens',
  USAGE_TOTAL_TOKENS: 'gen_ai.usage.total_tokens',
  USAGE_CACHE_READ_INPUT_TOKENS: 'gen_ai.usage.cache_read_input_tokens',
  USAGE_CACHE_CREATION_INPUT_TOKENS: 'gen_ai.usage.cache_creation_input_tokens',
  USAGE_REASONING_TOKENS: 'gen_ai.usage.reasoning_tokens',
  /** Set by OpenLLMetry's MCP instrumentation on MCP request spans. */
  MCP_REQUEST_ID: 'mcp.request.id',
} as const;

/** Association property keys read as the session and the user. */
export const OpenLlmetryAssociationKeys = {
  SESSION_ID: 'session_id',
  USER_ID: 'user_id',
} as const;

/** Values of `traceloop.span.kind` and the agent span kind each one means; `task` is a step. */
export const OpenLlmetrySpanKinds = {
  tool: 'tool',
  workflow: 'session',
  agent: 'session',
  session: 'session',
} as const;
