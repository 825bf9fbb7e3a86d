import { costDetails } from './cost-details.js';
import {
  jsonText,
  type AgentRecord,
  type DecisionRecord,
  type GenerationRecord,
  type JsonObject,
  type JsonValue,
  type MetricRecord,
  type SpanRecord,
  type TokenUsage,
  type ToolExecutionRecord,
  type TraceRecord,
} from '@mini-agent/core';
import { EVENT_DECISION, EVENT_METRIC } from '@mini-agent/semconv';
import { derivedObservationId } from './ids.js';
import { truncateJson } from './limits.js';
import { MetadataKeys as M } from './metadata-keys.js';
import type { LangfuseBatch, LangfuseObservation, LangfuseTrace, ObservationType, OtelOrigin } from './model.js';

/** Settings that override what the records say. */
export interface MappingOptions {
  /** Overrides every record's environment (from `LANGFUSE_TRACING_ENVIRONMENT`). */
  readonly environment?: string | undefined;
  /** Overrides the agent version as the Langfuse release (from `LANGFUSE_RELEASE`). */
  readonly release?: string | undefined;
}

/** Span attributes and event attributes are context, not payload: each value is kept this short in metadata. */
const METADATA_VALUE_MAX_BYTES = 2048;

/** Everything the records of one span say. */
interface SpanGroup {
  span?: SpanRecord;
  trace?: TraceRecord;
  tool?: ToolExecutionRecord;
  generation?: GenerationRecord;
  decisions: DecisionRecord[];
  metrics: MetricRecord[];
}

/**
 * Maps records to Langfuse traces and observations. Pure, and the one place the mapping is
 * defined: both transports send what this returns. One OTel trace is one Langfuse trace (id =
 * trace id); one span is one observation (id = span id, parent = parent span id); a decision
 * recorded as an event inside a span is an extra `event` observation under it.
 */
export function mapRecords(records: readonly AgentRecord[], options: MappingOptions = {}): LangfuseBatch {
  const groups = groupBySpan(records);
  const sessions = sessionsByTrace(records);
  const traces: LangfuseTrace[] = [];
  const observations: LangfuseObservation[] = [];

  for (const group of groups.values()) {
    const trace = group.trace;
    const context = traceContext(group, sessions, options);
    if (trace?.complete) traces.push(toTrace(trace, context));
    const host = toObservation(group, context);
    if (host) observations.push(host);
    for (const decision of group.decisions) {
      if (decision.id !== decision.spanId) observations.push(toDecisionEvent(decision, host, context));
    }
  }
  return { traces, observations };
}

/**
 * The trace-level fields of a span's observation. The session span of the trace speaks for it
 * when it is in the batch; otherwise the span's own record, which carries the session's fields
 * when they were propagated to it in process. So every observation of one trace gets one release
 * and one version (the agent's; `service.version` only when no agent version is known anywhere).
 */
interface TraceContext {
  readonly sessionId: string | null;
  readonly userId: string | null;
  readonly traceName: string | null;
  readonly tags: readonly string[];
  readonly version: string | null;
  readonly release: string | null;
  readonly environment: string | null;
}

function traceContext(group: SpanGroup, sessions: Map<string, TraceRecord>, options: MappingOptions): TraceContext {
  const own = group.trace;
  const traceId = own?.traceId ?? group.span?.traceId ?? group.tool?.traceId ?? group.generation?.traceId ?? '';
  const session = own?.complete ? own : (sessions.get(traceId) ?? own);
  const version = session?.agentVersion ?? own?.agentVersion ?? null;
  const tags = session?.tags.length ? session.tags : (own?.tags ?? []);
  return {
    sessionId: session?.sessionId ?? own?.sessionId ?? null,
    userId: session?.userId ?? own?.userId ?? null,
    traceName: session?.name ?? own?.name ?? null,
    tags,
    version,
    release: options.release ?? version,
    environment: langfuseEnvironment(options.environment ?? session?.environment ?? own?.environment),
  };
}

/** Langfuse accepts environments matching `^(?!langfuse)[a-z0-9-_]+$`, at most 40 characters; others fail the event. */
export function langfuseEnvironment(value: string | null | undefined): string | null {
  if (!value) return null;
  let env = value.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
  if (env.startsWith('langfuse')) env = `env-${env}`;
  env = env.slice(0, 40);
  return env === '' ? null : env;
}

