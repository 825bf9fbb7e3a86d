/**
 * The `mini_agent.*` attribute contract: names, value enums and their meaning.
 *
 * Agent code sets these on ordinary OpenTelemetry spans; `@mini-agent/core`'s
 * `interpret()` reads them. Every name is defined once, here.
 *
 * @example
 * ```ts
 * import { ATTR_SPAN_KIND, ATTR_TOOL_NAME, SpanKinds } from '@mini-agent/semconv';
 * span.setAttribute(ATTR_SPAN_KIND, SpanKinds.TOOL);
 * span.setAttribute(ATTR_TOOL_NAME, 'read_file');
 * ```
 *
 * @packageDocumentation
 */

/** What a span is: one of {@link SpanKinds}. Inferred from other conventions when absent, else `step`. */
export const ATTR_SPAN_KIND = 'mini_agent.span.kind';

/** The agent session (string). Set on the session span; records of its trace inherit it. Several traces may share one. */
export const ATTR_SESSION_ID = 'mini_agent.session.id';
/** Which agent (string). On the session span or the resource. */
export const ATTR_AGENT_NAME = 'mini_agent.agent.name';
/** The agent's version (string). Falls back to the resource's `service.version`. */
export const ATTR_AGENT_VERSION = 'mini_agent.agent.version';
/** Who the session is for (string). */
export const ATTR_USER_ID = 'mini_agent.user.id';
/** In what context the user works (JSON string). */
export const ATTR_USER_CONTEXT = 'mini_agent.user.context';

/** What the session was asked (JSON string or plain string); becomes the trace's input. */
export const ATTR_SESSION_INPUT = 'mini_agent.session.input';
/** What the session answered (JSON string or plain string); becomes the trace's output. */
export const ATTR_SESSION_OUTPUT = 'mini_agent.session.output';
/** Labels for the session (string array); become the trace's tags. */
export const ATTR_SESSION_TAGS = 'mini_agent.session.tags';
/**
 * The session's name (string): the trace's name. The session span's own name when absent. Spans
 * started inside a session carry it (with the session id, user id, agent name and version, tags)
 * so each of them names its trace even when it reaches a sink before the session span does.
 */
export const ATTR_SESSION_NAME = 'mini_agent.session.name';
/**
 * Where the agent runs (string), e.g. `production`, `staging`: the session's environment, propagated to
 * every span of the session. Wins over the resource's `deployment.environment.name`.
 */
export const ATTR_ENVIRONMENT = 'mini_agent.environment';

/** The tool's name (string), on a tool span. */
export const ATTR_TOOL_NAME = 'mini_agent.tool.name';
/** One of {@link ToolCategories}. Unknown values are stored as `other`; the given value is kept in metadata. */
export const ATTR_TOOL_CATEGORY = 'mini_agent.tool.category';
/** The tool's arguments (JSON string, or a plain string). */
export const ATTR_TOOL_INPUT = 'mini_agent.tool.input';
/** The tool's result (JSON string, or a plain string). */
export const ATTR_TOOL_OUTPUT = 'mini_agent.tool.output';
/** Where the tool lives (string), e.g. the MCP server's name; kept in the tool row's metadata as `server`. */
export const ATTR_TOOL_SERVER = 'mini_agent.tool.server';

/** The kind of decision (string), e.g. `tool_selection`, `plan`, `stop`. */
export const ATTR_DECISION_TYPE = 'mini_agent.decision.type';
/** The options considered (JSON array string). */
export const ATTR_DECISION_OPTIONS = 'mini_agent.decision.options';
/** What was chosen (string). */
export const ATTR_DECISION_CHOSEN = 'mini_agent.decision.chosen';
/** Why it was chosen (string). */
export const ATTR_DECISION_REASONING = 'mini_agent.decision.reasoning';

/** Span event carrying one performance metric ({@link ATTR_METRIC_TYPE}, {@link ATTR_METRIC_VALUE}, {@link ATTR_METRIC_UNIT}). */
export const EVENT_METRIC = 'mini_agent.metric';
/** The metric's type: one of {@link MetricTypes} or any custom string. */
export const ATTR_METRIC_TYPE = 'mini_agent.metric.type';
/** The metric's value (number). */
export const ATTR_METRIC_VALUE = 'mini_agent.metric.value';
/** The metric's unit (string), e.g. `ms`, `By`, `%`, `{token}`. */
export const ATTR_METRIC_UNIT = 'mini_agent.metric.unit';

/** Span event carrying a decision made inside another span, with the `mini_agent.decision.*` attributes. */
export const EVENT_DECISION = 'mini_agent.decision';

/**
 * A score's own id (string): a score recorded again with the same id replaces the first, in every
 * sink. Without it the id is the carrying span's id and the event's index.
 */
