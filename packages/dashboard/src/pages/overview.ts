import { describeRetention } from '@mini-agent/exporter-postgres';
import { scoreStatsPanel } from './scores.js';
import { chart, kpi } from '../html/components.js';
import { formatCount, formatMs, formatPct, numberCell, timeElement } from '../html/format.js';
import { html, join, type SafeHtml } from '../html/html.js';
import { rangePicker, type PageSpec } from '../html/layout.js';
import type { OverviewData, SessionBucket } from '../queries/overview.js';
import type { ToolStatsRow } from '../queries/rows.js';
import { intervalSeconds, type TimeWindow } from '../time-window.js';
import { noDataYet, nothingInWindow } from './empty-states.js';
import { alertRows, toolHref } from './shared.js';
import { spendKpi } from './spend.js';
import type { SpendTotals } from '../queries/spend.js';

/** The overview: sessions, success and error rates, tool latency, what fires, what is slow or failing. */
export function overviewPage(data: OverviewData, window: TimeWindow, source: string, spend?: SpendTotals): PageSpec {
  const title = 'Overview';
  if (!data.hasAnyData) return { title, section: 'overview', window, body: html`<h1>${title}</h1>${noDataYet(source)}` };
  const { totals, tools } = data;
  const successPct = totals.failed_pct === null ? null : 100 - totals.failed_pct;
  const empty = totals.sessions === 0 && tools.executions === 0;
  const body = html`<div class="title-row"><h1>${title}</h1>${rangePicker('/', window)}</div>
<section class="kpis" aria-label="Headline figures">
  ${kpi('Sessions', 'sessions', totals.sessions, formatCount, html`${formatCount(totals.complete_sessions)} complete`)}
  ${kpi('Session success rate', 'success_pct', successPct, formatPct, html`${formatCount(totals.failed_sessions)} failed`)}
  ${kpi('Tool error rate', 'error_pct', tools.error_pct, formatPct, html`${formatCount(tools.errors)} of ${formatCount(tools.executions)} calls`)}
  ${kpi('p95 tool latency', 'p95_ms', tools.p95_ms, formatMs, html`median ${formatMs(tools.p50_ms)}`)}
  ${kpi('p95 session duration', 'p95_duration_ms', totals.p95_duration_ms, formatMs, html`median ${formatMs(totals.p50_duration_ms)}`)}
  ${spend ? spendKpi(spend, window) : ''}
</section>
${empty ? nothingInWindow('sessions', window, '/') : sessionsChart(data.buckets, window)}
<section id="firing">
  <h2>Firing alerts</h2>
  ${data.firing.length === 0
    ? html`<p class="ok-note">Nothing fires right now. <a href="/alerts">See every rule and its current value</a>.</p>`
    : html`<table class="data" id="firing-alerts"><thead><tr><th>Rule</th><th>Subject</th><th class="num">Value</th><th class="num">Threshold</th><th class="num">Samples</th><th>Window</th></tr></thead>
<tbody>${alertRows(data.firing, { withState: false })}</tbody></table>`}
</section>
${empty ? '' : html`<div class="grid2">
  ${toolList('Slowest tools', 'slowest-tools', [...data.toolStats].sort((a, b) => b.p95_ms - a.p95_ms || a.tool_name.localeCompare(b.tool_name)).slice(0, 5), window, 'p95_ms')}
  ${toolList('Most failing tools', 'failing-tools', data.toolStats.filter((t) => t.errors > 0).sort((a, b) => b.errors - a.errors || a.tool_name.localeCompare(b.tool_name)).slice(0, 5), window, 'errors')}
</div>
${topErrors(data, window)}
${models(data)}`}
${scoreStatsPanel(data.scores)}
<p class="muted" id="retention">Retention: ${describeRetention(data.retention)}</p>`;
  return { title, section: 'overview', window, body };
}

