import type { SpanFilterOption } from '@mini-agent/core';
import type { RetryPolicy } from './retry.js';

/**
 * `otlp`: Langfuse's OpenTelemetry endpoint (Langfuse Cloud, self-hosted v3 and v4). `ingestion`:
 * the legacy batch API, for self-hosted v2 and v3 servers (Cloud no longer serves it, v4 refuses it).
 */
export type LangfuseTransport = 'otlp' | 'ingestion';

/** Which part of an observation or trace a {@link MaskFunction} is looking at. */
export type MaskedField = 'input' | 'output' | 'metadata';

/**
 * Rewrites a value before it leaves the process (after the default secret redaction of
 * `@mini-agent/core`). Synchronous; if it throws, the value is replaced by a marker, never sent as is.
 *
 * @example
 * ```ts
 * const mask: MaskFunction = ({ data }) => JSON.parse(JSON.stringify(data).replace(/\d{16}/g, '[card]'));
 * ```
 */
export type MaskFunction = (params: { data: unknown; field: MaskedField }) => unknown;

/** Options of {@link createLangfuseSink} and `LangfuseExporter`. Every one defaults from the environment or a constant. */
export interface LangfuseOptions {
  /** `LANGFUSE_PUBLIC_KEY`. */
  readonly publicKey?: string;
  /** `LANGFUSE_SECRET_KEY`. */
  readonly secretKey?: string;
  /** `LANGFUSE_BASE_URL` (or `LANGFUSE_BASEURL`), default `https://cloud.langfuse.com` (EU). */
  readonly baseUrl?: string;
  /** `LANGFUSE_TRANSPORT`, default `otlp`. Use `ingestion` for Langfuse v2 servers, which have no OpenTelemetry endpoint. */
  readonly transport?: LangfuseTransport;
  /** `LANGFUSE_TRACING_ENVIRONMENT`; else the span's `deployment.environment.name`. */
  readonly environment?: string;
  /** `LANGFUSE_RELEASE`; else the agent version of the session. */
  readonly release?: string;
  /** Applied to every input, output and metadata before sending. */
  readonly mask?: MaskFunction;
  /** Largest single field (input, output, metadata, status message) in UTF-8 bytes; longer ones are truncated with a marker. Default 1 MB. */
  readonly maxFieldBytes?: number;
  /** `ingestion` only: send agents and tools as `span-create` (v2 servers before the agent/tool types). Default false. */
  readonly legacyObservationTypes?: boolean;
  /** Timeout of one HTTP request. Default 10 s. */
  readonly timeoutMillis?: number;
  /** How failed deliveries are retried. */
  readonly retry?: Partial<RetryPolicy>;
  /**
   * Which spans become observations. Default `agent`: HTTP and database spans, other
   * OpenTelemetry auto-instrumentations' spans and a model call's duplicate report are left
   * out, and their kept descendants are attached to the nearest kept ancestor. `ai-only` keeps
   * only what a convention recognized (sessions, tools, LLM calls, decisions, steps) and AI
   * instrumentations' spans; `all` sends every span; a function decides per span record.
   */
  readonly filter?: SpanFilterOption;
}

/** {@link LangfuseOptions} with every default applied. */
export interface ResolvedLangfuseOptions {
  readonly publicKey: string;
  readonly secretKey: string;
  readonly baseUrl: string;
  readonly transport: LangfuseTransport;
  readonly environment: string | undefined;
  readonly release: string | undefined;
  readonly mask: MaskFunction | undefined;
  readonly maxFieldBytes: number;
  readonly legacyObservationTypes: boolean;
  readonly timeoutMillis: number;
  readonly retry: Partial<RetryPolicy>;
}

/** Langfuse Cloud, EU region: the default of Langfuse's own SDKs. */
export const DEFAULT_LANGFUSE_BASE_URL = 'https://cloud.langfuse.com';
/** Default {@link LangfuseOptions.maxFieldBytes}. */
export const DEFAULT_MAX_FIELD_BYTES = 1_000_000;
const DEFAULT_TIMEOUT_MILLIS = 10_000;

/** Thrown by {@link resolveLangfuseOptions} when keys are missing or the base URL is not a URL. */
export class LangfuseConfigError extends Error {
  override readonly name = 'LangfuseConfigError';
}

/**
 * Applies defaults: options first, then the environment, then constants.
 * @throws {@link LangfuseConfigError} when a key is missing or the base URL is invalid.
 */
