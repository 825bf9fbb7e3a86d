/** Where a command writes: stdout for results and progress, stderr for errors. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
}

/** The process's own streams. */
export const processIo: Io = {
  out: (line) => void process.stdout.write(`${line}\n`),
  err: (line) => void process.stderr.write(`${line}\n`),
};

/** One subcommand of `mini-agent-otel`. Adding a command is a new module under `commands/` and one line in its index. */
export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The full `--help` text. */
  readonly help: string;
  /** Runs with the arguments after the command name; resolves with the exit code. */
  run(args: readonly string[], io: Io): Promise<number>;
}

/**
 * A command as the command list knows it: its name and summary, and its module loaded only when
 * the command runs. `--version` and `--help` then import no command at all, and a command whose
 * module is heavy or fails to load slows down or breaks only itself.
 */
export interface CommandEntry {
  readonly name: string;
  /** One line for the command list (the same as the loaded command's `summary`). */
  readonly summary: string;
  /** Imports the command's module. */
  load(): Promise<Command>;
}

/**
 * An error meant for the user, not a bug: printed as one line (no stack trace) and turned into
 * an exit code. Anything else that escapes a command is a bug and keeps its stack.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = 1,
  ) {
    super(message);
  }
}

/** Exit codes: 0 success, 1 the work failed (e.g. database unreachable), 2 the command line was wrong. */
export const ExitCode = { OK: 0, FAILED: 1, USAGE: 2 } as const;