function groupBySpan(records: readonly AgentRecord[]): Map<string, SpanGroup> {
  const groups = new Map<string, SpanGroup>();
  let last: SpanGroup | undefined;
  let lastTraceId: string | undefined;
  let lastSpanId: string | undefined;
  for (const record of records) {
    // A span's records come one after another: the previous record's group is found without a key.
    let group = record.spanId === lastSpanId && record.traceId === lastTraceId ? last : undefined;
    if (!group) {
      const key = `${record.traceId}/${record.spanId}`;
      group = groups.get(key);
      if (!group) groups.set(key, (group = { decisions: [], metrics: [] }));
      last = group;
      lastTraceId = record.traceId;
      lastSpanId = record.spanId;
    }
    switch (record.type) {
      case 'span': group.span = record; break;
      case 'trace': group.trace = record; break;
      case 'tool': group.tool = record; break;
      case 'generation': group.generation = record; break;
      case 'decision': group.decisions.push(record); break;
      case 'metric': group.metrics.push(record); break;
    }
  }
  return groups;
}

/** Per trace, the session span's record in the batch (the last one, when a trace holds nested sessions). */
function sessionsByTrace(records: readonly AgentRecord[]): Map<string, TraceRecord> {
  const sessions = new Map<string, TraceRecord>();
  for (const record of records) if (record.type === 'trace' && record.complete) sessions.set(record.traceId, record);
  return sessions;
}

function toTrace(trace: TraceRecord, context: TraceContext): LangfuseTrace {
  const metadata: JsonObject = {};
  if (trace.agentName) metadata[M.AGENT_NAME] = trace.agentName;
  if (trace.agentVersion) metadata[M.AGENT_VERSION] = trace.agentVersion;
  if (trace.userContext !== null) metadata[M.USER_CONTEXT] = trace.userContext;
  if (trace.status !== 'unset') metadata[M.SESSION_STATUS] = trace.status;
  if (trace.statusMessage) metadata[M.SESSION_STATUS_MESSAGE] = trace.statusMessage;
  if (Object.keys(trace.resource).length > 0) metadata[M.RESOURCE] = capValues(trace.resource);
  return {
    id: trace.traceId,
    spanId: trace.spanId,
    timestamp: trace.startTime,
    name: trace.name,
    sessionId: trace.sessionId,
    userId: trace.userId,
    release: context.release,
    version: context.version,
    environment: context.environment,
    input: trace.input,
    output: trace.output,
    tags: trace.tags,
    metadata,
  };
}

function observationType(group: SpanGroup): ObservationType {
  if (group.tool) return 'tool';
  if (group.generation) return 'generation';
  if (group.span?.kind === 'session' || group.trace?.complete) return 'agent';
  if (group.decisions.some((d) => d.id === d.spanId) || group.span?.kind === 'decision') return decisionType(group.span);
  return 'span';
}

/**
 * A decision that took time (a decision span with a duration Langfuse can show, at its
 * millisecond precision) is a `span`, which keeps its end; a Langfuse `event` is a point in time
 * and loses it. Decisions recorded as span events stay events.
 */
function decisionType(span: SpanRecord | undefined): ObservationType {
  return span && span.endTime.getTime() > span.startTime.getTime() ? 'span' : 'event';
}

