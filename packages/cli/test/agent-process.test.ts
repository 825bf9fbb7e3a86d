import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, REPO_ROOT, runNode } from './built-cli.js';

/**
 * An agent process using the built @mini-agent/otel. Its sink appends each record to a file, and
 * the batch delay is a minute: a record in the file before that can only come from the exit flush.
 */
const AGENT_SCRIPT = `
import { appendFile } from 'node:fs/promises';
import { registerMiniAgentTracing, withSession, withTool } from ${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'packages/otel/dist/index.js')).href)};
const [out, mode] = process.argv.slice(2);
const sink = {
  name: 'file',
  async write(records) { await appendFile(out, records.map((r) => JSON.stringify({ type: r.type, tool: r.toolName ?? null })).join('\\n') + '\\n'); },
  async shutdown() { await appendFile(out, JSON.stringify({ type: 'shutdown' }) + '\\n'); },
};
registerMiniAgentTracing({ postgres: false, langfuse: false, otlp: false, sinks: [sink], exitHooks: mode !== 'no-hooks', batch: { scheduledDelayMillis: 60_000 } });
await withSession({ name: 'agent' }, () => withTool({ name: 'before_exit', category: 'core' }, async () => 1));
if (mode === 'wait') { setInterval(() => {}, 1_000); console.log('waiting'); } else console.log('done');
`;

let dir: string;
let script: string;
beforeAll(async () => {
  await buildCli('@mini-agent/otel');
  dir = mkdtempSync(join(tmpdir(), 'agent-process-'));
  script = join(dir, 'agent.mjs');
  writeFileSync(script, AGENT_SCRIPT);
}, 600_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const recordsIn = (file: string) =>
  existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { type: string; tool: string | null }) : [];

describe('an agent process using registerMiniAgentTracing', () => {
  it('SIGTERM flushes the spans still queued, then the process dies by the signal as it would have', async () => {
    const out = join(dir, 'sigterm.jsonl');
    let signalled = false;
    const result = await runNode([script, out, 'wait'], {
      cwd: dir,
      onStdout(text, child) {
        if (!signalled && text.includes('waiting')) {
          signalled = true;
          child.kill('SIGTERM');
        }
      },
    });
    expect(result.stderr).toBe('');
    expect(result.signal).toBe('SIGTERM');
    const records = recordsIn(out);
    expect(records).toContainEqual({ type: 'tool', tool: 'before_exit' });
    expect(records.at(-1)).toEqual({ type: 'shutdown' });
  }, 60_000);

  it('a script that simply ends gets its last spans flushed (beforeExit) and exits 0 on its own', async () => {
    const out = join(dir, 'before-exit.jsonl');
    const result = await runNode([script, out, 'end'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(recordsIn(out)).toContainEqual({ type: 'tool', tool: 'before_exit' });
  }, 60_000);

  it('without the exit hooks the same script loses its last batch, which is why they are on by default', async () => {
    const out = join(dir, 'no-hooks.jsonl');
    const result = await runNode([script, out, 'no-hooks'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(recordsIn(out)).toEqual([]);
  }, 60_000);
});
