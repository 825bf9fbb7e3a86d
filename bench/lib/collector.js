// The project's OpenTelemetry Collector (collector/build.sh) as a benchmark child: the shipped
// otel-collector.yaml on loopback ports, its CPU read from /proc.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@mini-agent/test-support';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** The Collector binary: MINI_AGENT_OTELCOL, else built (or reused) by collector/build.sh. */
export function collectorBinary() {
  if (process.env.MINI_AGENT_OTELCOL) return process.env.MINI_AGENT_OTELCOL;
  try {
    const out = execFileSync('bash', [join(REPO, 'collector', 'build.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    return out.trim().split('\n').at(-1);
  } catch (error) {
    throw new Error(`collector/build.sh could not provide a Collector (exit ${error.status}; 3 means Go is not installed)`);
  }
}

/** CPU milliseconds (user + system) a process has used, from /proc/<pid>/stat (100 ticks a second). */
export function processCpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Peak resident memory of a process in MB (/proc/<pid>/status VmHWM). */
export function peakRssMb(pid) {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/**
 * Starts the Collector with otel-collector.yaml exporting to `bridgeUrl`, on free loopback ports
 * and a temporary queue directory (only addresses and directories are overridden, with --set).
 */
export async function startCollector(binary, bridgeUrl) {
  const [grpc, http, health] = [await freePort(), await freePort(), await freePort()];
  const storage = mkdtempSync(join(tmpdir(), 'bench-otelcol-'));
  const args = [
    `--config=${join(REPO, 'otel-collector.yaml')}`,
    '--set=service.telemetry.metrics.level=none',
    `--set=receivers.otlp.protocols.grpc.endpoint=127.0.0.1:${grpc}`,
    `--set=receivers.otlp.protocols.http.endpoint=127.0.0.1:${http}`,
    `--set=extensions.health_check.endpoint=127.0.0.1:${health}`,
    `--set=extensions.file_storage/queue.directory=${storage}`,
    `--set=extensions.file_storage/queue.compaction.directory=${storage}`,
  ];
  const env = { PATH: process.env.PATH ?? '', MINI_AGENT_BRIDGE_URL: bridgeUrl, MINI_AGENT_BRIDGE_TOKEN: 'bench' };
  const child = spawn(binary, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.setEncoding('utf8').on('data', (t) => (log += t));
  child.stderr.setEncoding('utf8').on('data', (t) => (log += t));
  const deadline = Date.now() + 60_000;
  while (!log.includes('Everything is ready')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the Collector did not start:\n${log.slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    pid: child.pid,
    tracesUrl: `http://127.0.0.1:${http}/v1/traces`,
    cpuMs: () => processCpuMs(child.pid),
    async stop() {
      const exited = new Promise((resolve) => child.once('close', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(storage, { recursive: true, force: true });
    },
  };
}
