import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, startDashboard, type Dashboard } from '../src/index.js';
import { BACKENDS, type DashboardDb } from './backends.js';
import { seedDataset, type SeededDataset } from './dataset.js';

const PAGES = ['/', '/tools', '/tools/web_search', '/sessions', '/users', '/users/alice', '/alerts'];

for (const backend of BACKENDS) {
  describe.runIf(backend.available)(`the dashboard over HTTP on ${backend.name}`, () => {
    let db: DashboardDb;
    let dashboard: Dashboard;
    let data: SeededDataset;

    beforeAll(async () => {
      db = await backend.create();
      data = await seedDataset(db.options);
      dashboard = await startDashboard({ ...db.options, port: 0 });
    });
    afterAll(async () => {
      await dashboard?.close();
      await db?.close();
    });

    const get = (path: string, init?: RequestInit) => fetch(new URL(path, dashboard.url), { redirect: 'manual', ...init });

    it('serves every page with a strict Content-Security-Policy and no caching', async () => {
      for (const path of [...PAGES, `/sessions/${data.traces.fix}`]) {
        const response = await get(path);
        expect(response.status, path).toBe(200);
        expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
        expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
        expect(response.headers.get('content-security-policy')).not.toContain('unsafe-inline');
        expect(response.headers.get('x-content-type-options')).toBe('nosniff');
        expect(response.headers.get('cache-control')).toBe('no-store');
        expect(response.headers.get('server-timing')).toMatch(/^db;dur=[\d.]+, render;dur=[\d.]+, total;dur=[\d.]+$/);
      }
    });

    it('serves every page at every range, "All time" included', async () => {
      const ranges = ['range=1h', 'range=24h', 'range=7d', 'range=30d', 'range=all', `from=2000-01-01T00:00:00Z&to=${new Date(Date.now() + 60_000).toISOString()}`];
      for (const path of [...PAGES, `/sessions/${data.traces.fix}`]) {
        for (const range of ranges) {
          const response = await get(`${path}?${range}`);
          expect(response.status, `${path}?${range}`).toBe(200);
        }
      }
    });

    it('prints hostile tool input as text, never as markup', async () => {
      const page = await (await get(`/sessions/${data.traces.papers}`)).text();
      expect(page).not.toContain('<script>window.__pwned');
      expect(page).not.toContain('<img src=x');
      expect(page).not.toContain('</script><script>window.__pwned = 3');
      expect(page).toContain('&lt;script&gt;window.__pwned = 1&lt;/script&gt;');
      expect(page).toContain('plain text &lt;b&gt;not bold&lt;/b&gt;');
    });

    it('serves uPlot from its installed package, and its own script and styles', async () => {
      for (const [path, type] of [
        ['/static/uPlot.iife.min.js', 'text/javascript; charset=utf-8'],
        ['/static/uPlot.min.css', 'text/css; charset=utf-8'],
        ['/static/dashboard.js', 'text/javascript; charset=utf-8'],
        ['/static/dashboard.css', 'text/css; charset=utf-8'],
      ] as const) {
        const response = await get(path);
        expect(response.status, path).toBe(200);
        expect(response.headers.get('content-type')).toBe(type);
        expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(500);
      }
      expect(await (await get('/static/uPlot.iife.min.js')).text()).toContain('uPlot');
      const etag = (await get('/static/dashboard.js')).headers.get('etag')!;
      expect((await get('/static/dashboard.js', { headers: { 'if-none-match': etag } })).status).toBe(304);
      expect((await get('/static/../package.json')).status).toBe(404);
    });

    it('refuses anything but reading', async () => {
      for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
        const response = await get('/sessions', { method });
        expect(response.status, method).toBe(405);
        expect(response.headers.get('allow')).toBe('GET, HEAD');
      }
    });

    it('answers unknown pages, unknown sessions and malformed ids with 404', async () => {
      expect((await get('/nope')).status).toBe(404);
      expect((await get(`/sessions/${'0'.repeat(32)}`)).status).toBe(404);
      const malformed = await get('/sessions/not-a-trace-id');
      expect(malformed.status).toBe(404);
      expect(await malformed.text()).toContain('is not a trace id');
      expect((await get('/tools/never_ran_tool')).status).toBe(404);
      expect((await get('/tools/%E0%A4%A')).status).toBe(400);
    });

    it('refuses a Host header that is not a loopback name (DNS rebinding)', async () => {
      const { request } = await import('node:http');
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(new URL('/', dashboard.url), { headers: { host: 'attacker.example:4400' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(403);
    });
  });
}
