import { CliError, ExitCode } from './command.js';

/**
 * Runs a `util.parseArgs` call and turns its errors into a usage error the user can act on.
 * Node's own parser is enough here: each command has a handful of flags, and it saves a
 * dependency in a tool people install to try things out.
 *
 * @example
 * ```ts
 * const { values } = parsedOrUsageError('demo', () => parseArgs({ args, options: { 'data-dir': { type: 'string' } } }));
 * ```
 */
export function parsedOrUsageError<T>(command: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new CliError(`${message.replace(/\.$/, '')}. See: mini-agent-otel ${command} --help`, ExitCode.USAGE);
  }
}
