import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { accessPolicy, isLoopback } from './access.js';
import { createDataSource, type DataSource, type DataSourceOptions } from './data-source.js';
import { DEFAULT_LIVE_INTERVAL_MS, layout, type PageSpec } from './html/layout.js';
import { html } from './html/html.js';
import { emptyState } from './html/components.js';
import { matchRoute, notFound, setupPage } from './routes.js';
import { loadStaticAssets, type StaticAsset } from './static-assets.js';
import { langfuseLinkOptionsFromEnv, langfuseLinks, type LangfuseLinkOptions, type LangfuseLinks } from './langfuse-links.js';

/** Options of {@link startDashboard}: where to listen, who may read, which database. */
export interface DashboardOptions extends DataSourceOptions {
  /** TCP port; `0` picks a free one. Default 4400. */
  readonly port?: number;
  /** Address to bind. Default `127.0.0.1`; anything that is not loopback requires a `token`. */
  readonly host?: string;
  /** A secret every request must carry (header, cookie, or `?token=` once). Required off loopback. */
  readonly token?: string;
  /** Where a line per failed request goes. Default: stderr. */
  readonly log?: (line: string) => void;
  /**
   * The Langfuse project sessions link to. Default: the Langfuse sink the environment configures
   * (`LANGFUSE_PUBLIC_KEY`, `LANGFUSE_SECRET_KEY`, `LANGFUSE_BASE_URL`, optional `LANGFUSE_PROJECT_ID`);
   * `false`: no links.
   */
  readonly langfuse?: LangfuseLinkOptions | false;
  /** How often a live page (the sessions list, a running session) fetches itself again. Default 5000 ms. */
  readonly liveIntervalMillis?: number;
}

/** A running dashboard. */
export interface Dashboard {
  /** The address to open, e.g. `http://127.0.0.1:4400/` (without the token). */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** The data source, printable (password masked). */
  readonly source: string;
  /** Stops listening and closes the database connections (not a PGlite instance passed in). */
  close(): Promise<void>;
}

/** The default port: "44" for mini-agent, "00" for the web. */
export const DEFAULT_PORT = 4400;

/**
 * Content-Security-Policy of every response: scripts and styles only from this server (no inline
 * code, no CDN), no plugins, no framing. Data blocks (`<script type="application/json">`) are not
 * scripts and need no exception.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
  "connect-src 'self'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/**
 * Starts the dashboard's HTTP server. Pages are rendered on the server from the analytics
 * functions, in one read-only transaction each.
 *
 * @example
 * ```ts
 * const dashboard = await startDashboard({ databaseUrl: process.env.DATABASE_URL });
 * console.log(`open ${dashboard.url}`);
 * ```
 * @throws when `host` is not a loopback address and no `token` is given, or the port is taken.
 */
