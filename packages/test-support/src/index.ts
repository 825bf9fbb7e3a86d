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
export type { IngestionEventLike, StoredObservation, StoredScore, StoredTrace } from './langfuse-store.js';
export { validateScoreBody, type ScoreBody, type ScoreDataType as LangfuseScoreDataType, type ScoreValidation } from './langfuse-server/scores-route.js';
export {
  startLangfuseTestServer,
  type LangfuseEndpoint,
  type LangfuseFault,
  type LangfuseTestServer,
  type LangfuseTestServerOptions,
  type ReceivedRequest,
} from './langfuse-test-server.js';
export { ServerAttributes as LangfuseServerAttributes, SERVER_METADATA_KEYS } from './langfuse-server/attributes.js';
export { DEFAULT_TEST_PROJECT, type LangfuseTestProject } from './langfuse-server/projects-route.js';
export { OTEL_WARN_BYTES, type LangfuseServerWarning } from './langfuse-server/otel-route.js';
export type { LangfuseDeployment, OtelWritePath, OtelWritePathReason } from './langfuse-server/write-path.js';
export {
  decodeOtlpTraceRequest,
  OtlpDecodeError,
  OtlpInvalidIdsError,
  type OtlpIdCheck,
  type DecodedOtlpSpan,
  type OtlpAttributes,
  type OtlpAttributeValue,
  type OtlpBodyFormat,
} from './otlp-decode.js';
export { buildWorkspacePackage, REPO_ROOT } from './build.js';
export { hostileSpans, seeded, type HostileCorpus } from './hostile-spans.js';
export { missingNodeReason, nodeBinary, type NodeMajor } from './node-binary.js';
export {
  ANON_CLAIMS,
  SERVICE_ROLE_CLAIMS,
  createSupabasePglite,
  startSupabaseProject,
  type AuthUser,
  type JwtClaims,
  type SupabaseProject,
  type SupabaseQuery,
  type SupabaseShapedDatabase,
} from './supabase-project.js';
export { collidingTraces, type CollidingTraces } from './colliding-spans.js';
