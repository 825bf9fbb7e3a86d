/**
 * The span attributes Langfuse's server reads when it turns OTLP spans into observations, as its
 * OTel ingestion code (`packages/shared/src/server/otel/`) names them. Written out here on purpose,
 * not imported from the exporter's dependencies (`@langfuse/core`): when the exporter and the
 * server disagree on a name, a test must fail.
 */
export const ServerAttributes = {
  OBSERVATION_TYPE: 'langfuse.observation.type',
  OBSERVATION_INPUT: 'langfuse.observation.input',
  OBSERVATION_OUTPUT: 'langfuse.observation.output',
  OBSERVATION_METADATA: 'langfuse.observation.metadata',
  OBSERVATION_LEVEL: 'langfuse.observation.level',
  OBSERVATION_STATUS_MESSAGE: 'langfuse.observation.status_message',
  OBSERVATION_MODEL: 'langfuse.observation.model.name',
  OBSERVATION_MODEL_PARAMETERS: 'langfuse.observation.model.parameters',
  OBSERVATION_USAGE_DETAILS: 'langfuse.observation.usage_details',
  OBSERVATION_COST_DETAILS: 'langfuse.observation.cost_details',
  OBSERVATION_COMPLETION_START_TIME: 'langfuse.observation.completion_start_time',
  TRACE_NAME: 'langfuse.trace.name',
  TRACE_INPUT: 'langfuse.trace.input',
  TRACE_OUTPUT: 'langfuse.trace.output',
  TRACE_TAGS: 'langfuse.trace.tags',
  TRACE_PUBLIC: 'langfuse.trace.public',
  TRACE_METADATA: 'langfuse.trace.metadata',
  ENVIRONMENT: 'langfuse.environment',
  RELEASE: 'langfuse.release',
  VERSION: 'langfuse.version',
  AS_ROOT: 'langfuse.internal.as_root',
} as const;

const A = ServerAttributes;

/** Where the server looks for the user id, first found wins. */
export const USER_ID_KEYS = ['langfuse.user.id', 'user.id', `${A.OBSERVATION_METADATA}.langfuse_user_id`, `${A.TRACE_METADATA}.langfuse_user_id`, 'ai.telemetry.metadata.userId'];
/** Where the server looks for the session id, first found wins. */
export const SESSION_ID_KEYS = [
  'langfuse.session.id',
  'session.id',
  'gen_ai.conversation.id',
  `${A.OBSERVATION_METADATA}.langfuse_session_id`,
  `${A.TRACE_METADATA}.langfuse_session_id`,
  'ai.telemetry.metadata.sessionId',
];
/** Where the server looks for tags, first found wins. */
export const TAGS_KEYS = [A.TRACE_TAGS, 'langfuse.tags', `${A.OBSERVATION_METADATA}.langfuse_tags`, `${A.TRACE_METADATA}.langfuse_tags`, 'ai.telemetry.metadata.tags', 'tag.tags'];
/** Where the server looks for the environment: on the span, then on the resource, key by key. */
export const ENVIRONMENT_KEYS = [A.ENVIRONMENT, 'deployment.environment.name', 'deployment.environment'];

/** Any of these set on a span makes it update its trace, root or not. */
export const TRACE_UPDATE_KEYS = [
  A.TRACE_NAME, A.TRACE_INPUT, A.TRACE_OUTPUT, A.TRACE_METADATA, A.TRACE_PUBLIC,
  ...USER_ID_KEYS,
  // The conversation id names a session but does not update the trace by itself; nor does `langfuse.tags`.
  ...SESSION_ID_KEYS.filter((k) => k !== 'gen_ai.conversation.id'),
  ...TAGS_KEYS.filter((k) => k !== 'langfuse.tags'),
];

/**
 * The keys the server puts into every observation's metadata itself. On the dual write path it
 * writes them after the span's own metadata, so a metadata key of one of these names is lost; on
 * the direct path the span's metadata is spread after them and replaces them.
 */
export const SERVER_METADATA_KEYS = ['attributes', 'resourceAttributes', 'scope'] as const;

/**
 * Attributes the server takes as input or output (of Langfuse's SDK, the GenAI conventions and
 * others) and leaves out of the `attributes` it keeps in metadata.
 */
export const INPUT_OUTPUT_KEYS = new Set<string>([
  A.TRACE_INPUT, A.TRACE_OUTPUT, A.OBSERVATION_INPUT, A.OBSERVATION_OUTPUT,
  'gen_ai.input.messages', 'gen_ai.output.messages', 'gen_ai.system_instructions', 'gen_ai.tool.call.arguments', 'gen_ai.tool.call.result',
  'input.value', 'output.value', 'traceloop.entity.input', 'traceloop.entity.output',
  'ai.prompt.messages', 'ai.prompt', 'ai.toolCall.args', 'ai.toolCall.result', 'ai.response.text', 'ai.result.text', 'input', 'output',
]);
/** Attribute prefixes the server reads as input, output or metadata and also leaves out. */
export const INPUT_OUTPUT_PREFIXES = ['gen_ai.prompt', 'gen_ai.completion', 'llm.input_messages', 'llm.output_messages', A.TRACE_METADATA, A.OBSERVATION_METADATA, 'ai.telemetry.metadata'];
