import { diag } from '@opentelemetry/api';
import type { RecordSink } from '@mini-agent/core';
import { createLangfuseSink, langfuseConfigFromEnv, type LangfuseOptions } from '@mini-agent/exporter-langfuse';
import { createPostgresSink, type PostgresSinkOptions } from '@mini-agent/exporter-postgres';

/** Which sinks to attach; each is read from the environment when not given (DESIGN section 7). */
export interface SinkOptions {
  /**
   * Postgres / Supabase rows. Default: `DATABASE_URL` or `SUPABASE_DB_URL`, else the embedded
   * PGlite database at `.mini-agent/pglite`. `false`: no database at all.
   */
  readonly postgres?: PostgresSinkOptions | false;
  /** Langfuse. Default: on when `LANGFUSE_PUBLIC_KEY` and `LANGFUSE_SECRET_KEY` are set. `false`: off. */
  readonly langfuse?: LangfuseOptions | false;
  /** Your own sinks, added to the ones above. */
  readonly sinks?: readonly RecordSink[];
}

/** The sinks to attach, plus the ones with a readiness promise (a database connecting and migrating). */
export interface ConfiguredSinks {
  readonly sinks: RecordSink[];
  readonly ready: Promise<void>[];
}

/** Builds the configured sinks. */
export function configuredSinks(options: SinkOptions, env: NodeJS.ProcessEnv = process.env): ConfiguredSinks {
  const sinks: RecordSink[] = [];
  const ready: Promise<void>[] = [];
  if (options.postgres !== false) {
    // The sink itself falls back to DATABASE_URL / SUPABASE_DB_URL, then to the embedded PGlite.
    const sink = createPostgresSink(options.postgres ?? {});
    sinks.push(sink);
    ready.push(sink.ready);
  }
  const langfuse = langfuseSink(options.langfuse, env);
  if (langfuse) sinks.push(langfuse);
  sinks.push(...(options.sinks ?? []));
  return { sinks, ready };
}

function langfuseSink(option: LangfuseOptions | false | undefined, env: NodeJS.ProcessEnv): RecordSink | undefined {
  if (option === false) return undefined;
  if (option) return createOrWarn(option);
  const fromEnv = langfuseConfigFromEnv(env);
  if (fromEnv.config) return createOrWarn(fromEnv.config);
  warnLangfuseOff(fromEnv.reason, env);
  return undefined;
}

/** A Langfuse configuration that is wrong (no keys, a bad URL) leaves the agent running without Langfuse, loudly. */
function createOrWarn(options: LangfuseOptions): RecordSink | undefined {
  try {
    return createLangfuseSink(options);
  } catch (error) {
    console.warn(`@mini-agent/otel: Langfuse is not attached: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

/**
 * Langfuse is optional, so a machine without any Langfuse key only hears about it through
 * OTel's diag logger; one with half a configuration (a key without its partner) most likely
 * meant to use it, and gets a console warning it cannot miss.
 */
function warnLangfuseOff(reason: string, env: NodeJS.ProcessEnv): void {
  const message = `@mini-agent/otel: Langfuse is not attached: ${reason}`;
  const halfConfigured = Boolean(env.LANGFUSE_PUBLIC_KEY || env.LANGFUSE_SECRET_KEY);
  if (halfConfigured) console.warn(message);
  else diag.warn(message);
}
