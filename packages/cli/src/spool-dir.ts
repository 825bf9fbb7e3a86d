import { resolve } from 'node:path';
import { DEFAULT_SPOOL_DIR } from '@mini-agent/core';
import { CliError, ExitCode } from './command.js';

/** The `--spool-dir` / `--no-spool` flags of the commands that export (`serve`, `demo`). */
export const SPOOL_FLAGS = {
  'spool-dir': { type: 'string' },
  'no-spool': { type: 'boolean' },
} as const;

/**
 * The durable spool's folder: on by default (`.mini-agent/spool`, resolved against the working
 * directory), `--spool-dir DIR` moves it, `--no-spool` turns it off (`undefined`).
 */
export function spoolDirOf(flag: string | undefined, off: boolean): string | undefined {
  if (off && flag !== undefined) throw new CliError('--spool-dir and --no-spool contradict each other; give one of them', ExitCode.USAGE);
  if (off) return undefined;
  if (flag === '') throw new CliError('--spool-dir is empty', ExitCode.USAGE);
  return resolve(flag ?? DEFAULT_SPOOL_DIR);
}
