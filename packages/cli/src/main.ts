import { CliError, ExitCode, processIo, type Command, type CommandEntry, type Io } from './command.js';
import { COMMANDS } from './commands/index.js';
import { cliVersion } from './version.js';

function usage(commands: readonly CommandEntry[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'mini-agent-otel: OpenTelemetry observability for AI agents',
    '',
    'Usage: mini-agent-otel <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    '  -h, --help     Show help (also: mini-agent-otel <command> --help)',
    '  -v, --version  Print the version',
    '',
    'Environment: DATABASE_URL or SUPABASE_DB_URL (else an embedded PGlite database in',
    '.mini-agent/pglite), LANGFUSE_PUBLIC_KEY / LANGFUSE_SECRET_KEY / LANGFUSE_BASE_URL,',
    'OTEL_EXPORTER_OTLP_ENDPOINT.',
  ].join('\n');
}

/**
 * Runs the command line `args` (without `node` and the script) and resolves with the exit code.
 * Errors meant for the user print as one line; nothing here calls `process.exit`, so the
 * process ends once telemetry and connections are closed. `commands` defaults to the CLI's own.
 */
export async function main(args: readonly string[], io: Io = processIo, commands: readonly CommandEntry[] = COMMANDS): Promise<number> {
  const [first, ...rest] = args;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    const topic = first === 'help' ? commands.find((c) => c.name === rest[0]) : undefined;
    if (!topic) {
      io.out(usage(commands));
      return first === undefined ? ExitCode.USAGE : ExitCode.OK;
    }
    const command = await loaded(topic, io);
    if (!command) return ExitCode.FAILED;
    io.out(command.help);
    return ExitCode.OK;
  }
  if (first === '-v' || first === '--version') {
    io.out(cliVersion());
    return ExitCode.OK;
  }
  const entry = commands.find((c) => c.name === first);
  if (!entry) {
    io.err(`mini-agent-otel: unknown command '${first}'. Commands: ${commands.map((c) => c.name).join(', ')}. See: mini-agent-otel --help`);
    return ExitCode.USAGE;
  }
  const command = await loaded(entry, io);
  if (!command) return ExitCode.FAILED;
  if (rest.includes('-h') || rest.includes('--help')) {
    io.out(command.help);
    return ExitCode.OK;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof CliError) {
      io.err(`mini-agent-otel ${command.name}: ${error.message}`);
      return error.exitCode;
    }
    throw error;
  }
}

/** Imports a command's module; a module that fails to load is one line for the user, not a crash of the CLI. */
async function loaded(entry: CommandEntry, io: Io): Promise<Command | undefined> {
  try {
    return await entry.load();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.err(`mini-agent-otel ${entry.name}: the command could not be loaded: ${message.split('\n')[0]}`);
    return undefined;
  }
}