function toObservation(group: SpanGroup, context: TraceContext): LangfuseObservation | undefined {
  const { span, tool, generation, trace } = group;
  const decision = group.decisions.find((d) => d.id === d.spanId);
  const timed = span ?? tool ?? generation;
  if (!timed) return undefined; // metrics or decision events alone: no span to hang them on (interpret always sends one)
  const type = observationType(group);
  const failed = span?.status === 'error' || tool?.success === false || generation?.success === false;
  const io = inputOutput(type, group, decision);
  const metadata = baseMetadata(span, io);
  if (group.metrics.length > 0) metadata[M.METRICS] = group.metrics.map(metricEntry);
  if (tool) Object.assign(metadata, toolMetadata(tool));
  if (generation?.provider) metadata[M.PROVIDER] = generation.provider;
  if (decision) Object.assign(metadata, decisionMetadata(decision));
  if (type === 'agent' && trace?.agentName) metadata[M.AGENT_NAME] = trace.agentName;
  return {
    id: timed.spanId,
    traceId: timed.traceId,
    sourceSpanId: timed.spanId,
    parentObservationId: span?.parentSpanId ?? tool?.parentSpanId ?? generation?.parentSpanId ?? null,
    type,
    // A tool is named by the tool, as Langfuse's own SDKs name it, not by its span (`execute_tool run_tests`).
    name: tool ? tool.toolName : (span?.name ?? generation?.name ?? 'span'),
    startTime: timed.startTime,
    endTime: timed.endTime,
    completionStartTime: generation?.completionStartTime ?? null,
    input: io.input,
    output: io.output,
    metadata,
    level: failed ? 'ERROR' : 'DEFAULT',
    statusMessage: failed ? (span?.statusMessage ?? tool?.errorMessage ?? generation?.errorMessage ?? null) : (span?.statusMessage ?? null),
    model: generation?.model ?? null,
    modelParameters: generation ? modelParameters(generation.modelParameters) : null,
    usageDetails: generation ? usageDetails(generation.usage) : null,
    costDetails: generation ? costDetails(generation) : null,
    // Field by field, not `...context`: a spread in a literal takes V8's slow path.
    sessionId: context.sessionId,
    userId: context.userId,
    traceName: context.traceName,
    tags: context.tags,
    version: context.version,
    release: context.release,
    environment: context.environment,
    otel: origin(span, failed),
  };
}

function inputOutput(type: ObservationType, group: SpanGroup, decision: DecisionRecord | undefined): { input: JsonValue | null; output: JsonValue | null } {
  if (group.tool) return { input: group.tool.input, output: group.tool.output };
  if (group.generation) return { input: group.generation.input, output: group.generation.output };
  if (type === 'agent' && group.trace) return { input: group.trace.input, output: group.trace.output };
  if (decision) return { input: decision.options, output: decision.chosen };
  return { input: null, output: null };
}

function toDecisionEvent(decision: DecisionRecord, host: LangfuseObservation | undefined, context: TraceContext): LangfuseObservation {
  return {
    id: derivedObservationId(decision.id),
    traceId: decision.traceId,
    sourceSpanId: decision.spanId,
    parentObservationId: decision.spanId,
    type: 'event',
    name: decision.decisionType,
    startTime: decision.decidedAt,
    endTime: decision.decidedAt,
    completionStartTime: null,
    input: decision.options,
    output: decision.chosen,
    metadata: decisionMetadata(decision),
    level: 'DEFAULT',
    statusMessage: null,
    model: null,
    modelParameters: null,
    usageDetails: null,
    costDetails: null,
    sessionId: context.sessionId,
    userId: context.userId,
    traceName: context.traceName,
    tags: context.tags,
    version: context.version,
    release: context.release,
    environment: context.environment,
    otel: { kind: 'internal', status: 'unset', statusMessage: null, resource: host?.otel.resource ?? {} },
  };
}

function baseMetadata(span: SpanRecord | undefined, io: { input: JsonValue | null; output: JsonValue | null }): JsonObject {
  if (!span) return {};
  const metadata: JsonObject = { [M.SPAN_KIND]: span.kind, [M.OTEL_KIND]: span.otelKind, [M.DURATION_MS]: span.durationMs };
  if (span.scope.name) metadata[M.SCOPE] = { name: span.scope.name, version: span.scope.version };
  const attributes = metadataAttributes(span.attributes, io);
  if (attributes) metadata[M.ATTRIBUTES] = attributes;
  // Metric and decision events are mapped on their own; other events (exceptions, …) are kept as they came.
  const events = span.events.filter((e) => e.name !== EVENT_METRIC && e.name !== EVENT_DECISION);
  if (events.length > 0) metadata[M.EVENTS] = events.map((e) => ({ name: e.name, time: e.time.toISOString(), attributes: capValues(e.attributes) }));
  if (span.links.length > 0) metadata[M.LINKS] = span.links.map((l) => ({ traceId: l.traceId, spanId: l.spanId, attributes: capValues(l.attributes) }));
  return metadata;
}

/**
 * The span's attributes less those whose text is, word for word, the observation's input or
 * output (a tool's `mini_agent.tool.input`, an LLM call's `gen_ai.input.messages`, …), each value
 * capped; `undefined` when none is left. Langfuse shows those as the input and output; repeated in
 * metadata they doubled every request's bytes and its serializing CPU. Anything not identical
 * (other formatting, a flattened message list) stays, so nothing is lost. One pass, no copy
 * deleted from: `delete` turned every tool span's copy into a slow dictionary-mode object.
 */
