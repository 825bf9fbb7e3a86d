import * as sc from '@mini-agent/semconv';

/**
 * Every metadata key this exporter writes starts with this. Langfuse's server adds keys of its own
 * to each observation's metadata (`attributes`, `resourceAttributes`, `scope`) and, on the path
 * that shows traces late, writes them over any of ours with the same name: under our own prefix
 * nothing the exporter sends can be overwritten, now or when the server adds keys.
 */
export const METADATA_PREFIX = 'mini_agent.';

/**
 * The metadata keys of observations and traces. Where the contract has an attribute of the same
 * meaning, the key is that attribute's name (`mini_agent.tool.name`, `mini_agent.decision.type`).
 */
export const MetadataKeys = {
  SPAN_KIND: sc.ATTR_SPAN_KIND,
  OTEL_KIND: 'mini_agent.span.otel_kind',
  DURATION_MS: 'mini_agent.span.duration_ms',
  /** The instrumentation scope that made the span (`{ name, version }`). */
  SCOPE: 'mini_agent.span.scope',
  /** The span's own attributes (each value cut to 2 KB; the payload is the input and output). */
  ATTRIBUTES: 'mini_agent.span.attributes',
  EVENTS: 'mini_agent.span.events',
  LINKS: 'mini_agent.span.links',
  METRICS: 'mini_agent.metrics',
  TOOL_NAME: sc.ATTR_TOOL_NAME,
  TOOL_CATEGORY: sc.ATTR_TOOL_CATEGORY,
  /** Prefix of the tool's other facts (`mini_agent.tool.server`, `mini_agent.tool.category_given`). */
  TOOL_PREFIX: 'mini_agent.tool.',
  PROVIDER: 'mini_agent.llm.provider',
  DECISION_TYPE: sc.ATTR_DECISION_TYPE,
  DECISION_REASONING: sc.ATTR_DECISION_REASONING,
  AGENT_NAME: sc.ATTR_AGENT_NAME,
  AGENT_VERSION: sc.ATTR_AGENT_VERSION,
  USER_CONTEXT: sc.ATTR_USER_CONTEXT,
  SESSION_STATUS: 'mini_agent.session.status',
  SESSION_STATUS_MESSAGE: 'mini_agent.session.status_message',
  RESOURCE: 'mini_agent.resource',
  /** Legacy ingestion with `legacyObservationTypes`: what an agent or tool sent as a span was. */
  OBSERVATION_TYPE: 'mini_agent.observation_type',
  /** Metadata a mask turned into something other than an object. */
  MASKED: 'mini_agent.metadata',
} as const;
