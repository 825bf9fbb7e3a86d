// Links from a session's page to the same trace in Langfuse, against the Langfuse test server:
// the project id comes from GET /api/public/projects with the sink's keys, once, in the
// background; a page never waits for Langfuse.
import { LangfuseExporter } from '@mini-agent/exporter-langfuse';
import { DEFAULT_TEST_PROJECT, startLangfuseTestServer, type LangfuseTestServer } from '@mini-agent/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type Dashboard, type DashboardOptions } from '../src/index.js';
import { langfuseLinkOptionsFromEnv } from '../src/langfuse-links.js';
import { BACKENDS, type DashboardDb } from './backends.js';
import { writeSession } from './live-writes.js';

const KEYS = { publicKey: 'pk-lf-dashboard-test', secretKey: 'sk-lf-dashboard-secret' } as const;

describe('links to Langfuse from a session page', () => {
  let langfuse: LangfuseTestServer;
  let db: DashboardDb;
  let traceId: string;
  const dashboards: Dashboard[] = [];
  const start = async (options: Partial<DashboardOptions>, log: string[] = []) => {
    const dashboard = await startDashboard({ ...db.options, port: 0, log: (line) => log.push(line), ...options });
    dashboards.push(dashboard);
    return dashboard;
  };
  const sessionPage = async (dashboard: Dashboard) => {
    const started = performance.now();
    const response = await fetch(new URL(`/sessions/${traceId}`, dashboard.url));
    expect(response.status).toBe(200);
    return { text: await response.text(), ms: performance.now() - started };
  };
  const projectLookups = () => langfuse.requests.filter((r) => r.path === '/api/public/projects');
  const linkTo = (project: string) => `href="${langfuse.baseUrl}/project/${project}/traces/${traceId}"`;

  beforeAll(async () => {
    // Langfuse v3 takes traces on both transports; the sink's default (OTLP) is used here.
    langfuse = await startLangfuseTestServer({ ...KEYS, langfuseVersion: 3 });
    db = await BACKENDS[0]!.create();
    // The same session goes to Postgres and, through the Langfuse sink, to Langfuse.
    traceId = await writeSession(db.options, 'linked to langfuse', { also: [new LangfuseExporter({ ...KEYS, baseUrl: langfuse.baseUrl })] });
  });
  afterAll(async () => {
    for (const dashboard of dashboards) await dashboard.close();
    await db?.close();
    await langfuse?.close();
  });

  it('links to the trace Langfuse stored, in the project the keys belong to, looked up once', async () => {
    expect(langfuse.trace(traceId)).toBeDefined();
    langfuse.reset();
    const dashboard = await start({ langfuse: { baseUrl: langfuse.baseUrl, ...KEYS } });
    await expect.poll(async () => (await sessionPage(dashboard)).text.includes(linkTo(DEFAULT_TEST_PROJECT.id)), { timeout: 10_000 }).toBe(true);
    const page = (await sessionPage(dashboard)).text;
    expect(page).toContain('rel="noopener noreferrer"');
    expect(projectLookups()).toHaveLength(1);
    expect(projectLookups()[0]).toMatchObject({ method: 'GET', status: 200 });
    expect(projectLookups()[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`${KEYS.publicKey}:${KEYS.secretKey}`).toString('base64')}`);
  });

  it('with LANGFUSE_PROJECT_ID known, links without asking Langfuse', async () => {
    langfuse.reset();
    const dashboard = await start({ langfuse: { baseUrl: `${langfuse.baseUrl}/`, projectId: 'proj-given' } });
    expect((await sessionPage(dashboard)).text).toContain(linkTo('proj-given'));
    expect(projectLookups()).toHaveLength(0);
  });

  it('with wrong keys, shows the page without a link and logs why, without the secret', async () => {
    langfuse.reset();
    const log: string[] = [];
    const dashboard = await start({ langfuse: { baseUrl: langfuse.baseUrl, publicKey: KEYS.publicKey, secretKey: 'sk-lf-wrong-secret', retryAfterMillis: 60_000 } }, log);
    await expect.poll(() => log.length, { timeout: 10_000 }).toBe(1);
    expect(log[0]).toContain('HTTP 401');
    expect(log.join('\n')).not.toContain('sk-lf-wrong-secret');
    const page = (await sessionPage(dashboard)).text;
    expect(page).not.toContain('Open in Langfuse');
    // No new look-up before the retry time.
    await sessionPage(dashboard);
    expect(projectLookups()).toHaveLength(1);
  });

  it('never waits for a slow Langfuse: the page answers at once, the link appears once the answer is in', async () => {
    langfuse.reset();
    langfuse.inject({ kind: 'slow', delayMillis: 3_000, endpoint: 'projects' });
    const dashboard = await start({ langfuse: { baseUrl: langfuse.baseUrl, ...KEYS } });
    const first = await sessionPage(dashboard);
    // Answered before Langfuse did: without the link, and sooner than the injected delay (the claim
    // itself, not a speed bound, so a loaded machine cannot fail it).
    expect(first.text).not.toContain('Open in Langfuse');
    expect(first.ms).toBeLessThan(3_000);
    await expect.poll(async () => (await sessionPage(dashboard)).text.includes(linkTo(DEFAULT_TEST_PROJECT.id)), { timeout: 10_000 }).toBe(true);
  });

  it('is configured like the Langfuse sink: its keys and base URL from the environment', () => {
    expect(langfuseLinkOptionsFromEnv({})).toBeUndefined();
    expect(langfuseLinkOptionsFromEnv({ LANGFUSE_PUBLIC_KEY: KEYS.publicKey })).toBeUndefined();
    expect(langfuseLinkOptionsFromEnv({ LANGFUSE_PUBLIC_KEY: KEYS.publicKey, LANGFUSE_SECRET_KEY: KEYS.secretKey })).toEqual({
      baseUrl: 'https://cloud.langfuse.com', ...KEYS,
    });
    expect(langfuseLinkOptionsFromEnv({ ...keysEnv(), LANGFUSE_BASE_URL: 'https://langfuse.example.com', LANGFUSE_PROJECT_ID: ' p1 ' })).toEqual({
      baseUrl: 'https://langfuse.example.com', ...KEYS, projectId: 'p1',
    });
  });
});

function keysEnv(): NodeJS.ProcessEnv {
  return { LANGFUSE_PUBLIC_KEY: KEYS.publicKey, LANGFUSE_SECRET_KEY: KEYS.secretKey };
}
