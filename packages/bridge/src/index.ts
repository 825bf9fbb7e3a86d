/**
 * `createBridge()`: an OTLP/HTTP trace receiver that feeds spans from any process and any language
 * — usually through an OpenTelemetry Collector — into the mini-agent exporters.
 *
 * @packageDocumentation
 */
export { createBridge, type Bridge } from './bridge.js';
export type { BridgeHealth, BridgeStats } from './bridge-state.js';
export { groupHealth, type BridgeGroupHealth, type WorkerHealth, type WorkerReport } from './group-health.js';
export { DEFAULT_BRIDGE_PORT, TOKEN_ENV, TRACES_PATH, type BridgeOptions } from './bridge-options.js';
export { decodeTraceRequest, type DecodeOptions } from './decode.js';
export type { DecodedTraceRequest } from './read-request.js';
export { OtlpRequestError } from './errors.js';
export { OtlpSpan } from './otlp-span.js';
export type { OtlpValue } from './attributes.js';
export type { SpanQueueStats } from './span-queue.js';
