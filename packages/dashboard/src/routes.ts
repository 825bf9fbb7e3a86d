import type { DataSource } from './data-source.js';
import { emptyState } from './html/components.js';
import { html } from './html/html.js';
import type { PageSpec } from './html/layout.js';
import { alertsPage } from './pages/alerts.js';
import { noDatabase, noSchema, unreachable } from './pages/empty-states.js';
import { overviewPage } from './pages/overview.js';
import { sessionDetailPage } from './pages/session-detail.js';
import { sessionsPage } from './pages/sessions.js';
import { spendPage } from './pages/spend.js';
import { toolDetailPage } from './pages/tool-detail.js';
import { toolsPage } from './pages/tools.js';
import { userDetailPage, usersPage } from './pages/users.js';
import { loadAlerts } from './queries/alerts.js';
import { loadOverview } from './queries/overview.js';
import { loadSessionDetail } from './queries/session-detail.js';
import { loadSessions, parseSessionFilter } from './queries/sessions.js';
import { loadGenerationCosts, loadSpend, loadSpendTotals, loadUserSpend } from './queries/spend.js';
import { loadToolDetail, loadTools } from './queries/tools.js';
import { loadUserDetail, loadUsers } from './queries/users.js';
import type { LangfuseLinks } from './langfuse-links.js';
import type { ReadOnlyDatabase } from './read-only-database.js';
import { parseTimeWindow } from './time-window.js';
import { buildWaterfall } from './waterfall.js';

/** What a page handler gets: the request's path parameters and query, "now", and the database. */
export interface PageRequest {
  readonly params: readonly string[];
  readonly query: URLSearchParams;
  readonly now: Date;
  readonly db: ReadOnlyDatabase;
  readonly source: string;
  /** Links into Langfuse, when a Langfuse sink is configured. */
  readonly langfuse?: LangfuseLinks | undefined;
}

type Handler = (request: PageRequest) => Promise<PageSpec>;

interface Route {
  readonly pattern: RegExp;
  readonly handler: Handler;
}

/** OTel trace ids are 32 hex digits; anything else cannot be a stored trace. */
const TRACE_ID = /^[0-9a-f]{32}$/;

const ROUTES: readonly Route[] = [
  {
    pattern: /^\/$/,
    handler: async ({ query, now, db, source }) => {
      const window = parseTimeWindow(query, now);
      const [data, spend] = await db.read((q) => Promise.all([loadOverview(q, window, now), loadSpendTotals(q, window)]));
      return overviewPage(data, window, source, spend);
    },
  },
  {
    pattern: /^\/tools$/,
    handler: async ({ query, now, db }) => {
      const window = parseTimeWindow(query, now);
      return toolsPage(await db.read((q) => loadTools(q, window)), window, query);
    },
  },
  {
    pattern: /^\/tools\/([^/]+)$/,
    handler: async ({ params, query, now, db }) => {
      const window = parseTimeWindow(query, now);
      const name = params[0]!;
      return toolDetailPage(name, await db.read((q) => loadToolDetail(q, window, name)), window);
    },
  },
  {
    pattern: /^\/sessions$/,
    handler: async ({ query, now, db }) => {
      const window = parseTimeWindow(query, now);
      const filter = parseSessionFilter(query);
      return sessionsPage(await db.read((q) => loadSessions(q, window, filter)), window, filter);
    },
  },
  {
    pattern: /^\/sessions\/([^/]+)$/,
    handler: async ({ params, db, langfuse }) => {
      const traceId = params[0]!.toLowerCase();
      if (!TRACE_ID.test(traceId)) return notFound('Session not found', `"${params[0]}" is not a trace id (32 hexadecimal digits).`);
      const [data, costs] = await db.read((q) => Promise.all([loadSessionDetail(q, traceId), loadGenerationCosts(q, traceId)]));
      return sessionDetailPage(traceId, data, buildWaterfall(data), { langfuseUrl: langfuse?.traceUrl(traceId) }, costs);
    },
  },
  {
    pattern: /^\/users$/,
    handler: async ({ query, now, db }) => {
      const window = parseTimeWindow(query, now);
      const [rows, spend] = await db.read((q) => Promise.all([loadUsers(q, window), loadUserSpend(q, window)]));
      return usersPage(rows, window, spend);
    },
  },
  {
    pattern: /^\/users\/([^/]+)$/,
    handler: async ({ params, query, now, db }) => {
      const window = parseTimeWindow(query, now);
      const userId = params[0]!;
      const [data, spend] = await db.read((q) => Promise.all([loadUserDetail(q, window, userId), loadUserSpend(q, window, userId)]));
      return userDetailPage(userId, data, window, spend.get(userId));
    },
  },
  {
    pattern: /^\/spend$/,
    handler: async ({ query, now, db }) => {
      const window = parseTimeWindow(query, now);
      return spendPage(await db.read((q) => loadSpend(q, window)), window);
    },
  },
  {
    pattern: /^\/alerts$/,
    handler: async ({ now, db }) => alertsPage(await db.read((q) => loadAlerts(q, now))),
  },
];

/** Finds the handler of a path; path parameters arrive decoded. `undefined`: no such page. */
export function matchRoute(pathname: string): { handler: Handler; params: string[] } | undefined {
  for (const route of ROUTES) {
    const match = route.pattern.exec(pathname);
    if (match) return { handler: route.handler, params: match.slice(1).map((p) => decodeURIComponent(p)) };
  }
  return undefined;
}

/** A page for a path no route knows, or a parameter that cannot name anything. */
export function notFound(title = 'Page not found', message = 'There is no such page.'): PageSpec {
  return { title, section: null, status: 404, body: html`<h1>${title}</h1>${emptyState(title, html`<p>${message} <a href="/">Back to the overview</a>.</p>`)}` };
}

/** What to show instead of a page while the data source has nothing to read. */
export function setupPage(state: Exclude<Awaited<ReturnType<DataSource['state']>>, { status: 'ready' }>, source: string): PageSpec {
  switch (state.status) {
    case 'no-database':
      return { title: 'No database yet', section: null, body: html`<h1>mini-agent-otel</h1>${noDatabase(state.dataDir)}` };
    case 'no-schema':
      return { title: 'Tables missing', section: null, body: html`<h1>mini-agent-otel</h1>${noSchema(source)}` };
    case 'unreachable':
      return { title: 'Database unreachable', section: null, status: 503, body: html`<h1>mini-agent-otel</h1>${unreachable(source, state.message)}` };
  }
}
