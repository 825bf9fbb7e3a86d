import { execFile, spawn } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository root and the CLI's entry point, as a user runs it after a build. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const CLI_BIN = join(REPO_ROOT, 'packages', 'cli', 'dist', 'bin.js');

/**
 * Builds a package and everything it depends on (default: the CLI) with turbo, a cache hit when
 * CI already built; one test file at a time, since two tsc runs writing the same dist/ would race.
 */
export async function buildCli(filter = 'mini-agent-otel'): Promise<void> {
  const lock = join(tmpdir(), 'mini-agent-cli-test-build.lock');
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock left by a killed run is older than any real build.
      const since = statSync(lock, { throwIfNoEntry: false })?.mtimeMs;
      if (since !== undefined && Date.now() - since > 10 * 60_000) rmSync(lock, { recursive: true, force: true });
      await sleep(250);
    }
  }
  try {
    await run('pnpm', ['exec', 'turbo', 'run', 'build', `--filter=${filter}`, '--output-logs=errors-only'], {
      cwd: REPO_ROOT,
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
      maxBuffer: 16 * 1024 * 1024,
    });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** How a spawned process ended and what it printed. */
export interface ProcessResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment of the test run without anything that would point a child at a database, Langfuse or a collector. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^(DATABASE_URL|SUPABASE_DB_URL|LANGFUSE_|OTEL_|MINI_AGENT_|NODE_OPTIONS|VITEST)/.test(key)) delete env[key];
  }
  return { ...env, ...extra };
}

/** Runs `node <args>` to completion. `onStdout` sees output as it arrives (to send a signal at the right moment). */
export function runNode(
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; onStdout?: (text: string, child: ReturnType<typeof spawn>) => void },
): Promise<ProcessResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...args], { cwd: options.cwd, env: options.env ?? cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      options.onStdout?.(stdout, child);
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => void (stderr += text));
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
  });
}

/** Runs the built `mini-agent-otel` with `args`. */
export function runCli(args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<ProcessResult> {
  return runNode([CLI_BIN, ...args], options);
}
