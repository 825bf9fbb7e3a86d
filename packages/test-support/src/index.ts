export { createTestDatabase, hasPostgres, postgresAdminUrl, type TestDatabase } from './databases.js';
export { recordPostgresSkip } from './postgres-skips.js';
export { findPostgresBinaries, freePort, startThrowawayPostgres, type ThrowawayPostgres } from './throwaway-postgres.js';
export { globalTracer, recordSpans } from './spans.js';
export { createTestPglite } from './pglite.js';
export {
  DEFAULT_LANGFUSE_OPENAPI_PATH,
  LANGFUSE_OPENAPI_ENV,
  langfuseIngestionValidator,
  langfuseOpenApiPath,
  SERVER_ONLY_OBSERVATION_EVENT_TYPES,
  type IngestionEventValidator,
  type IngestionEventVerdict,
} from './langfuse-openapi.js';
export type { IngestionEventLike, StoredObservation, StoredTrace } from './langfuse-store.js';
export {
  startLangfuseTestServer,
  type LangfuseEndpoint,
  type LangfuseFault,
  type LangfuseTestServer,
  type LangfuseTestServerOptions,
  type ReceivedRequest,
} from './langfuse-test-server.js';
export {
  decodeOtlpTraceRequest,
  OtlpDecodeError,
  type DecodedOtlpSpan,
  type OtlpAttributes,
  type OtlpAttributeValue,
  type OtlpBodyFormat,
} from './otlp-decode.js';
export { buildWorkspacePackage, REPO_ROOT } from './build.js';
export { hostileSpans, seeded, type HostileCorpus } from './hostile-spans.js';
