/**
 * Sends AI agent spans to Langfuse as traces and observations, over Langfuse's OpenTelemetry
 * endpoint (default) or its legacy batch ingestion API (v2 servers). Built on the maintained
 * `@langfuse/core` and `@langfuse/client` packages.
 *
 * @packageDocumentation
 */
export { LangfuseExporter, type LangfuseExporterOptions } from './exporter.js';
export { createLangfuseSink, type LangfuseSink, type LangfuseSinkStats } from './sink.js';
export {
  DEFAULT_LANGFUSE_BASE_URL,
  DEFAULT_MAX_FIELD_BYTES,
  LangfuseConfigError,
  langfuseConfigFromEnv,
  isLangfuseTransport,
  resolveLangfuseOptions,
  type LangfuseEnvConfig,
  type LangfuseOptions,
  type LangfuseTransport,
  type MaskedField,
  type MaskFunction,
  type ResolvedLangfuseOptions,
} from './options.js';
export { mapRecords, type MappingOptions } from './mapping.js';
export type { LangfuseBatch, LangfuseObservation, LangfuseTrace, ObservationType, OtelOrigin } from './model.js';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
export { langfuseOtlpEndpoint } from './otlp-transport.js';
export { mapScores, type LangfuseScore, type LangfuseScoreDataType, type ScoreMappingOptions } from './score-mapping.js';
export { langfuseScoresEndpoint } from './score-transport.js';
export { MASK_FAILED } from './limits.js';
