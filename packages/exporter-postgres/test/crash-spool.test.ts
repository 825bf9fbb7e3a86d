import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWorkspacePackage, findPostgresBinaries, startThrowawayPostgres, type ThrowawayPostgres } from '@mini-agent/test-support';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../src/index.js';

const binDir = findPostgresBinaries();
const AGENT = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'spooling-agent.mjs');

/** A running agent process. */
interface Agent {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  storedHere(): number;
  kill(): void;
  /** Waits for `ready`; throws, with its stderr, if the agent died before. */
  until(ledger: Ledger, ready: () => boolean): Promise<void>;
}

/** What the agent processes said: spans acknowledged, and how often the database took each span. */
class Ledger {
  readonly acked = new Set<string>();
  readonly stored = new Map<string, number>();
  readonly stats: Record<string, unknown>[] = [];
  /** The most spans one write stored (a replayed batch is a spooled one, written whole). */
  largestBatch = 0;
  private readonly waiters: { ready: () => boolean; wake: () => void }[] = [];

  /** Starts `spooling-agent.mjs` in `mode`, reading its lines into the ledger. */
  start(mode: 'produce' | 'drain', url: string, spoolDir: string): Agent {
    const child = spawn(process.execPath, [AGENT, url, spoolDir, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    let storedHere = 0;
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (text: string) => void (stderr += text));
    let rest = '';
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      const lines = (rest + text).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        const [kind, payload = ''] = line.split(' ', 2);
        if (kind === 'ACK') for (const id of payload.split(',')) this.acked.add(id);
        if (kind === 'STORED') {
          const ids = payload.split(',').filter(Boolean);
          for (const id of ids) this.stored.set(id, (this.stored.get(id) ?? 0) + 1);
          this.largestBatch = Math.max(this.largestBatch, ids.length);
          storedHere += 1;
        }
        if (kind === 'STATS') this.stats.push(JSON.parse(line.slice(6)) as Record<string, unknown>);
      }
      this.check();
    });
    let killed = false;
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    void exited.then(() => this.check());
    return {
      child,
      exited,
      storedHere: () => storedHere,
      kill() {
        killed = true;
        child.kill('SIGKILL');
      },
      // An agent must never die of its telemetry: one that ends on its own before the test kills it fails the test at once.
      async until(ledger: Ledger, ready: () => boolean) {
        await Promise.race([ledger.until(ready), exited]);
        if (!ready() && !killed && mode === 'produce') throw new Error(`the agent process died by itself (exit ${child.exitCode}):\n${stderr}`);
      },
    };
  }

  /** Resolves once `ready()` holds (checked as lines arrive). */
  until(ready: () => boolean): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((wake) => this.waiters.push({ ready, wake }));
  }

  private check(): void {
    for (const waiter of [...this.waiters]) {
      if (!waiter.ready()) continue;
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.wake();
    }
  }
}

async function countSpans(url: string): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM mini_agent_observability.spans`;
    return row?.n ?? 0;
  } finally {
    await sql.end();
  }
}

// A server of its own: the test stops it while the agent is exporting.
describe.runIf(binDir !== null)('an exporting process killed with SIGKILL, spool on', () => {
  let server: ThrowawayPostgres;
  let spoolDir: string;
  beforeAll(async () => {
    await buildWorkspacePackage('@mini-agent/exporter-postgres');
    server = await startThrowawayPostgres(binDir as string);
    await migrate(server.url);
    spoolDir = mkdtempSync(join(tmpdir(), 'crash-spool-'));
  }, 600_000);
  afterAll(() => {
    server?.stop();
    if (spoolDir) rmSync(spoolDir, { recursive: true, force: true });
  });

  it('every span it acknowledged is stored after restarts (one killed mid-replay too), and a replay resumes where the last one stopped', async () => {
    const ledger = new Ledger();
    const started = Date.now();

    // The agent exports while the database is up, then while it is down (into the spool), and is killed.
    const agent = ledger.start('produce', server.url, spoolDir);
    await agent.until(ledger, () => ledger.acked.size >= 3_000);
    server.pause();
    const ackedBeforeOutage = ledger.acked.size;
    await agent.until(ledger, () => ledger.acked.size >= ackedBeforeOutage + 4_000);
    agent.kill();
    await agent.exited;
    const ackedInAll = ledger.acked.size;
    const storedBeforeRestart = ledger.stored.size;
    server.start();

    // A second process on the same spool replays it, and is killed part way through.
    const restart = Date.now();
    const first = ledger.start('drain', server.url, spoolDir);
    await first.until(ledger, () => first.storedHere() >= 5);
    first.kill();
    await first.exited;
    const storedByFirst = first.storedHere();
    // Mid-replay means: it had stored batches, had not reported an empty spool, and acknowledged
    // spans were still missing from the database when it died.
    const storedAfterKill = await countSpans(server.url);
    const killedMidReplay = storedByFirst >= 5 && ledger.stats.length === 0 && storedAfterKill < ackedInAll;

    // A third finishes the replay.
    const second = ledger.start('drain', server.url, spoolDir);
    await second.exited;
    const drainMillis = Date.now() - restart;

    const sql = postgres(server.url, { max: 1, onnotice: () => {} });
    try {
      const rows = await sql<{ span_id: string }[]>`SELECT span_id FROM mini_agent_observability.spans`;
      const inDatabase = new Set(rows.map((r) => r.span_id));
      const lost = [...ledger.acked].filter((id) => !inDatabase.has(id));
      const storedTwice = [...ledger.stored.values()].filter((n) => n > 1).length;
      const storedByThird = second.storedHere();
      const final = ledger.stats.at(-1) ?? {};
      console.log(
        `[reliability] SIGKILL with spool: ${ackedInAll} spans acknowledged (${ackedInAll - ackedBeforeOutage} while the database was down), ` +
          `${storedBeforeRestart} stored before the kill; replay killed mid-way: ${killedMidReplay}; lost ${lost.length}; ` +
          `${storedAfterKill} rows when it died, ${storedByThird} batches left for the next; ${storedTwice} spans written twice ` +
          `(largest batch ${ledger.largestBatch}); ` +
          `spool drained in ${drainMillis} ms over two restarts; torn frames skipped: ${String(final.spoolTornFrames)}; run ${Date.now() - started} ms`,
      );
      expect(lost).toEqual([]);
      expect(killedMidReplay, `stored ${storedByFirst} batches, ${storedAfterKill} of ${ackedInAll} rows, STATS lines ${ledger.stats.length}`).toBe(true);
      expect(storedByThird).toBeGreaterThan(0); // the third process had a real rest of the spool to replay
      // One row per span id is the primary key's job; what the spool must do is resume from its
      // committed cursor: only the batch in flight at each kill may be written again, never the
      // batches the killed process had already committed.
      expect(storedTwice).toBeLessThanOrEqual(2 * ledger.largestBatch);
      expect(ackedInAll - ackedBeforeOutage).toBeGreaterThanOrEqual(4_000); // acknowledged from the spool alone
      expect(final).toMatchObject({ spoolBytes: 0, dropped: {}, rejected: {} });
    } finally {
      await sql.end();
    }
  }, 300_000);
});
