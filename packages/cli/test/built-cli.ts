import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { buildWorkspacePackage, REPO_ROOT } from '@mini-agent/test-support';

/** The repository root and the CLI's entry point, as a user runs it after a build. */
export { REPO_ROOT };
export const CLI_BIN = join(REPO_ROOT, 'packages', 'cli', 'dist', 'bin.js');

/**
 * Builds a package and everything it depends on (default: the CLI) with turbo, a cache hit when
 * CI already built; serialized with every other suite that builds (see `buildWorkspacePackage`).
 */
export function buildCli(filter = 'mini-agent-otel'): Promise<void> {
  return buildWorkspacePackage(filter);
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
