import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findPostgresBinaries, recordSpans, startThrowawayPostgres, type ThrowawayPostgres } from '@mini-agent/test-support';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, CLI_BIN, cleanEnv, runCli } from './built-cli.js';

const binDir = findPostgresBinaries();

/** A running `serve --workers N` group: its URL once every worker listens, its output, how it ended. */
interface Group {
  readonly child: ChildProcess;
  readonly url: Promise<string>;
  readonly ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout(): string;
  stderr(): string;
}

function startGroup(databaseUrl: string, spoolDir: string, workers = 2): Group {
  const child = spawn(process.execPath, [CLI_BIN, 'serve', '--workers', String(workers), '--port', '0', '--no-langfuse', '--database-url', databaseUrl, '--spool-dir', spoolDir], {
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let found: (url: string) => void = () => {};
  const url = new Promise<string>((resolve) => (found = resolve));
  child.stdout!.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
    const match = /^mini-agent bridge listening on (http:\/\/\S+)$/m.exec(stdout);
    if (match) found(match[1]!);
  });
  child.stderr!.setEncoding('utf8').on('data', (text: string) => void (stderr += text));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  void ended.then(({ code }) => found(`ended before listening (exit ${code}): ${stderr}`));
  return { child, url, ended, stdout: () => stdout, stderr: () => stderr };
}

interface GroupHealth {
  readonly ready: boolean;
  readonly status: string;
  readonly workers: readonly { index: number; pid: number; status: string; ready: boolean; spoolBytes: number }[];
}

async function healthOf(url: string): Promise<GroupHealth | undefined> {
  // A connection handed to a worker as it is killed is never answered: give up on it, ask again.
  const response = await fetch(new URL('/health', url), { signal: AbortSignal.timeout(3_000) }).catch(() => undefined);
  return response ? ((await response.json().catch(() => undefined)) as GroupHealth | undefined) : undefined;
}

const testStarted = Date.now();

async function until(what: string | (() => string), check: () => boolean | Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  console.log(`[serve --workers] ${((Date.now() - testStarted) / 1000).toFixed(1)} s: waiting for ${typeof what === 'string' ? what : what().split(';')[0]}`);
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await sleep(100);
  }
}

/**
 * Senders that keep exporting batches of distinct spans with the real OTLP proto exporter, a new
 * connection each (so the group spreads them over its workers), and send a batch again until it
 * is acknowledged, as an SDK's retrying exporter or a Collector's sending queue does. The ledger:
 * every span sent, and every span acknowledged with a success.
 */
class Senders {
  readonly sent = new Set<string>();
  readonly acked = new Set<string>();
  failedAttempts = 0;
  private readonly unacked: ReadableSpan[][] = [];
  private running = false;
  private loops: Promise<void>[] = [];
  private batchNo = 0;

  constructor(private url: string) {}

  start(url: string, concurrency = 3): void {
    this.url = url;
    this.running = true;
    this.loops = Array.from({ length: concurrency }, () => this.loop());
  }

  /** Stops taking new batches; what was not acknowledged waits for {@link resend}. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** Sends every batch not yet acknowledged to `url` until each is. */
  async resend(url: string): Promise<void> {
    this.url = url;
    while (this.unacked.length > 0) {
      const batch = this.unacked.shift()!;
      if (!(await this.attempt(batch))) {
        this.unacked.push(batch);
        await sleep(200);
      }
    }
  }

  get pending(): number {
    return this.unacked.length;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const batch = this.unacked.shift() ?? (await this.nextBatch());
      if (!(await this.attempt(batch))) this.unacked.push(batch);
      // A steady trickle, not a flood: the spools stay small enough to replay quickly on a busy machine.
      await sleep(150);
    }
  }

  private async nextBatch(): Promise<ReadableSpan[]> {
    const tag = `batch ${this.batchNo++}`;
    const spans = await recordSpans((tracer) => {
      for (let i = 0; i < 20; i++) tracer.startSpan(`${tag} tool ${i}`, { attributes: { 'mini_agent.span.kind': 'tool', 'mini_agent.tool.name': `tool_${i % 4}` } }).end();
    });
    for (const span of spans) this.sent.add(span.spanContext().spanId);
    return spans;
  }

  private async attempt(spans: ReadableSpan[]): Promise<boolean> {
    const exporter = new OTLPTraceExporter({ url: this.url, timeoutMillis: 30_000 });
    const result = await new Promise<ExportResult>((resolve) => exporter.export(spans, resolve)).finally(() => exporter.shutdown());
    if (result.code !== ExportResultCode.SUCCESS) {
      this.failedAttempts += 1;
      return false;
    }
    for (const span of spans) this.acked.add(span.spanContext().spanId);
    return true;
  }
}