export function resolveLangfuseOptions(options: LangfuseOptions = {}, env: NodeJS.ProcessEnv = process.env): ResolvedLangfuseOptions {
  const publicKey = options.publicKey ?? nonEmpty(env.LANGFUSE_PUBLIC_KEY);
  const secretKey = options.secretKey ?? nonEmpty(env.LANGFUSE_SECRET_KEY);
  const problem = missingKeys(publicKey, secretKey);
  if (problem) throw new LangfuseConfigError(`Langfuse is not configured: ${problem}`);
  const baseUrl = options.baseUrl ?? nonEmpty(env.LANGFUSE_BASE_URL) ?? nonEmpty(env.LANGFUSE_BASEURL) ?? DEFAULT_LANGFUSE_BASE_URL;
  if (!isHttpUrl(baseUrl)) throw new LangfuseConfigError(`Langfuse base URL is not an http(s) URL: ${baseUrl}`);
  const transport = options.transport ?? transportFromEnv(env);
  if (transport === null) throw new LangfuseConfigError(`LANGFUSE_TRANSPORT must be 'otlp' or 'ingestion', got ${JSON.stringify(env.LANGFUSE_TRANSPORT)}`);
  if (!isLangfuseTransport(transport)) throw new LangfuseConfigError(`transport must be 'otlp' or 'ingestion', got ${JSON.stringify(transport)}`);
  const maxFieldBytes = options.maxFieldBytes ?? DEFAULT_MAX_FIELD_BYTES;
  if (!(maxFieldBytes >= 1024)) throw new LangfuseConfigError(`maxFieldBytes must be at least 1024, got ${maxFieldBytes}`);
  return {
    publicKey: publicKey as string,
    secretKey: secretKey as string,
    baseUrl: baseUrl.replace(/\/+$/, ''),
    transport,
    environment: options.environment ?? nonEmpty(env.LANGFUSE_TRACING_ENVIRONMENT),
    release: options.release ?? nonEmpty(env.LANGFUSE_RELEASE),
    mask: options.mask,
    maxFieldBytes,
    legacyObservationTypes: options.legacyObservationTypes ?? false,
    timeoutMillis: options.timeoutMillis ?? DEFAULT_TIMEOUT_MILLIS,
    retry: options.retry ?? {},
  };
}

/** What {@link langfuseConfigFromEnv} found: options to pass on, or why Langfuse stays off. */
export type LangfuseEnvConfig = { readonly config: LangfuseOptions; readonly reason: null } | { readonly config: null; readonly reason: string };

/**
 * Reads the Langfuse settings from the environment. Returns `config: null` and a reason (naming the
 * variables, never their values) when the keys are missing or the base URL is invalid, so a caller
 * can warn once and run without Langfuse.
 *
 * @example
 * ```ts
 * const { config, reason } = langfuseConfigFromEnv();
 * if (config) sinks.push(createLangfuseSink(config)); else console.warn(reason);
 * ```
 */
export function langfuseConfigFromEnv(env: NodeJS.ProcessEnv = process.env): LangfuseEnvConfig {
  const publicKey = nonEmpty(env.LANGFUSE_PUBLIC_KEY);
  const secretKey = nonEmpty(env.LANGFUSE_SECRET_KEY);
  const problem = missingKeys(publicKey, secretKey);
  if (problem) return { config: null, reason: problem };
  const baseUrl = nonEmpty(env.LANGFUSE_BASE_URL) ?? nonEmpty(env.LANGFUSE_BASEURL) ?? DEFAULT_LANGFUSE_BASE_URL;
  if (!isHttpUrl(baseUrl)) return { config: null, reason: 'LANGFUSE_BASE_URL is not an http(s) URL' };
  const transport = transportFromEnv(env);
  if (transport === null) return { config: null, reason: "LANGFUSE_TRANSPORT is neither 'otlp' nor 'ingestion'" };
  const environment = nonEmpty(env.LANGFUSE_TRACING_ENVIRONMENT);
  const release = nonEmpty(env.LANGFUSE_RELEASE);
  return {
    config: { publicKey, secretKey, baseUrl, transport, ...(environment ? { environment } : {}), ...(release ? { release } : {}) },
    reason: null,
  };
}

/** `LANGFUSE_TRANSPORT` (any case), `otlp` when unset, `null` when it names no transport. */
function transportFromEnv(env: NodeJS.ProcessEnv): LangfuseTransport | null {
  const value = nonEmpty(env.LANGFUSE_TRANSPORT)?.toLowerCase() ?? 'otlp';
  return isLangfuseTransport(value) ? value : null;
}

/** Whether `value` names a transport (`otlp` or `ingestion`), as `LANGFUSE_TRANSPORT` and the CLI flag take it. */
export function isLangfuseTransport(value: string): value is LangfuseTransport {
  return value === 'otlp' || value === 'ingestion';
}

function missingKeys(publicKey: string | undefined, secretKey: string | undefined): string | undefined {
  if (!publicKey && !secretKey) return 'LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY are not set';
  if (!publicKey) return 'LANGFUSE_PUBLIC_KEY is not set (LANGFUSE_SECRET_KEY is)';
  if (!secretKey) return 'LANGFUSE_SECRET_KEY is not set (LANGFUSE_PUBLIC_KEY is)';
  return undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