function sessionsChart(buckets: readonly SessionBucket[], window: TimeWindow): SafeHtml {
  const seconds = intervalSeconds(window.bucket);
  const byStart = new Map(buckets.map((b) => [Math.floor(b.bucket.getTime() / 1000), b]));
  // Every bucket of the window, empty ones too, so the time axis is even.
  const first = window.since ? floorTo(window.since.getTime() / 1000, seconds) : Math.min(...byStart.keys());
  const last = buckets.length > 0 ? Math.max(floorTo(window.until.getTime() / 1000 - 1, seconds), ...byStart.keys()) : first;
  const x: number[] = [];
  for (let t = first; t <= last && x.length < 2_000; t += seconds) x.push(t);
  return chart(
    'sessions-over-time',
    {
      type: 'time-bars',
      x,
      bucketSeconds: seconds,
      series: [
        { label: 'Sessions', values: x.map((t) => byStart.get(t)?.sessions ?? 0), color: '#4c78a8' },
        { label: 'Failed', values: x.map((t) => byStart.get(t)?.failed ?? 0), color: '#e45756' },
      ],
    },
    `Sessions per ${window.bucket.replace(/^1 /, '')}, failed in red`,
  );
}

function toolList(title: string, id: string, rows: readonly ToolStatsRow[], window: TimeWindow, emphasis: 'p95_ms' | 'errors'): SafeHtml {
  return html`<section><h2>${title}</h2>${rows.length === 0
    ? html`<p class="muted">${emphasis === 'errors' ? 'No tool failed in this window.' : 'No tool ran in this window.'}</p>`
    : html`<table class="data" id="${id}"><thead><tr><th>Tool</th><th class="num">Calls</th><th class="num">Errors</th><th class="num">Error rate</th><th class="num">p95</th></tr></thead><tbody>
${join(rows, (t) => html`<tr data-tool="${t.tool_name}"><td><a href="${toolHref(t.tool_name, window)}">${t.tool_name}</a></td>${numberCell(t.executions, formatCount, 'executions')}${numberCell(t.errors, formatCount, 'errors')}${numberCell(t.error_pct, formatPct, 'error_pct')}${numberCell(t.p95_ms, formatMs, 'p95_ms')}</tr>`)}
</tbody></table>`}</section>`;
}

function topErrors(data: OverviewData, window: TimeWindow): SafeHtml {
  if (data.topErrors.length === 0) return html``;
  return html`<section><h2>Most frequent tool errors</h2><table class="data" id="top-errors"><thead><tr><th>Error</th><th class="num">Times</th><th>Tools</th><th>Last seen</th></tr></thead><tbody>
${join(data.topErrors, (e) => html`<tr><td class="message">${e.error_message ?? html`<span class="muted">(no message)</span>`}</td>${numberCell(e.occurrences, formatCount, 'occurrences')}<td>${join(e.tool_names, (name) => html`<a href="${toolHref(name, window)}">${name}</a>`, ', ')}</td><td>${timeElement(e.last_seen)}</td></tr>`)}
</tbody></table></section>`;
}

function models(data: OverviewData): SafeHtml {
  if (data.models.length === 0) return html``;
  return html`<section><h2>LLM calls</h2><table class="data" id="model-usage"><thead><tr><th>Model</th><th class="num">Calls</th><th class="num">Input tokens</th><th class="num">Output tokens</th><th class="num">p95</th></tr></thead><tbody>
${join(data.models, (m) => html`<tr><td>${m.model ?? '(unknown)'}${m.provider ? html` <span class="muted">${m.provider}</span>` : ''}</td>${numberCell(m.generations, formatCount, 'generations')}${numberCell(m.input_tokens, formatCount, 'input_tokens')}${numberCell(m.output_tokens, formatCount, 'output_tokens')}${numberCell(m.p95_ms, formatMs, 'p95_ms')}</tr>`)}
</tbody></table></section>`;
}

function floorTo(seconds: number, step: number): number {
  return Math.floor(seconds / step) * step;
}
