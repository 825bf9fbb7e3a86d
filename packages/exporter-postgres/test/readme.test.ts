import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, hasPostgres } from '@mini-agent/test-support';
import { afterEach, describe, expect, it, vi } from 'vitest';

const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
const snippetFile = fileURLToPath(new URL('./.readme-snippet.generated.ts', import.meta.url));

describe.runIf(hasPostgres())('the README', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    rmSync(snippetFile, { force: true });
  });

  it('has a first snippet that runs and stores a tool row', async () => {
    const snippet = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(snippet).toContain('new PostgresExporter()');
    const database = await createTestDatabase('exporter_pg');
    try {
      // The snippet reads DATABASE_URL: point it at a throwaway database (PGlite is covered by the other suites).
      vi.stubEnv('DATABASE_URL', database.url);
      const logged: unknown[] = [];
      const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logged.push(args[0]));
      // Imported as written, except that the package name resolves to this package's sources.
      writeFileSync(snippetFile, (snippet as string).replace("'@mini-agent/exporter-postgres'", "'../src/index.js'"));
      await import(/* @vite-ignore */ `${snippetFile}?t=${Date.now()}`);
      log.mockRestore();
      expect(logged[0]).toMatchObject({ accepted: 3, delivered: 3, dropped: {} });

      const postgres = (await import('postgres')).default;
      const sql = postgres(database.url, { max: 1 });
      try {
        const rows = await sql`SELECT tool_name, category, input FROM mini_agent_observability.tool_executions`;
        expect([...rows]).toEqual([{ tool_name: 'read_file', category: 'file', input: { path: 'notes.md' } }]);
      } finally {
        await sql.end();
      }
    } finally {
      await database.drop();
    }
  });
});
