import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BACKENDS } from './backends.js';
import { seedDataset } from './dataset.js';

const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
const snippetFile = fileURLToPath(new URL('./.readme-snippet.generated.ts', import.meta.url));
const server = BACKENDS.find((b) => b.name === 'PostgreSQL server')!;

describe.runIf(server.available)('the README', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    rmSync(snippetFile, { force: true });
  });

  it('has a snippet that starts the dashboard over DATABASE_URL and renders the overview', async () => {
    const snippet = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(snippet).toContain('await startDashboard({ port: 4400 })');
    const db = await server.create();
    try {
      await seedDataset(db.options);
      vi.stubEnv('DATABASE_URL', db.options.databaseUrl!);
      const logged: unknown[][] = [];
      const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logged.push(args));
      // Run as written, except: the package name resolves to the sources, and any free port instead of 4400.
      writeFileSync(snippetFile, snippet!.replace("'@mini-agent/dashboard'", "'../src/index.js'").replace('port: 4400', 'port: 0'));
      try {
        await import(/* @vite-ignore */ `${snippetFile}?t=${Date.now()}`);
      } finally {
        log.mockRestore();
      }
      expect(logged[0]?.[0]).toMatch(/^Dashboard at http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(logged[1]?.[0]).toBe(200);
      expect(logged[1]?.[1]).toMatch(/^db;dur=[\d.]+, render;dur=[\d.]+, total;dur=[\d.]+$/);
    } finally {
      await db.close();
    }
  });
});
