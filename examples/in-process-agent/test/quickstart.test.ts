import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { createTestDatabase, hasPostgres } from '@mini-agent/test-support';
import { describe, expect, it, vi } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const quickstartFile = resolve(here, '..', 'src', 'quickstart.ts');
const readmeFile = resolve(here, '..', '..', '..', 'README.md');

/** The rows the quick start leaves behind, whatever database they went to. */
interface Landed {
  traces: { name: string; agent_name: string; user_id: string; status: string }[];
  tools: { tool_name: string; category: string; success: boolean; output: unknown }[];
  decisions: { decision_type: string; chosen: string }[];
}

const QUERIES = {
  traces: "SELECT name, agent_name, user_id, status FROM mini_agent_observability.traces WHERE name = 'fix-bug'",
  tools: 'SELECT tool_name, category, success, output FROM mini_agent_observability.tool_executions ORDER BY started_at, tool_name', // both tools may start in the same millisecond
  decisions: 'SELECT decision_type, chosen FROM mini_agent_observability.decisions',
} as const;

function expectQuickstartRows(landed: Landed): void {
  expect(landed.traces).toEqual([{ name: 'fix-bug', agent_name: 'my-agent', user_id: 'u-42', status: 'ok' }]);
  expect(landed.tools).toEqual([
    { tool_name: 'grep', category: 'core', success: true, output: ['a.ts:3'] },
    { tool_name: 'read_file', category: 'file', success: true, output: 'export {}' },
  ]);
  expect(landed.decisions).toEqual([{ decision_type: 'tool_selection', chosen: 'grep' }]);
}

/** Runs src/quickstart.ts exactly as written: importing it executes its top-level code. */
async function runQuickstart(): Promise<void> {
  vi.resetModules();
  await import('../src/quickstart.js');
}

describe('the README quick start', () => {
  it('is, line for line, the code of src/quickstart.ts', () => {
    const readme = readFileSync(readmeFile, 'utf8');
    const section = readme.slice(readme.indexOf('## Quick start'));
    const snippet = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(snippet?.trim()).toBe(readFileSync(quickstartFile, 'utf8').trim());
  });

  it.skipIf(!hasPostgres())('with DATABASE_URL set, lands a session, two tools and a decision in PostgreSQL', async () => {
    const db = await createTestDatabase('quickstart');
    try {
      vi.stubEnv('DATABASE_URL', db.url);
      await runQuickstart();
      const sql = postgres(db.url, { max: 1, onnotice: () => {} });
      try {
        const rows = async (text: string) => (await sql.unsafe(text)).map((r) => ({ ...r }));
        expectQuickstartRows({
          traces: (await rows(QUERIES.traces)) as Landed['traces'],
          tools: (await rows(QUERIES.tools)) as Landed['tools'],
          decisions: (await rows(QUERIES.decisions)) as Landed['decisions'],
        });
      } finally {
        await sql.end();
      }
    } finally {
      vi.unstubAllEnvs();
      await db.drop();
    }
  });

  // Runs whether or not the run has a server: it clears the database variables itself.
  it('with no database configured, lands the same rows in the embedded PGlite database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quickstart-'));
    const cwd = process.cwd();
    try {
      process.chdir(dir);
      vi.stubEnv('DATABASE_URL', '');
      vi.stubEnv('SUPABASE_DB_URL', '');
      await runQuickstart();
      const db = await PGlite.create(join(dir, '.mini-agent', 'pglite'));
      try {
        const rows = async (text: string) => (await db.query(text)).rows;
        expectQuickstartRows({
          traces: (await rows(QUERIES.traces)) as Landed['traces'],
          tools: (await rows(QUERIES.tools)) as Landed['tools'],
          decisions: (await rows(QUERIES.decisions)) as Landed['decisions'],
        });
      } finally {
        await db.close();
      }
    } finally {
      process.chdir(cwd);
      vi.unstubAllEnvs();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
