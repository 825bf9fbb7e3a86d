/**
 * Langfuse's own OpenTelemetry attribute names, as its SDKs (`@langfuse/tracing`, `@langfuse/otel`)
 * write them and its OTel endpoint reads them. `interpret()` reads them from spans made with the
 * Langfuse SDK; the Langfuse exporter writes them.
 */
export const LangfuseAttributes = {
  OBSERVATION_TYPE: 'langfuse.observation.type',
  OBSERVATION_INPUT: 'langfuse.observation.input',
  OBSERVATION_OUTPUT: 'langfuse.observation.output',
  /** A JSON object, or flattened as `langfuse.observation.metadata.<key>`. */
  OBSERVATION_METADATA: 'langfuse.observation.metadata',
  OBSERVATION_LEVEL: 'langfuse.observation.level',
  OBSERVATION_STATUS_MESSAGE: 'langfuse.observation.status_message',
  OBSERVATION_MODEL: 'langfuse.observation.model.name',
  /** JSON object string of the model parameters. */
  OBSERVATION_MODEL_PARAMETERS: 'langfuse.observation.model.parameters',
  /** JSON object string: `{ input, output, total, ... }` plus provider-specific detail keys. */
  OBSERVATION_USAGE_DETAILS: 'langfuse.observation.usage_details',
  OBSERVATION_COST_DETAILS: 'langfuse.observation.cost_details',
  /** A JSON-serialized date (an ISO string in quotes) or a plain ISO string. */
  OBSERVATION_COMPLETION_START_TIME: 'langfuse.observation.completion_start_time',
  TRACE_NAME: 'langfuse.trace.name',
  TRACE_INPUT: 'langfuse.trace.input',
  TRACE_OUTPUT: 'langfuse.trace.output',
  TRACE_TAGS: 'langfuse.trace.tags',
  TRACE_METADATA: 'langfuse.trace.metadata',
  /** The session id as the Langfuse SDK ≥ 4 writes it (shared with OpenInference). */
  TRACE_SESSION_ID: 'session.id',
  /** The user id as the Langfuse SDK ≥ 4 writes it (shared with OpenInference). */
  TRACE_USER_ID: 'user.id',
  /** The session id under Langfuse's own prefix (older SDKs, and what the exporter writes). */
  SESSION_ID: 'langfuse.session.id',
  /** The user id under Langfuse's own prefix. */
  USER_ID: 'langfuse.user.id',
  RELEASE: 'langfuse.release',
  VERSION: 'langfuse.version',
  ENVIRONMENT: 'langfuse.environment',
} as const;

/** Values of `langfuse.observation.type` and the agent span kind each one means; the rest are steps. */
export const LangfuseObservationTypes = {
  generation: 'llm',
  embedding: 'llm',
  tool: 'tool',
  agent: 'session',
} as const;

/**
 * Keys of `langfuse.observation.usage_details`. Langfuse counts each key as its own bucket: `input`
 * excludes the tokens of the other `input_*` keys (cached tokens), `output` those of the `output_*`
 * keys (reasoning tokens), and `total` is the sum of all. The cached and reasoning keys are the
 * names Langfuse's integrations use (OpenAI: `input_cached_tokens`, `output_reasoning_tokens`).
 */
export const LangfuseUsageKeys = {
  INPUT: 'input',
  OUTPUT: 'output',
  TOTAL: 'total',
  CACHED: ['input_cached_tokens', 'input_cache_read', 'cache_read_input_tokens'],
  /** Input tokens written to the prompt cache: Langfuse prices them as `input_cache_creation`. */
  CACHE_CREATION: ['input_cache_creation', 'cache_creation_input_tokens'],
  REASONING: ['output_reasoning_tokens', 'output_reasoning'],
} as const;
