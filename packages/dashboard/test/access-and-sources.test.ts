import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { migrate } from '@mini-agent/exporter-postgres';
import { createTestPglite, freePort } from '@mini-agent/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, TOKEN_COOKIE, type Dashboard } from '../src/index.js';
import { pgliteReadOnlyDatabase } from '../src/read-only-database.js';
import { openServerDatabase } from '../src/server-database.js';
import { BACKENDS } from './backends.js';
import { seedDataset } from './dataset.js';
import { writeSession } from './live-writes.js';

const get = (dashboard: Dashboard, path: string, headers: Record<string, string> = {}) =>
  fetch(new URL(path, dashboard.url), { redirect: 'manual', headers });

describe('a dashboard started with a token', () => {
  let pglite: PGlite;
  let dashboard: Dashboard;

  beforeAll(async () => {
    pglite = await createTestPglite();
    await migrate(pglite);
    dashboard = await startDashboard({ pglite, port: 0, token: 's3cret-token' });
  });
  afterAll(async () => {
    await dashboard?.close();
    await pglite?.close();
  });

  it('turns away a request without the token', async () => {
    const response = await get(dashboard, '/sessions');
    expect(response.status).toBe(401);
    expect(await response.text()).toContain('needs its token');
    expect((await get(dashboard, '/sessions', { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await get(dashboard, '/sessions?token=wrong')).status).toBe(401);
  });

  it('accepts the token once in the URL, then keeps the browser signed in with a cookie and drops it from the address', async () => {
    const first = await get(dashboard, '/sessions?range=7d&token=s3cret-token');
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/sessions?range=7d');
    const cookie = first.headers.get('set-cookie')!;
    expect(cookie).toMatch(new RegExp(`^${TOKEN_COOKIE}=s3cret-token; Path=/; HttpOnly; SameSite=Strict$`));
    const next = await get(dashboard, '/sessions?range=7d', { cookie: cookie.split(';')[0]! });
    expect(next.status).toBe(200);
  });

  it('accepts the token as a bearer header (scripts, curl)', async () => {
    expect((await get(dashboard, '/alerts', { authorization: 'Bearer s3cret-token' })).status).toBe(200);
  });

  it('serves its static files without the token: they hold no data', async () => {
    expect((await get(dashboard, '/static/dashboard.css')).status).toBe(200);
  });
});

describe('binding the dashboard', () => {
  it('refuses an address other machines can reach unless a token is given', async () => {
    await expect(startDashboard({ host: '0.0.0.0', port: 0, dataDir: 'memory://' })).rejects.toThrow(/give it a token/);
  });

  it('binds to 127.0.0.1 by default', async () => {
    const pglite = await createTestPglite();
    const dashboard = await startDashboard({ pglite, port: 0 });
    try {
      expect(dashboard.host).toBe('127.0.0.1');
      expect(dashboard.url).toBe(`http://127.0.0.1:${dashboard.port}/`);
    } finally {
      await dashboard.close();
      await pglite.close();
    }
  });
});

for (const backend of BACKENDS) {
  describe.runIf(backend.available)(`reading ${backend.name}`, () => {
    it('happens in read-only transactions: a write through the dashboard database is refused', async () => {
      const db = await backend.create();
      const reader = db.options.pglite
        ? await pgliteReadOnlyDatabase(db.options.pglite, { owned: false })
        : openServerDatabase({ url: db.options.databaseUrl!, prepare: true });
      try {
        await expect(
          reader.read((q) => q(`INSERT INTO mini_agent_observability.alert_thresholds (rule_name, metric, threshold) VALUES ('x', 'memory_pct', 1)`)),
        ).rejects.toThrow(/read-only transaction/);
        // The seeded rules (four, and the score and spend rules, disabled), none added.
        expect(await reader.read((q) => q('SELECT count(*) AS n FROM mini_agent_observability.alert_thresholds'))).toEqual([{ n: 6 }]);
      } finally {
        await reader.close();
        await db.close();
      }
    });
  });
}

describe('the embedded database in a data directory', () => {
  const root = mkdtempSync(join(tmpdir(), 'dashboard-datadir-'));
  const dataDir = join(root, 'pglite');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('says there is no database yet, then shows the data once an agent has written it, without touching its files', async () => {
    const dashboard = await startDashboard({ dataDir, port: 0 });
    try {
      const before = await (await get(dashboard, '/')).text();
      expect(before).toContain('No database yet');
      expect(before).toContain('npx mini-agent-otel demo --dashboard');

      // An agent (here: the exporter) writes into the directory and closes it.
      const writer = await PGlite.create(dataDir);
      await migrate(writer);
      const seeded = await seedDataset({ pglite: writer });
      await writer.close();
      const fingerprint = directoryFingerprint(dataDir);

      const after = await (await get(dashboard, '/')).text();
      expect(after).toContain('data-field="sessions" data-value="11"');
      expect(after).toContain('Copy of the PGlite database taken');
      expect((await get(dashboard, `/sessions/${seeded.traces.fix}`)).status).toBe(200);
      await dashboard.close();
      expect(directoryFingerprint(dataDir)).toBe(fingerprint);
    } finally {
      await dashboard.close();
    }
  }, 240_000); // two PostgreSQL instances start in WebAssembly, one of them from scratch

  it('takes a new copy when the agent writes more rows, while the agent keeps the directory open', async () => {
    const dashboard = await startDashboard({ dataDir, port: 0, langfuse: false });
    const writer = await PGlite.create(dataDir);
    try {
      const sessions = async () => (await (await get(dashboard, '/sessions?range=all')).text());
      const first = await sessions();
      const takenAt = /Copy of the PGlite database taken ([^;]+);/.exec(first)?.[1];
      expect(takenAt).toBeDefined();

      const traceId = await writeSession({ pglite: writer }, 'written after the copy');
      // The directory changed: a request notices, a new copy opens in the background, a later request reads it.
      // The first copy was taken before the write, so seeing the new session proves a new copy. (Its
      // "taken" time is shown to the second and may equal the first's: not compared.)
      await expect.poll(async () => (await sessions()).includes(`data-trace="${traceId}"`), { timeout: 120_000, interval: 1_000 }).toBe(true);
      expect(await sessions()).toMatch(/Copy of the PGlite database taken [^;]+;/);
    } finally {
      await writer.close();
      await dashboard.close();
    }
  }, 240_000);

  it('says the tables are missing when the database was never migrated', async () => {
    const bare = join(root, 'bare');
    const db = await PGlite.create(bare);
    await db.close();
    const dashboard = await startDashboard({ dataDir: bare, port: 0 });
    try {
      const page = await (await get(dashboard, '/tools')).text();
      expect(page).toContain('The mini-agent tables are missing');
      expect(page).toContain('npx mini-agent-otel migrate');
    } finally {
      await dashboard.close();
    }
  }, 240_000);
});

describe('a database server that cannot be reached', () => {
  it('gets a page saying so, with the password masked', async () => {
    const port = await freePort();
    const dashboard = await startDashboard({ databaseUrl: `postgres://app:hunter2-secret@127.0.0.1:${port}/db`, port: 0 });
    try {
      const response = await get(dashboard, '/');
      expect(response.status).toBe(503);
      const page = await response.text();
      expect(page).toContain('The database cannot be reached');
      expect(page).toContain('postgres://app:***@127.0.0.1');
      expect(page).not.toContain('hunter2-secret');
    } finally {
      await dashboard.close();
    }
  });
});

/** Every file's path, size and content hash: changes if anything in the directory is written. */
function directoryFingerprint(dir: string): string {
  const hash = createHash('sha256');
  const walk = (path: string) => {
    for (const name of readdirSync(path).sort()) {
      const full = join(path, name);
      const stat = statSync(full);
      if (stat.isDirectory()) walk(full);
      else hash.update(`${full}:${stat.size}:`).update(readFileSync(full));
    }
  };
  walk(dir);
  return hash.digest('hex');
}