export async function startDashboard(options: DashboardOptions = {}): Promise<Dashboard> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host) && !options.token) {
    throw new Error(`binding to ${host} makes the dashboard reachable from other machines: give it a token (--token or MINI_AGENT_DASHBOARD_TOKEN)`);
  }
  const source = createDataSource(options);
  const assets = loadStaticAssets();
  const allowed = accessPolicy(options.token);
  const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const linkOptions = options.langfuse === undefined ? langfuseLinkOptionsFromEnv() : options.langfuse || undefined;
  const langfuse = linkOptions ? langfuseLinks(linkOptions, log) : undefined;
  const liveIntervalMs = options.liveIntervalMillis ?? DEFAULT_LIVE_INTERVAL_MS;
  const server = createServer((request, response) => {
    handle(request, response, { source, assets, allowed, log, langfuse, liveIntervalMs }).catch((error: unknown) => {
      log(`dashboard: ${request.url}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (!response.headersSent) sendPage(response, errorPage(error), { source, now: new Date(), liveIntervalMs });
      else response.end();
    });
  });
  await listen(server, options.port ?? DEFAULT_PORT, host);
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closed = false;
  return {
    url: `http://${urlHost}:${port}/`,
    port,
    host,
    source: source.label,
    async close() {
      if (closed) return;
      closed = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await langfuse?.close();
      await source.close();
    },
  };
}

interface Context {
  readonly source: DataSource;
  readonly assets: ReadonlyMap<string, StaticAsset>;
  readonly allowed: ReturnType<typeof accessPolicy>;
  readonly log: (line: string) => void;
  readonly langfuse: LangfuseLinks | undefined;
  readonly liveIntervalMs: number;
}

async function handle(request: IncomingMessage, response: ServerResponse, context: Context): Promise<void> {
  const started = performance.now();
  const url = new URL(request.url ?? '/', 'http://dashboard.invalid');
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { ...SECURITY_HEADERS, allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
    response.end('The dashboard is read-only.\n');
    return;
  }
  if (url.pathname.startsWith('/static/')) return sendAsset(request, response, context.assets.get(url.pathname.slice('/static/'.length)));
  const access = context.allowed(request, url);
  if (!access.allow) {
    response.writeHead(access.status, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    response.end(`${access.reason}\n`);
    return;
  }
  if ('redirectTo' in access) {
    response.writeHead(303, { ...SECURITY_HEADERS, location: access.redirectTo, 'set-cookie': access.setCookie, 'cache-control': 'no-store' });
    response.end();
    return;
  }
  if (url.pathname === '/healthz') {
    response.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    response.end('ok\n');
    return;
  }
  const now = new Date();
  let route: ReturnType<typeof matchRoute>;
  try {
    route = matchRoute(url.pathname);
  } catch {
    return sendPage(response, notFound('Bad address', 'The address is not valid URL encoding.'), { source: context.source, now, status: 400, liveIntervalMs: context.liveIntervalMs });
  }
  if (!route) return sendPage(response, notFound(), { source: context.source, now, liveIntervalMs: context.liveIntervalMs });
  const state = await context.source.state();
  if (state.status !== 'ready') return sendPage(response, setupPage(state, context.source.label), { source: context.source, now, liveIntervalMs: context.liveIntervalMs });
  const spec = await route.handler({ params: route.params, query: url.searchParams, now, db: state.db, source: context.source.label, langfuse: context.langfuse });
  const dbMs = performance.now() - started;
  sendPage(response, spec, { source: context.source, now, timing: { dbMs, started }, head: request.method === 'HEAD', liveIntervalMs: context.liveIntervalMs });
}

function sendPage(
  response: ServerResponse,
  spec: PageSpec,
  options: { source: DataSource; now: Date; liveIntervalMs: number; status?: number; timing?: { dbMs: number; started: number }; head?: boolean },
): void {
  const body = layout(spec, { source: options.source.label, snapshotAt: options.source.snapshotAt(), now: options.now, liveIntervalMs: options.liveIntervalMs }).text;
  const headers: Record<string, string> = {
    ...SECURITY_HEADERS,
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
  };
  if (options.timing) {
    // Standard Server-Timing: the browser's devtools (and the benchmark) read where the time went.
    const total = performance.now() - options.timing.started;
    headers['server-timing'] = `db;dur=${options.timing.dbMs.toFixed(1)}, render;dur=${(total - options.timing.dbMs).toFixed(1)}, total;dur=${total.toFixed(1)}`;
  }
  response.writeHead(options.status ?? spec.status ?? 200, headers);
  response.end(options.head ? undefined : body);
}

function sendAsset(request: IncomingMessage, response: ServerResponse, asset: StaticAsset | undefined): void {
  if (!asset) {
    response.writeHead(404, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
    response.end('Not found\n');
    return;
  }
  const headers = { ...SECURITY_HEADERS, 'content-type': asset.contentType, etag: asset.etag, 'cache-control': 'no-cache' };
  if (request.headers['if-none-match'] === asset.etag) {
    response.writeHead(304, headers);
    response.end();
    return;
  }
  response.writeHead(200, { ...headers, 'content-length': String(asset.body.length) });
  response.end(request.method === 'HEAD' ? undefined : asset.body);
}

function errorPage(error: unknown): PageSpec {
  const message = error instanceof Error ? error.message : String(error);
  return { title: 'Error', section: null, status: 500, body: html`<h1>Something went wrong</h1>${emptyState('This page could not be rendered', html`<pre class="snippet">${message}</pre><p>The error is also in the dashboard's log.</p>`)}` };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
