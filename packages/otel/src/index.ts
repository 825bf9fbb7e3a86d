/**
 * What agent code imports: one call to set up tracing, and helpers that make sessions, tool
 * calls, decisions, metrics, scores and LLM calls one line each. The helpers use only
 * `@opentelemetry/api`, so they work under any provider, not only the one set up here.
 *
 * @example
 * ```ts
 * import { registerMiniAgentTracing, withSession, withTool } from '@mini-agent/otel';
 * const tracing = registerMiniAgentTracing({ serviceName: 'my-agent' });
 * await withSession({ name: 'answer', input: question }, () =>
 *   withTool({ name: 'read_file', category: 'file', input: { path } }, () => readFile(path, 'utf8')),
 * );
 * await tracing.shutdown();
 * ```
 *
 * @packageDocumentation
 */
export { withSession, type SessionInfo } from './session.js';
export { propagateAttributes, type PropagatedInfo } from './propagate.js';
export { withTool, type ToolCall } from './tool.js';
export { recordDecision, type Decision } from './decision.js';
export { recordMetric, type MetricInput } from './metric.js';
export { recordScore, scoreStats, type Score, type ScoreResult, type ScoreStats } from './score.js';
export { withLlmCall, type ChatMessage, type LlmCall, type LlmCallHandle } from './llm-call.js';
export { safeJsonStringify, CIRCULAR_MARKER } from './safe-json.js';
export { registerMiniAgentTracing, type MiniAgentStats, type MiniAgentTracing, type MiniAgentTracingOptions } from './register.js';
export type { ProcessorStats } from './processor-drops.js';
export type { SinkOptions } from './configured-sinks.js';
export type { ResourceOptions } from './resource.js';
export { instrumentMcpClient, type McpClientLike, type McpInstrumentationOptions } from './mcp.js';
