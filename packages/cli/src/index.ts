/**
 * The `mini-agent-otel` command line, callable from code as well.
 *
 * @example
 * ```ts
 * import { main } from 'mini-agent-otel';
 * const exitCode = await main(['migrate', '--database-url', process.env.DATABASE_URL!]);
 * ```
 *
 * @packageDocumentation
 */
export { main } from './main.js';
export { CliError, ExitCode, type Command, type CommandEntry, type Io } from './command.js';
export { COMMANDS } from './commands/index.js';
