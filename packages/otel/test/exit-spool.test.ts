import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeliveryPipeline, type AgentRecord, type RecordSink } from '@mini-agent/core';
import { buildWorkspacePackage, freePort } from '@mini-agent/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const AGENT = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'exiting-agent.mjs');
let spoolRoot: string;
beforeAll(async () => {
  await buildWorkspacePackage('@mini-agent/otel');
  spoolRoot = mkdtempSync(join(tmpdir(), 'exit-spool-'));
}, 600_000);
afterAll(() => {
  if (spoolRoot) rmSync(spoolRoot, { recursive: true, force: true });
});

/** Runs the agent; sends `signal` once it says it is waiting. */
function runAgent(url: string, spoolDir: string, how: 'SIGTERM' | 'SIGINT' | 'end', variant?: 'open-session') {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [AGENT, url, spoolDir, how, ...(variant ? [variant] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stderr.setEncoding('utf8').on('data', (t: string) => void (stderr += t));
    child.stdout.setEncoding('utf8').on('data', (t: string) => {
      stdout += t;
      if (how !== 'end' && t.includes('waiting')) child.kill(how);
    });
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** What a later process replays from the spool into a sink of the same name. */
async function replay(spoolDir: string): Promise<AgentRecord[]> {
  const records: AgentRecord[] = [];
  const sink: RecordSink = { name: 'postgres', write: async (batch) => void records.push(...batch), shutdown: async () => {} };
  const pipeline = new DeliveryPipeline(sink, { spoolDir });
  expect(await pipeline.flush(10_000)).toBe(true);
  await pipeline.shutdown();
  return records;
}

describe('an agent process with the spool on and its database unreachable', () => {
  it.each(['SIGTERM', 'SIGINT', 'end'] as const)('ending by %s spools every span on its way out; the next start replays them', async (how) => {
    const spoolDir = join(spoolRoot, how);
    const result = await runAgent(`postgres://postgres@127.0.0.1:${await freePort()}/nowhere`, spoolDir, how);
    if (how === 'end') expect(result.code).toBe(0);
    else expect(result.signal).toBe(how); // the process still dies by the signal, as it would have
    const tools = (await replay(spoolDir)).filter((r): r is Extract<AgentRecord, { type: 'tool' }> => r.type === 'tool');
    expect(tools.map((t) => t.toolName)).toEqual(Array(5).fill(`tool_${how}`));
  }, 120_000);
});

describe('an agent with tail sampling, stopped while a session is still open', () => {
  it('spools the spans the sampler held for the session’s end: a stop decides them kept', async () => {
    const spoolDir = join(spoolRoot, 'open-session');
    const result = await runAgent(`postgres://postgres@127.0.0.1:${await freePort()}/nowhere`, spoolDir, 'SIGTERM', 'open-session');
    expect(result.signal).toBe('SIGTERM');
    // Held, and counted as held, when the signal came: not yet in any sink's queue or spool.
    expect(result.stdout).toContain('waiting, held 5');
    const records = await replay(spoolDir);
    const tools = records.filter((r): r is Extract<AgentRecord, { type: 'tool' }> => r.type === 'tool');
    expect(tools.map((t) => t.toolName)).toEqual(Array(5).fill('tool_SIGTERM'));
    // The session span never ended; its tools still name it, from the propagated attributes.
    const spans = records.filter((r): r is Extract<AgentRecord, { type: 'span' }> => r.type === 'span');
    expect(spans).toHaveLength(5);
    expect(spans.every((s) => s.sessionId === 'still-open' && s.userId === 'u-open')).toBe(true);
  }, 120_000);
});