export const ATTR_SCORE_ID = 'mini_agent.score.id';
/** What a score judges: `span` (default: the span the event sits on) or `session` (the whole trace). One of {@link ScoreTargets}. */
export const ATTR_SCORE_TARGET = 'mini_agent.score.target';
/** The span a score judges (16 hex), when it is not the span carrying the event. */
export const ATTR_SCORE_SPAN_ID = 'mini_agent.score.span_id';
/** One of {@link ScoreDataTypes}; inferred when absent (a value: numeric; only a label: categorical). */
export const ATTR_SCORE_DATA_TYPE = 'mini_agent.score.data_type';
/** Where a score came from: one of {@link ScoreSources}. */
export const ATTR_SCORE_SOURCE = 'mini_agent.score.source';
/** Who or what gave the score (string): a user id, a judge model, a reviewer. */
export const ATTR_SCORE_AUTHOR = 'mini_agent.score.author';

/** Values of {@link ATTR_SPAN_KIND}. */
export const SpanKinds = {
  SESSION: 'session',
  TOOL: 'tool',
  DECISION: 'decision',
  LLM: 'llm',
  STEP: 'step',
} as const;
/** A value of {@link ATTR_SPAN_KIND}. */
export type SpanKind = (typeof SpanKinds)[keyof typeof SpanKinds];
/** Every span kind, in contract order. */
export const SPAN_KINDS: readonly SpanKind[] = Object.values(SpanKinds);

/** Values of {@link ATTR_TOOL_CATEGORY}. */
export const ToolCategories = {
  CORE: 'core',
  FILE: 'file',
  MCP: 'mcp',
  DOCUMENT: 'document',
  SKILL: 'skill',
  OTHER: 'other',
} as const;
/** A value of {@link ATTR_TOOL_CATEGORY}. */
export type ToolCategory = (typeof ToolCategories)[keyof typeof ToolCategories];
/** Every tool category, in contract order. */
export const TOOL_CATEGORIES: readonly ToolCategory[] = Object.values(ToolCategories);

/** Well-known values of {@link ATTR_METRIC_TYPE}; any other string is a custom metric. */
export const MetricTypes = {
  MEMORY: 'memory',
  CPU: 'cpu',
  LATENCY: 'latency',
  TOKENS: 'tokens',
} as const;
/** A well-known metric type, or any custom string. */
export type MetricType = (typeof MetricTypes)[keyof typeof MetricTypes] | (string & {});

/** Values of {@link ATTR_SCORE_DATA_TYPE}. `boolean` scores have the value 0 or 1. */
export const ScoreDataTypes = {
  NUMERIC: 'numeric',
  CATEGORICAL: 'categorical',
  BOOLEAN: 'boolean',
} as const;
/** A value of {@link ATTR_SCORE_DATA_TYPE}. */
export type ScoreDataType = (typeof ScoreDataTypes)[keyof typeof ScoreDataTypes];

/** Values of {@link ATTR_SCORE_SOURCE}: an evaluation event or judge, an API call (`recordScore`, the CLI), a human annotation. */
export const ScoreSources = {
  EVALUATION: 'evaluation',
  API: 'api',
  ANNOTATION: 'annotation',
} as const;
/** A value of {@link ATTR_SCORE_SOURCE}. */
export type ScoreSource = (typeof ScoreSources)[keyof typeof ScoreSources];

/** Values of {@link ATTR_SCORE_TARGET}. */
export const ScoreTargets = {
  SPAN: 'span',
  SESSION: 'session',
} as const;
/** A value of {@link ATTR_SCORE_TARGET}. */
export type ScoreTarget = (typeof ScoreTargets)[keyof typeof ScoreTargets];

/** A test for "one of the values of this enum object", for the score enums. */
const valueOf =
  <E extends Record<string, string>>(values: E) =>
  (value: unknown): value is E[keyof E] =>
    typeof value === 'string' && (Object.values(values) as string[]).includes(value);

/** True when `value` is one of {@link ScoreDataTypes}. */
export const isScoreDataType: (value: unknown) => value is ScoreDataType = valueOf(ScoreDataTypes);

/** True when `value` is one of {@link ScoreSources}. */
export const isScoreSource: (value: unknown) => value is ScoreSource = valueOf(ScoreSources);

/** True when `value` is one of {@link SPAN_KINDS}. */
export function isSpanKind(value: unknown): value is SpanKind {
  return typeof value === 'string' && (SPAN_KINDS as readonly string[]).includes(value);
}

/** True when `value` is one of {@link TOOL_CATEGORIES}. */
export function isToolCategory(value: unknown): value is ToolCategory {
  return typeof value === 'string' && (TOOL_CATEGORIES as readonly string[]).includes(value);
}

export { GenAiAttributes, GenAiEvents, GenAiOperations } from './gen-ai.js';
export { McpAttributes, McpMethods } from './mcp.js';
export { LangfuseAttributes, LangfuseObservationTypes, LangfuseUsageKeys } from './langfuse.js';
export { OpenInferenceAttributes, OpenInferenceSpanKinds } from './openinference.js';
export { VercelAiAttributes, VercelAiMetadataKeys, VercelAiOperations } from './vercel-ai.js';
export { OpenLlmetryAttributes, OpenLlmetryAssociationKeys, OpenLlmetrySpanKinds } from './openllmetry.js';
export { semconvSpec, type SemconvSpec } from './spec.js';
