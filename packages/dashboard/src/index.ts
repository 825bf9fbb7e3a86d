/**
 * A small, fast, read-only web dashboard over the mini-agent-otel tables: which tools are slow,
 * which fail, which sessions failed and why, what fires. Served by `mini-agent-otel dashboard`.
 *
 * @example
 * ```ts
 * import { startDashboard } from '@mini-agent/dashboard';
 * const dashboard = await startDashboard({ port: 4400 }); // DATABASE_URL, else .mini-agent/pglite
 * console.log(`open ${dashboard.url}`);
 * ```
 *
 * @packageDocumentation
 */
export { startDashboard, DEFAULT_PORT, CONTENT_SECURITY_POLICY, type Dashboard, type DashboardOptions } from './server.js';
export type { DataSourceOptions } from './data-source.js';
export { isLoopback, TOKEN_COOKIE } from './access.js';
export { createSearchIndexes, dropSearchIndexes, SEARCH_INDEXES_SQL, type SearchIndexesResult } from './search-indexes.js';
export type { LangfuseLinkOptions } from './langfuse-links.js';
