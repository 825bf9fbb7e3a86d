import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, CLI_BIN, runCli, runNode, type ProcessResult } from './built-cli.js';

let workDir: string;

beforeAll(async () => {
  await buildCli();
  workDir = mkdtempSync(join(tmpdir(), 'cli-dashboard-test-'));
}, 600_000);
afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/**
 * Runs the CLI until it prints the dashboard's address, lets `visit` use it, then stops it with
 * SIGTERM as Ctrl-C would.
 */
async function whileServing(args: string[], visit: (url: string, stdout: string) => Promise<void>): Promise<ProcessResult & { visited: boolean }> {
  let visited: Promise<void> | undefined;
  let failure: unknown;
  const result = await runNode([CLI_BIN, ...args], {
    cwd: workDir,
    onStdout: (stdout, child) => {
      const url = /^Dashboard: (http:\/\/\S+)$/m.exec(stdout)?.[1];
      if (!url || visited) return;
      visited = visit(url, stdout)
        .catch((error: unknown) => void (failure = error))
        .finally(() => child.kill('SIGTERM'));
    },
  });
  await visited;
  if (failure) throw failure;
  return { ...result, visited: visited !== undefined };
}

describe('mini-agent-otel dashboard', () => {
  it('with no database yet, serves a page that says how to make one, and stops cleanly on SIGTERM', async () => {
    const dataDir = join(workDir, 'nothing-here');
    const result = await whileServing(['dashboard', '--port', '0', '--data-dir', dataDir], async (url) => {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const page = await (await fetch(url)).text();
      expect(page).toContain('No database yet');
      expect(page).toContain(dataDir);
    });
    expect(result.visited).toBe(true);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`data:  PGlite at ${dataDir} (read-only)`);
    expect(result.stdout).toContain('SIGTERM: stopping the dashboard');
  });

  it('generates and prints a token when asked to listen beyond this machine', async () => {
    const result = await whileServing(['dashboard', '--port', '0', '--host', '0.0.0.0', '--data-dir', join(workDir, 'none')], async (url) => {
      const token = /\?token=([\w-]+)$/.exec(url)?.[1];
      expect(token).toMatch(/^[\w-]{20,}$/);
      const local = new URL(url.replace('0.0.0.0', '127.0.0.1'));
      expect((await fetch(`${local.origin}/`)).status).toBe(401);
      expect((await fetch(local, { redirect: 'manual' })).status).toBe(303);
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('token: generated for this run');
  });

  it('rejects a port that is not a number', async () => {
    const result = await runCli(['dashboard', '--port', 'http'], { cwd: workDir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--port must be a number from 0 to 65535, got 'http'");
  });
});

describe('mini-agent-otel demo --dashboard', () => {
  it('runs the demo, then serves the dashboard over the rows it wrote', async () => {
    const dataDir = join(workDir, 'demo-then-dashboard');
    const result = await whileServing(['demo', '--data-dir', dataDir, '--dashboard'], async (url, stdout) => {
      const traceId = /What landed for trace ([0-9a-f]{32})/.exec(stdout)?.[1];
      expect(traceId).toBeDefined();
      const overview = await (await fetch(url)).text();
      expect(overview).toContain('data-field="sessions" data-value="1"');
      const session = await (await fetch(new URL(`/sessions/${traceId}`, url))).text();
      expect(session).toContain('fix the failing rounding test');
      expect(session).toContain('EACCES: permission denied');
    });
    expect(result.visited).toBe(true);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Running a simulated agent session:');
  });
});