function metadataAttributes(attributes: JsonObject, io: { input: JsonValue | null; output: JsonValue | null }): JsonObject | undefined {
  const input = io.input === null ? undefined : typeof io.input === 'string' ? io.input : jsonText(io.input);
  const output = io.output === null ? undefined : typeof io.output === 'string' ? io.output : jsonText(io.output);
  let out: JsonObject | undefined;
  for (const key in attributes) {
    const value = attributes[key] as JsonValue;
    if (typeof value === 'string' && (value === input || value === output)) continue;
    (out ??= {})[key] = capValue(value);
  }
  return out;
}

function decisionMetadata(decision: DecisionRecord): JsonObject {
  const metadata: JsonObject = { [M.DECISION_TYPE]: decision.decisionType };
  if (decision.reasoning !== null) metadata[M.DECISION_REASONING] = decision.reasoning;
  return metadata;
}

/** The tool's name and category, and its other facts (`server`, `category_given`, …) under the tool prefix. */
function toolMetadata(tool: ToolExecutionRecord): JsonObject {
  const metadata: JsonObject = { [M.TOOL_NAME]: tool.toolName, [M.TOOL_CATEGORY]: tool.category };
  for (const [key, value] of Object.entries(tool.metadata)) metadata[`${M.TOOL_PREFIX}${key}`] = value;
  return metadata;
}

function metricEntry(metric: MetricRecord): JsonObject {
  return { type: metric.metricType, value: metric.value, unit: metric.unit, recordedAt: metric.recordedAt.toISOString(), ...metric.metadata };
}

function origin(span: SpanRecord | undefined, failed: boolean): OtelOrigin {
  if (!span) return { kind: 'internal', status: failed ? 'error' : 'unset', statusMessage: null, resource: {} };
  return { kind: span.otelKind, status: span.status, statusMessage: span.statusMessage, resource: span.resource };
}

/**
 * Langfuse's usage keys (`input`, `output`, `total`, `input_cached_tokens`, `input_cache_creation`,
 * `output_reasoning_tokens`), priced per key. OTel GenAI input/output counts include cached,
 * cache-creation and reasoning tokens, so those are taken out of `input`/`output` as Langfuse's
 * own OTel processing does, or they would be priced twice.
 */
export function usageDetails(usage: TokenUsage): Record<string, number> | null {
  const count = (n: number | null) => (n !== null && Number.isFinite(n) && n >= 0 ? Math.round(n) : null);
  const input = count(usage.input);
  const output = count(usage.output);
  const total = count(usage.total);
  const cached = count(usage.cached);
  const cacheCreation = count(usage.cacheCreation);
  const reasoning = count(usage.reasoning);
  const details: Record<string, number> = {};
  if (input !== null) details.input = Math.max(input - (cached ?? 0) - (cacheCreation ?? 0), 0);
  if (output !== null) details.output = Math.max(output - (reasoning ?? 0), 0);
  if (total !== null) details.total = total;
  else if (input !== null && output !== null) details.total = input + output;
  if (cached !== null) details.input_cached_tokens = cached;
  if (cacheCreation !== null) details.input_cache_creation = cacheCreation;
  if (reasoning !== null) details.output_reasoning_tokens = reasoning;
  return Object.keys(details).length > 0 ? details : null;
}

/** Model parameters as Langfuse stores them: scalar values, anything else as JSON text. */
function modelParameters(parameters: JsonObject): Record<string, string | number | boolean> | null {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(parameters)) {
    if (value === null) continue;
    out[key] = typeof value === 'object' ? JSON.stringify(value) : value;
  }
  return Object.keys(out).length > 0 ? out : null;
}

function capValues(values: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const key in values) out[key] = capValue(values[key] as JsonValue);
  return out;
}

/** A metadata value within {@link METADATA_VALUE_MAX_BYTES}; scalars and short strings need no measuring. */
function capValue(value: JsonValue): JsonValue {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'string' && value.length * 3 <= METADATA_VALUE_MAX_BYTES) return value;
  return truncateJson(value, METADATA_VALUE_MAX_BYTES).value as JsonValue;
}
