import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';

const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
const snippets = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
const cwd = process.cwd();

/** Runs a README snippet as written, except that the package name resolves to this package's sources. */
async function run(snippet: string, name: string): Promise<unknown[]> {
  const file = fileURLToPath(new URL(`./.readme-${name}.generated.ts`, import.meta.url));
  const logged: unknown[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logged.push(args));
  try {
    writeFileSync(file, snippet.replaceAll("'@mini-agent/core'", `'${fileURLToPath(new URL('../src/index.js', import.meta.url))}'`));
    await import(/* @vite-ignore */ `${file}?t=${Date.now()}`);
  } finally {
    log.mockRestore();
    rmSync(file, { force: true });
  }
  return logged;
}

describe('the README', () => {
  let dir: string | undefined;
  afterEach(() => {
    process.chdir(cwd);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('interprets a span into records as its first snippet shows', async () => {
    const logged = await run(snippets[0]!, 'interpret');
    expect(logged.map((args) => (args as unknown[])[0])).toEqual(['trace', 'span', 'tool']);
    expect((logged[2] as unknown[])[1]).toMatchObject({ toolName: 'read_file', category: 'file', input: { path: 'README.md' }, success: true });
  });

  it('delivers through a pipeline with a spool as its delivery snippet shows', async () => {
    dir = mkdtempSync(join(tmpdir(), 'core-readme-'));
    process.chdir(dir);
    const snippet = snippets.find((s) => s.includes('spoolDir'));
    const logged = await run(snippet!, 'delivery');
    expect((logged[0] as unknown[])[0]).toMatchObject({ accepted: 2, delivered: 2, spooled: 0, dropped: {}, rejected: {}, healthy: true });
  });
});
