import type { CustomPrices, RecordSink } from '@mini-agent/core';
import { createLangfuseSink, type LangfuseEnvConfig } from '@mini-agent/exporter-langfuse';
import { createPostgresSink } from '@mini-agent/exporter-postgres';
import type { Io } from '../command.js';
import type { DatabaseTarget } from '../database-target.js';

/** The sinks of one `serve` process, the promises its readiness waits on, and how to name them. */
export interface ServeSinks {
  readonly sinks: RecordSink[];
  readonly ready: Promise<void>[];
  readonly described: string[];
}

/** Postgres (URL or PGlite) always; Langfuse when its keys are set (`langfuse` undefined: `--no-langfuse`). */
export function sinksFor(
  target: DatabaseTarget,
  postgresOptions: { migrate?: false; prices?: CustomPrices },
  langfuse: LangfuseEnvConfig | undefined,
  io: Io,
): ServeSinks {
  const postgres = createPostgresSink({ ...(target.kind === 'url' ? { databaseUrl: target.url } : { dataDir: target.dataDir }), ...postgresOptions });
  const sinks: RecordSink[] = [postgres];
  const described = [`postgres (${target.label})`];
  if (langfuse) {
    if (langfuse.config) {
      try {
        sinks.push(createLangfuseSink(langfuse.config));
        described.push(`langfuse (${langfuse.config.baseUrl}, ${langfuse.config.transport ?? 'otlp'})`);
      } catch (error) {
        io.err(`warning: Langfuse is not attached: ${error instanceof Error ? error.message : String(error)}`);
      }
    } else if (process.env.LANGFUSE_PUBLIC_KEY || process.env.LANGFUSE_SECRET_KEY) {
      io.err(`warning: Langfuse is not attached: ${langfuse.reason}`);
    }
  }
  return { sinks, ready: [postgres.ready], described };
}
