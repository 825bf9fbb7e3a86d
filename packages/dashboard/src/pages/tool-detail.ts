import { chart, emptyState, histogramChart, kpi } from '../html/components.js';
import { formatCount, formatMs, formatPct, numberCell, timeElement } from '../html/format.js';
import { html, join, type SafeHtml } from '../html/html.js';
import { href, rangePicker, type PageSpec } from '../html/layout.js';
import type { ExecutionRow, ToolDetailData } from '../queries/tools.js';
import { intervalSeconds, windowParams, type TimeWindow } from '../time-window.js';
import { sessionHref } from './shared.js';

/** One tool: its figures, latency histogram, calls over time, the failures (each linked to its span) and the slowest calls. */
export function toolDetailPage(toolName: string, data: ToolDetailData, window: TimeWindow): PageSpec {
  const title = toolName;
  const path = `/tools/${encodeURIComponent(toolName)}`;
  const header = html`<p class="crumbs"><a href="${href('/tools', windowParams(window))}">Tools</a> /</p>
<div class="title-row"><h1>${toolName}</h1>${rangePicker(path, window)}</div>`;
  const facts = { tool: toolName };
  const s = data.stats[0];
  if (!s) {
    const body = data.everRan
      ? emptyState('No calls in this window', html`<p><code>${toolName}</code> did not run in the ${window.label.toLowerCase()}. <a href="${href(path, { range: 'all' })}">All time</a>.</p>`)
      : emptyState('Unknown tool', html`<p>No call of a tool named <code>${toolName}</code> was ever recorded. <a href="/tools">All tools</a>.</p>`);
    return { title, section: 'tools', window, facts, body: html`${header}${body}`, ...(data.everRan ? {} : { status: 404 }) };
  }
  const others = data.stats.slice(1);
  const seconds = intervalSeconds(window.bucket);
  const body = html`${header}
<p class="muted">Category <a href="${href('/tools', { ...windowParams(window), category: s.category })}">${s.category}</a>${others.length > 0 ? html` (also recorded as ${join(others, (o) => html`<em>${o.category}</em> ${formatCount(o.executions)}×`, ', ')}; the figures below are the ${s.category} calls)` : ''} · first call ${timeElement(s.first_at)} · last call ${timeElement(s.last_at)}</p>
<section class="kpis" aria-label="Figures of ${toolName}">
  ${kpi('Calls', 'executions', s.executions, formatCount)}
  ${kpi('Errors', 'errors', s.errors, formatCount)}
  ${kpi('Error rate', 'error_pct', s.error_pct, formatPct)}
  ${kpi('p50 latency', 'p50_ms', s.p50_ms, formatMs)}
  ${kpi('p95 latency', 'p95_ms', s.p95_ms, formatMs)}
  ${kpi('Slowest', 'max_ms', s.max_ms, formatMs, html`mean ${formatMs(s.avg_ms)}`)}
</section>
<div class="grid2">
${histogramChart('latency-histogram', data.histogram, `Latency of ${formatCount(s.executions)} calls (log-spaced buckets)`)}
${chart(
  'calls-over-time',
  {
    type: 'time-bars',
    x: data.buckets.map((b) => b.bucket.getTime() / 1000),
    bucketSeconds: seconds,
    series: [
      { label: 'Calls', values: data.buckets.map((b) => b.executions), color: '#4c78a8' },
      { label: 'Errors', values: data.buckets.map((b) => b.errors), color: '#e45756' },
    ],
  },
  `Calls per ${window.bucket.replace(/^1 /, '')}, errors in red`,
)}
</div>
<section>
<h2>Failures</h2>
${data.failures.length === 0 ? html`<p class="ok-note">No failed call in this window.</p>` : executionTable('failures', data.failures, true)}
${data.failures.length >= 50 ? html`<p class="muted">The 50 most recent failures are listed.</p>` : ''}
</section>
<section>
<h2>Slowest calls</h2>
${executionTable('slowest', data.slowest, false)}
</section>`;
  return { title, section: 'tools', window, facts, body };
}

function executionTable(id: string, rows: readonly ExecutionRow[], failures: boolean): SafeHtml {
  return html`<table class="data" id="${id}"><thead><tr><th>When</th><th>Session</th><th class="num">Duration</th><th>${failures ? 'Error' : 'Result'}</th><th>Span</th></tr></thead><tbody>
${join(rows, (r) => html`<tr data-span="${r.id}" data-trace="${r.trace_id}">
<td>${timeElement(r.started_at)}</td>
<td><a class="session-link" href="${sessionHref(r.trace_id)}">${r.session_name ?? r.trace_id.slice(0, 12)}</a></td>
${numberCell(r.duration_ms, formatMs, 'duration_ms')}
<td class="message">${r.success ? html`<span class="badge badge-ok">ok</span>` : html`<span class="badge badge-error">failed</span> ${r.error_message ?? ''}`}</td>
<td><a class="span-link" href="${sessionHref(r.trace_id, r.id)}">${r.id}</a></td>
</tr>`)}
</tbody></table>`;
}
