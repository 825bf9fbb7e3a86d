import { emptyState } from '../html/components.js';
import { html, type SafeHtml } from '../html/html.js';
import { href } from '../html/layout.js';
import type { TimeWindow } from '../time-window.js';

const QUICK_START = `import { registerMiniAgentTracing, withSession, withTool } from '@mini-agent/otel';

const tracing = registerMiniAgentTracing({ serviceName: 'my-agent' }); // DATABASE_URL from the environment
await withSession({ name: 'fix-bug', userId: 'u-42' }, async () => {
  await withTool({ name: 'read_file', category: 'file', input: { path: 'a.ts' } }, async () => 'export {}');
});
await tracing.shutdown();`;

/** What to do when there is no data at all: the quick start and the demo. */
export function noDataYet(source: string): SafeHtml {
  return emptyState(
    'No agent sessions yet',
    html`<p>The dashboard reads <code>${source}</code>, and it holds no sessions or tool calls yet.</p>
<p>See it work in one command — a simulated agent session written into the embedded database:</p>
<pre class="snippet">npx mini-agent-otel demo --dashboard</pre>
<p>Or instrument your agent (rows go to <code>DATABASE_URL</code>, else to the embedded database in <code>.mini-agent/pglite</code>):</p>
<pre class="snippet">${QUICK_START}</pre>
<p>Then reload this page. Spans from other languages reach the same tables through the OTLP bridge (<code>mini-agent-otel serve</code>).</p>`,
  );
}

/** Data exists, but not in the chosen window. */
export function nothingInWindow(what: string, window: TimeWindow, path: string): SafeHtml {
  return emptyState(
    `No ${what} in this window`,
    html`<p>Nothing was recorded ${window.range === 'custom' ? html`between ${window.label}` : html`in the ${window.label.toLowerCase()}`}.
Try a longer range: <a href="${href(path, { range: '7d' })}">last 7 days</a>, <a href="${href(path, { range: 'all' })}">all time</a>.</p>`,
  );
}

/** No PGlite data directory yet. */
export function noDatabase(dataDir: string): SafeHtml {
  return emptyState(
    'No database yet',
    html`<p>There is no embedded database at <code>${dataDir}</code> yet. Create it by running an agent, or the demo:</p>
<pre class="snippet">npx mini-agent-otel demo --dashboard</pre>
<p>To read a PostgreSQL or Supabase database instead: <code>mini-agent-otel dashboard --database-url postgres://…</code> (or set <code>DATABASE_URL</code>).</p>
<p>This page checks again each time it is loaded.</p>`,
  );
}

/** The database exists but has no mini-agent tables. */
export function noSchema(source: string): SafeHtml {
  return emptyState(
    'The mini-agent tables are missing',
    html`<p><code>${source}</code> has no <code>mini_agent_observability</code> schema (or an older one without the analytics functions).
The dashboard only reads; create or update the tables with:</p>
<pre class="snippet">npx mini-agent-otel migrate</pre>
<p>(the exporter also does it before its first write). Then reload this page.</p>`,
  );
}

/** The server cannot be reached. */
export function unreachable(source: string, message: string): SafeHtml {
  return emptyState(
    'The database cannot be reached',
    html`<p>Reading <code>${source}</code> failed:</p><pre class="snippet">${message}</pre>
<p>Check that the server runs and that the URL (<code>--database-url</code> or <code>DATABASE_URL</code>) is right, then reload.</p>`,
  );
}
