import { join } from 'node:path';
import { buildWorkspacePackage, REPO_ROOT } from '@mini-agent/test-support';
import { spawnLogged, waitForOutput } from './child-process.js';
import { cpuSecondsOf } from './otelcol.js';

/** The built CLI, as a user runs it: `mini-agent-otel serve` is the bridge the Collector sends to. */
export const CLI_BIN = join(REPO_ROOT, 'packages', 'cli', 'dist', 'bin.js');

/** Builds the CLI and what it depends on (a turbo cache hit when CI already built). */
export const buildCli = (): Promise<void> => buildWorkspacePackage('mini-agent-otel');

/** The token the Collector's `otlphttp/mini-agent` exporter presents (`MINI_AGENT_BRIDGE_TOKEN`). */
export const BRIDGE_TOKEN = 'collector-test-bridge-token';

/** Options of {@link startBridge}. */
export interface BridgeOptions {
  readonly port: number;
  readonly databaseUrl: string;
  /** A spool directory, so what the bridge acknowledged survives a stop. */
  readonly spoolDir: string;
}

/** A running `mini-agent-otel serve`. */
export interface BridgeProcess {
  readonly pid: number;
  /** `http://127.0.0.1:<port>`: what `MINI_AGENT_BRIDGE_URL` is set to. */
  readonly url: string;
  output(): string;
  cpuSeconds(): number;
  /** SIGTERM, then waits until it has stored what it holds and exited; returns its exit code. */
  stop(): Promise<number | null>;
}

/** Starts the built bridge on a loopback port and waits until its sinks are ready. */
export async function startBridge(options: BridgeOptions): Promise<BridgeProcess> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // Nothing of the test run may point the child elsewhere (a database, Langfuse, a collector).
    if (!/^(DATABASE_URL|SUPABASE_DB_URL|LANGFUSE_|OTEL_|MINI_AGENT_|NODE_OPTIONS|VITEST)/.test(key)) env[key] = value;
  }
  env.MINI_AGENT_BRIDGE_TOKEN = BRIDGE_TOKEN;
  const args = [CLI_BIN, 'serve', '--host', '127.0.0.1', '--port', String(options.port), '--database-url', options.databaseUrl, '--spool-dir', options.spoolDir, '--no-langfuse'];
  const started = spawnLogged(process.execPath, args, env);
  await waitForOutput(started, 'sinks ready', 'the bridge');
  const { child, exited, log } = started;
  const pid = child.pid!;
  return {
    pid,
    url: `http://127.0.0.1:${options.port}`,
    output: log,
    cpuSeconds: () => cpuSecondsOf(pid),
    async stop() {
      if (child.exitCode === null) process.kill(pid, 'SIGTERM');
      return exited;
    },
  };
}

/** The totals of the bridge's last line (`stopped: N spans received, N exported, N failed, N rejected`). */
export function stoppedTotals(output: string): { received: number; exported: number; failed: number; rejected: number } | undefined {
  const m = /^stopped: (\d+) spans received, (\d+) exported, (\d+) failed, (\d+) rejected$/m.exec(output);
  return m ? { received: Number(m[1]), exported: Number(m[2]), failed: Number(m[3]), rejected: Number(m[4]) } : undefined;
}
