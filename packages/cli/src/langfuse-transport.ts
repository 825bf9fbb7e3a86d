import { isLangfuseTransport, langfuseConfigFromEnv, type LangfuseEnvConfig } from '@mini-agent/exporter-langfuse';
import { CliError, ExitCode } from './command.js';

/** The `--langfuse-transport` flag of the commands that send to Langfuse (`demo`, `serve`). */
export const LANGFUSE_FLAGS = {
  'langfuse-transport': { type: 'string' },
} as const;

/** Its help lines. */
export const LANGFUSE_FLAGS_HELP = `  --langfuse-transport otlp|ingestion
                      How to reach Langfuse (default: LANGFUSE_TRANSPORT, else otlp). otlp: Langfuse
                      Cloud and self-hosted v3/v4. ingestion: the legacy API of self-hosted v2/v3`;

/**
 * The Langfuse settings of the environment, with `--langfuse-transport` (when given) in place of
 * `LANGFUSE_TRANSPORT`.
 * @throws {@link CliError} (usage) for a flag value that names no transport.
 */
export function langfuseConfigWith(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): LangfuseEnvConfig {
  if (flag === undefined) return langfuseConfigFromEnv(env);
  const transport = flag.trim().toLowerCase();
  if (!isLangfuseTransport(transport)) throw new CliError(`--langfuse-transport must be otlp or ingestion, got "${flag}"`, ExitCode.USAGE);
  return langfuseConfigFromEnv({ ...env, LANGFUSE_TRANSPORT: transport });
}