describe.runIf(binDir !== null)('serve --workers 2 with a real PostgreSQL server', () => {
  let server: ThrowawayPostgres;
  let spoolDir: string;
  beforeAll(async () => {
    await buildCli();
    server = await startThrowawayPostgres(binDir as string);
    spoolDir = mkdtempSync(join(tmpdir(), 'cli-serve-workers-'));
  }, 600_000);
  afterAll(() => {
    server?.stop();
    if (spoolDir) rmSync(spoolDir, { recursive: true, force: true });
  });

  it('loses and duplicates no span across a SIGKILL of one worker (restarted, its spool replayed) and a SIGTERM of the group', async () => {
    const first = startGroup(server.url, spoolDir);
    const url = await first.url;
    expect(url, first.stderr()).toMatch(/^http:/);
    await until('the banner', () => first.stdout().includes('  workers: 2 ('));
    await until('both workers ready', async () => (await healthOf(url))?.workers.filter((w) => w.ready).length === 2);
    const senders = new Senders(url);
    senders.start(url);
    try {
      await until('spans stored through both workers', () => senders.acked.size >= 200);

      // The database goes away: the workers answer 200 only once spans are in their spools.
      server.pause();
      const ackedBeforeOutage = senders.acked.size;
      let victim = { pid: 0, spoolBytes: 0 };
      await until('worker 1 holding acknowledged spans in its spool', async () => {
        const w = (await healthOf(url))?.workers[1];
        if (w) victim = w;
        return senders.acked.size >= ackedBeforeOutage + 100 && (w?.spoolBytes ?? 0) > 0;
      });
      // Worker 1 dies with no chance to flush; the primary starts another in its slot.
      expect(victim.pid).toBeGreaterThan(1);
      process.kill(victim.pid, 'SIGKILL');
      let seen: GroupHealth | undefined;
      await until(() => `worker 1 restarted; /health: ${JSON.stringify(seen)}`, async () => {
        const w = (seen = await healthOf(url))?.workers[1];
        return w !== undefined && w.pid !== victim.pid && w.pid !== 0 && w.ready;
      });
      expect(first.stderr()).toMatch(new RegExp(`worker 1 \\(pid ${victim.pid}\\) ended \\(SIGKILL\\); restarting it`));
      const health = await healthOf(url);
      // The new worker found the slot's spool: what the killed one acknowledged is there, waiting.
      expect(health?.workers[1]?.spoolBytes).toBeGreaterThan(0);

      // The database is back. While a backlog is replayed, new spans queue behind it in the spool;
      // the senders pause so that the replay (one spooled batch a transaction) catches up.
      server.start();
      await senders.stop();
      let last: GroupHealth | undefined;
      await until(
        () => `both spools replayed into the database; /health: ${JSON.stringify(last)}`,
        async () => (last = await healthOf(url))?.workers.every((w) => w.spoolBytes === 0 && w.status === 'ok') ?? false,
        300_000,
      );
      senders.start(url);
      const ackedBeforeStop = senders.acked.size;
      await until('more spans after the restart', () => senders.acked.size >= ackedBeforeStop + 100);

      // SIGTERM to the primary while senders are still sending: every worker drains and the group exits 0.
      first.child.kill('SIGTERM');
      const end = await first.ended;
      expect(end, first.stderr()).toEqual({ code: 0, signal: null });
      expect(first.stdout()).toMatch(/^worker 0: stopped: /m);
      expect(first.stdout()).toMatch(/^worker 1: stopped: /m);
      expect(first.stdout()).toContain('stopped: 2 workers');
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- stdout (end):\n${first.stdout().slice(-3000)}\n--- stderr (end):\n${first.stderr().slice(-3000)}`, { cause: error });
    } finally {
      await senders.stop();
      if (first.child.exitCode === null) first.child.kill('SIGKILL');
    }

    // What the senders could not get acknowledged while the group stopped goes to the next start.
    const second = startGroup(server.url, spoolDir);
    const url2 = await second.url;
    expect(url2, second.stderr()).toMatch(/^http:/);
    await senders.resend(url2);
    second.child.kill('SIGTERM');
    expect(await second.ended, second.stderr()).toEqual({ code: 0, signal: null });
    expect(second.stdout()).not.toMatch(/bytes spooled/);

    const sql = postgres(server.url, { max: 1, onnotice: () => {} });
    try {
      const rows = await sql<{ span_id: string }[]>`SELECT span_id FROM mini_agent_observability.spans`;
      const stored = rows.map((r) => r.span_id);
      const inDatabase = new Set(stored);
      const lost = [...senders.acked].filter((id) => !inDatabase.has(id));
      const foreign = stored.filter((id) => !senders.sent.has(id));
      console.log(
        `[reliability] serve --workers 2: ${senders.sent.size} spans sent, ${senders.acked.size} acknowledged, ${stored.length} rows; ` +
          `${senders.failedAttempts} attempts not acknowledged (sent again); lost ${lost.length}`,
      );
      expect(lost).toEqual([]);
      expect(foreign).toEqual([]);
      expect(inDatabase.size).toBe(stored.length);
      // Every batch was acknowledged in the end, so every span sent is stored once.
      expect(senders.pending).toBe(0);
      expect(stored.length).toBe(senders.sent.size);
      // Not asserted: whether the kill or the stop cut an export short (failedAttempts, logged above)
      // depends on whether one was in flight on that worker at that instant.
    } finally {
      await sql.end();
    }
  }, 600_000);
});

describe.runIf(binDir !== null)('spools left by workers that no longer run', () => {
  let server: ThrowawayPostgres;
  let spoolDir: string;
  beforeAll(async () => {
    await buildCli();
    server = await startThrowawayPostgres(binDir as string);
    spoolDir = mkdtempSync(join(tmpdir(), 'cli-serve-orphans-'));
  }, 600_000);
  afterAll(() => {
    server?.stop();
    if (spoolDir) rmSync(spoolDir, { recursive: true, force: true });
  });

  it('what two workers spooled while the database was down, a later single serve replays', async () => {
    // Migrated by a first start, then the database goes away while the group takes spans.
    const group = startGroup(server.url, spoolDir);
    const url = await group.url;
    expect(url, group.stderr()).toMatch(/^http:/);
    await until('both workers ready', async () => (await healthOf(url))?.workers.filter((w) => w.ready && w.status === 'ok').length === 2);
    server.pause();
    const senders = new Senders(url);
    senders.start(url);
    try {
      await until('both workers holding acknowledged spans in their spools', async () => {
        const health = await healthOf(url);
        return senders.acked.size >= 100 && (health?.workers.every((w) => w.spoolBytes > 0) ?? false);
      });
    } finally {
      await senders.stop();
    }
    group.child.kill('SIGTERM');
    expect(await group.ended, group.stderr()).toEqual({ code: 0, signal: null });
    expect(group.stdout()).toMatch(/^worker 0:   postgres: \d+ bytes spooled/m);
    expect(group.stdout()).toMatch(/^worker 1:   postgres: \d+ bytes spooled/m);

    // One process now (the default): it owns no worker-<i> slot, so it replays both.
    server.start();
    const single = spawn(process.execPath, [CLI_BIN, 'serve', '--port', '0', '--no-langfuse', '--database-url', server.url, '--spool-dir', spoolDir], {
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    single.stdout.setEncoding('utf8').on('data', (text: string) => void (stdout += text));
    single.stderr.setEncoding('utf8').on('data', (text: string) => void (stderr += text));
    const ended = new Promise<number | null>((resolve) => single.on('close', (code) => resolve(code)));
    try {
      await until(() => `the replay of both spools; output: ${stdout} ${stderr}`, () => stdout.includes('replayed the spools left by an earlier run (2)'), 300_000);
    } finally {
      single.kill('SIGTERM');
    }
    expect(await ended, stderr).toBe(0);
    expect(stdout).toContain(`replaying spools left by an earlier run: ${join(spoolDir, 'worker-0')}, ${join(spoolDir, 'worker-1')}`);

    const sql = postgres(server.url, { max: 1, onnotice: () => {} });
    try {
      const rows = await sql<{ span_id: string }[]>`SELECT span_id FROM mini_agent_observability.spans`;
      const inDatabase = new Set(rows.map((r) => r.span_id));
      expect([...senders.acked].filter((id) => !inDatabase.has(id))).toEqual([]);
      expect(inDatabase.size).toBe(rows.length);
    } finally {
      await sql.end();
    }
  }, 600_000);
});

describe('serve --workers refuses what it cannot do', () => {
  beforeAll(() => buildCli(), 600_000);

  it('a count that is not a positive whole number, and an embedded PGlite database, are usage errors', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'cli-serve-workers-usage-'));
    try {
      const zero = await runCli(['serve', '--workers', '0', '--port', '0'], { cwd, env: cleanEnv() });
      expect(zero).toMatchObject({ code: 2 });
      expect(zero.stderr).toContain("--workers must be a number from 1 to 256, got '0'");
      const pglite = await runCli(['serve', '--workers', '2', '--port', '0', '--data-dir', join(cwd, 'pglite')], { cwd, env: cleanEnv() });
      expect(pglite).toMatchObject({ code: 2 });
      expect(pglite.stderr).toContain('--workers needs a database server');
      const help = await runCli(['serve', '--help'], { cwd, env: cleanEnv() });
      expect(help.stdout).toContain('--workers N');
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  }, 120_000);
});
