import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, REPO_ROOT } from '@mini-agent/test-support';
import { describe, it } from 'vitest';
import { spawnLogged, waitForOutput, type LoggedChild } from './child-process.js';

/** The variable `.ci/run` sets to the last line of `collector/build.sh`: the Collector binary. */
export const OTELCOL_ENV = 'MINI_AGENT_OTELCOL';
/** Set by `.ci/collector.sh` when it could not build the Collector, with the reason. */
export const OTELCOL_UNAVAILABLE_ENV = 'MINI_AGENT_OTELCOL_UNAVAILABLE';

/** The Collector binary from {@link OTELCOL_ENV}, or why there is none. */
function findCollector(): { binary: string } | { reason: string } {
  const binary = process.env[OTELCOL_ENV];
  if (!binary) {
    const why = process.env[OTELCOL_UNAVAILABLE_ENV] ?? `${OTELCOL_ENV} is not set`;
    return { reason: `${why}; build it with: export ${OTELCOL_ENV}=$(bash collector/build.sh | tail -n 1)` };
  }
  try {
    accessSync(binary, constants.X_OK);
    return { binary };
  } catch {
    return { reason: `${OTELCOL_ENV}=${binary} is not an executable file (run bash collector/build.sh)` };
  }
}

const found = findCollector();
/** The Collector binary, or undefined when the Collector tests are skipped. */
export const OTELCOL: string | undefined = 'binary' in found ? found.binary : undefined;

/**
 * `describe` for tests that need the real Collector. Without one, the suite is skipped and says
 * why, on the console and as the name of a skipped test, so a run never passes by silence.
 */
export function describeWithCollector(name: string, body: (otelcol: string) => void): void {
  if (OTELCOL) {
    describe(name, () => body(OTELCOL!));
    return;
  }
  const reason = 'reason' in found ? found.reason : '';
  console.warn(`[collector tests] SKIPPED "${name}": ${reason}`);
  describe(name, () => {
    it.skip(`skipped: no OpenTelemetry Collector (${reason})`, () => {});
  });
}

/** A path in the repository, for `--config`. */
export const repoFile = (path: string): string => join(REPO_ROOT, path);

/** What the Collector's `validate` command said. */
export interface ValidateResult {
  readonly code: number | null;
  readonly output: string;
}

/** Runs `otelcol validate` on config files (repository paths) with exactly the given environment. */
export async function validate(otelcol: string, configs: readonly string[], env: Record<string, string>, extra: readonly string[] = []): Promise<ValidateResult> {
  const run = spawnLogged(otelcol, ['validate', ...configs.map((c) => `--config=${repoFile(c)}`), ...extra], { PATH: process.env.PATH ?? '', ...env });
  const code = await run.exited;
  return { code, output: run.log() };
}

/** Options of {@link startCollector}. */
export interface CollectorOptions {
  /** Configuration files, repository paths, merged in order (as several `--config` flags). */
  readonly configs: readonly string[];
  /** The environment the configuration reads with `${env:…}`. */
  readonly env: Record<string, string>;
  /**
   * Overrides of listen addresses and directories only, as `--set=key=value` (the Collector's own
   * flag; the files are run as shipped). {@link loopbackOverrides} gives those of otel-collector.yaml.
   */
  readonly set?: readonly string[];
  /** More `--config=yaml:…` fragments, for what `--set` cannot express (replacing a resolver). */
  readonly yaml?: readonly string[];
}

/** A running Collector. */
export interface CollectorProcess {
  readonly pid: number;
  /** Everything it logged so far. */
  output(): string;
  /** CPU seconds (user + system) the process has used so far, from /proc. */
  cpuSeconds(): number;
  /** Sends `signal` (default SIGTERM) to its PID and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts the Collector and waits until it logs that every pipeline runs. */
export async function startCollector(otelcol: string, options: CollectorOptions): Promise<CollectorProcess> {
  const args = [
    ...options.configs.map((c) => `--config=${repoFile(c)}`),
    ...(options.yaml ?? []).map((y) => `--config=yaml:${y}`),
    // No internal metrics server: its default port 8888 would clash between Collectors.
    '--set=service.telemetry.metrics.level=none',
    ...(options.set ?? []).map((s) => `--set=${s}`),
  ];
  const started = spawnLogged(otelcol, args, { PATH: process.env.PATH ?? '', ...options.env });
  await waitForOutput(started, 'Everything is ready', 'the Collector');
  return collectorHandle(started);
}

function collectorHandle({ child, exited, log }: LoggedChild): CollectorProcess {
  const pid = child.pid!;
  return {
    pid,
    output: log,
    cpuSeconds: () => cpuSecondsOf(pid),
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) process.kill(pid, signal);
      const timer = setTimeout(() => child.exitCode === null && process.kill(pid, 'SIGKILL'), 60_000);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** User + system CPU seconds of a live process (Linux /proc; clock ticks are 100 a second there). */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Free loopback ports for one Collector's listeners. */
export interface CollectorPorts {
  readonly grpc: number;
  readonly http: number;
  readonly health: number;
}

/** Three free loopback ports. */
export async function collectorPorts(): Promise<CollectorPorts> {
  return { grpc: await freePort(), http: await freePort(), health: await freePort() };
}

/**
 * The `--set` overrides that run otel-collector.yaml on loopback ports with its queue in `storageDir`:
 * listen addresses and the storage directory, nothing that changes what the pipeline does.
 */
export function loopbackOverrides(ports: CollectorPorts, storageDir?: string): string[] {
  const set = [
    `receivers.otlp.protocols.grpc.endpoint=127.0.0.1:${ports.grpc}`,
    `receivers.otlp.protocols.http.endpoint=127.0.0.1:${ports.http}`,
    `extensions.health_check.endpoint=127.0.0.1:${ports.health}`,
  ];
  if (storageDir) set.push(`extensions.file_storage/queue.directory=${storageDir}`, `extensions.file_storage/queue.compaction.directory=${storageDir}`);
  return set;
}

/** A fresh temporary directory (the Collector's queue, a bridge's spool); `remove()` deletes it. */
export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
