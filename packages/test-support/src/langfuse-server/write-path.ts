import type { IncomingHttpHeaders } from 'node:http';
import type { DecodedOtlpSpan } from '../otlp-decode.js';

/** Which Langfuse deployment the test server behaves like. */
export interface LangfuseDeployment {
  /** The server line. v3: every OTLP batch goes through the legacy conversion, shown at once; the ingestion API takes everything. */
  readonly version: 3 | 4;
  /**
   * v4's `LANGFUSE_MIGRATION_V4_WRITE_MODE`. `events_only` (v4's default): the ingestion API refuses
   * trace and observation events. `dual`: the migration bridge, the ingestion API takes them.
   */
  readonly writeMode: 'events_only' | 'dual';
  /**
   * v4's `LANGFUSE_MIGRATION_V4_NATIVE_OTEL_BEHAVIOUR`. `direct` (v4's default): every OTLP batch
   * takes the direct path. `dual_write` (only with `writeMode: 'dual'`): the path is decided per
   * request, by its headers, as Langfuse Cloud decides it.
   */
  readonly nativeOtelBehaviour: 'direct' | 'dual_write';
  /**
   * Langfuse Cloud's rule for organizations created after its v4 cut-off: a batch without the
   * header still takes the direct path, unless it looks like Langfuse SDK traffic (an SDK name
   * header, or an instrumentation scope whose name contains "langfuse").
   */
  readonly directForNewOrganizations: boolean;
}

/**
 * `direct`: written straight to v4's events table, visible at once, every observation carrying its
 * own trace-level fields. `dual`: the legacy conversion (traces and observations tables), which v4
 * copies to the events table later ("up to ~10 minutes of delay"); v3's only path.
 */
export type OtelWritePath = 'direct' | 'dual';

/** Why a batch took its path, in the words of Langfuse's `write_path` metric. */
export type OtelWritePathReason = 'direct_header' | 'direct_env' | 'direct_org_cutoff' | 'dual';

const UNKNOWN = 'unknown';

/** A Langfuse request header, in either spelling the server accepts (`x-langfuse-sdk-name`, `x_langfuse_sdk_name`). */
export function langfuseHeader(headers: IncomingHttpHeaders, name: string): string {
  const direct = headers[name];
  if (typeof direct === 'string') return direct;
  const underscore = headers[name.replaceAll('-', '_')];
  return typeof underscore === 'string' ? underscore : '';
}

/** The server's answer to an `x-langfuse-ingestion-version` above 4 or not a number; undefined when acceptable. */
export function unsupportedIngestionVersion(headers: IncomingHttpHeaders): string | undefined {
  const value = langfuseHeader(headers, 'x-langfuse-ingestion-version');
  if (!value) return undefined;
  const parsed = Number.parseInt(value, 10);
  if (!Number.isNaN(parsed) && parsed <= 4) return undefined;
  return `Unsupported x-langfuse-ingestion-version: "${value}". Maximum supported: "4".`;
}

/**
 * The path of one OTLP batch. In precedence order: the ingestion-version header (≥ 4), or a
 * Langfuse SDK new enough by its name and version headers (Python ≥ 4, JavaScript ≥ 5); the
 * deployment forcing the direct path; Cloud's new-organization rule for traffic that is not
 * Langfuse SDK traffic; else the dual path.
 */
export function otelWritePath(deployment: LangfuseDeployment, headers: IncomingHttpHeaders, spans: readonly DecodedOtlpSpan[]): { path: OtelWritePath; reason: OtelWritePathReason } {
  if (deployment.version === 3) return { path: 'dual', reason: 'dual' };
  const sdkName = langfuseHeader(headers, 'x-langfuse-sdk-name') || UNKNOWN;
  const sdkVersion = langfuseHeader(headers, 'x-langfuse-sdk-version') || UNKNOWN;
  const ingestionVersion = Number.parseInt(langfuseHeader(headers, 'x-langfuse-ingestion-version'), 10);
  if ((!Number.isNaN(ingestionVersion) && ingestionVersion >= 4) || isCurrentLangfuseSdk(sdkName, sdkVersion)) return { path: 'direct', reason: 'direct_header' };
  if (deployment.nativeOtelBehaviour === 'direct') return { path: 'direct', reason: 'direct_env' };
  const sdkTraffic = sdkName !== UNKNOWN || spans.some((span) => span.scope.name.toLowerCase().includes('langfuse'));
  if (deployment.directForNewOrganizations && !sdkTraffic) return { path: 'direct', reason: 'direct_org_cutoff' };
  return { path: 'dual', reason: 'dual' };
}

function isCurrentLangfuseSdk(name: string, version: string): boolean {
  const major = Number.parseInt(version.trim().replace(/^v/i, ''), 10);
  if (Number.isNaN(major)) return false;
  if (name === 'python') return major >= 4;
  if (name === 'javascript') return major >= 5;
  return false;
}
