// The command line of the bench scripts: parseArgs, with --help and every bad argument answered in
// a line of text and an exit code instead of a stack trace.
import { parseArgs } from 'node:util';

/**
 * Parses `process.argv` with `config` (node:util parseArgs, plus `--help`/`-h`). `--help` prints
 * `usage` and exits 0; a bad option prints `<name>: <why>` and `hint`, and exits 2.
 */
export function parseCommandLine({ name, usage, hint, ...config }) {
  let parsed;
  try {
    parsed = parseArgs({ ...config, options: { ...config.options, help: { type: 'boolean', short: 'h', default: false } } });
  } catch (error) {
    exitWithUsageError(name, error.message, hint);
  }
  if (parsed.values.help) {
    console.log(usage);
    process.exit(0);
  }
  return parsed;
}

/** Prints `<name>: <message>` and `hint`, and exits 2 (a usage error). */
export function exitWithUsageError(name, message, hint) {
  console.error(`${name}: ${message}${hint}`);
  process.exit(2);
}
