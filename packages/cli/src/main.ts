import { CliError, ExitCode, processIo, type Io } from './command.js';
import { COMMANDS } from './commands/index.js';
import { cliVersion } from './version.js';

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'mini-agent-otel: OpenTelemetry observability for AI agents',
    '',
    'Usage: mini-agent-otel <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
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
 * process ends once telemetry and connections are closed.
 */
export async function main(args: readonly string[], io: Io = processIo): Promise<number> {
  const [first, ...rest] = args;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    const topic = first === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    io.out(topic ? topic.help : usage());
    return first === undefined ? ExitCode.USAGE : ExitCode.OK;
  }
  if (first === '-v' || first === '--version') {
    io.out(cliVersion());
    return ExitCode.OK;
  }
  const command = COMMANDS.find((c) => c.name === first);
  if (!command) {
    io.err(`mini-agent-otel: unknown command '${first}'. Commands: ${COMMANDS.map((c) => c.name).join(', ')}. See: mini-agent-otel --help`);
    return ExitCode.USAGE;
  }
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
