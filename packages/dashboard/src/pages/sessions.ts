import { statusBadge } from '../html/components.js';
import { formatCount, formatMs, formatPct, formatWithUnit, numberCell, timeElement } from '../html/format.js';
import { html, join, type SafeHtml } from '../html/html.js';
import { href, type PageSpec } from '../html/layout.js';
import type { SessionStatsRow } from '../queries/rows.js';
import { PAGE_SIZE, type SessionFilter, type SessionsData } from '../queries/sessions.js';
import { RANGES, windowParams, type TimeWindow } from '../time-window.js';
import { nothingInWindow } from './empty-states.js';
import { sessionHref, userHref } from './shared.js';

/** The sessions list, newest first, filtered by time, agent, user, conversation and outcome. */
export function sessionsPage(data: SessionsData, window: TimeWindow, filter: SessionFilter): PageSpec {
  const title = 'Sessions';
  const keep = { ...windowParams(window), agent: filter.agent, user: filter.user, session: filter.session, q: filter.q, status: filter.status === 'any' ? '' : filter.status };
  const filtered = filter.agent || filter.user || filter.session || filter.q || filter.status !== 'any';
  const first = filter.page * PAGE_SIZE;
  const body = html`<h1>${title}</h1>
${filterForm(data, window, filter)}
<div id="session-results" data-live-region>
${data.rows.length === 0
    ? filtered
      ? html`<section class="empty" data-empty="true"><h2>No session matches</h2><p>Nothing in the ${window.label.toLowerCase()} matches these filters. <a href="${href('/sessions', windowParams(window))}">Clear the filters</a>.</p></section>`
      : nothingInWindow('sessions', window, '/sessions')
    : html`<p class="muted" id="matching" data-value="${String(data.matching)}">${formatCount(data.matching)} session${data.matching === 1 ? '' : 's'} · showing ${formatCount(first + 1)}–${formatCount(first + data.rows.length)}</p>
${sessionTable(data.rows)}
${pager(keep, filter.page, first + data.rows.length < data.matching)}`}
</div>`;
  // The first page of a window that ends now gains rows as sessions arrive; an older page or a
  // fixed window does not.
  const live = filter.page === 0 && window.range !== 'custom';
  return { title, section: 'sessions', window, body, live };
}

/** A table of sessions (rows of `session_stats`), each linked to its page and its user's. */
export function sessionTable(rows: readonly SessionStatsRow[]): SafeHtml {
  return html`<table class="data" id="sessions"><thead><tr><th>Started</th><th>Session</th><th>Agent</th><th>User</th><th class="num">Duration</th><th class="num">Tools</th><th class="num">Failed tools</th><th>Outcome</th><th class="num">Peak memory</th></tr></thead><tbody>
${join(rows, (row) => sessionRow(row))}
</tbody></table>`;
}

function sessionRow(row: SessionStatsRow): SafeHtml {
  const memory = row.peak_memory_pct ?? row.peak_memory_bytes;
  return html`<tr data-trace="${row.trace_id}" class="${row.failed ? 'failed' : ''}">
<td>${timeElement(row.started_at)}</td>
<td><a href="${sessionHref(row.trace_id)}">${row.name ?? row.trace_id.slice(0, 12)}</a>${row.session_id ? html` <span class="muted small">${row.session_id}</span>` : ''}</td>
<td>${row.agent_name ?? ''}</td>
<td>${row.user_id ? html`<a class="user-link" href="${userHref(row.user_id)}">${row.user_id}</a>` : ''}</td>
${numberCell(row.duration_ms, formatMs, 'duration_ms')}
${numberCell(row.tool_count, formatCount, 'tool_count')}
${numberCell(row.failed_tools, formatCount, 'failed_tools')}
<td>${outcome(row)}</td>
<td class="num" data-value="${memory === null ? '' : String(memory)}">${row.peak_memory_pct !== null ? formatPct(row.peak_memory_pct) : formatWithUnit(row.peak_memory_bytes, 'By')}</td>
</tr>`;
}

/** A session's outcome: failed (session span ERROR), running (no session span yet), or ok. */
export function outcome(row: Pick<SessionStatsRow, 'failed' | 'complete'>): SafeHtml {
  if (row.failed) return statusBadge('error', 'failed');
  if (!row.complete) return statusBadge('running', 'running');
  return statusBadge('ok', 'ok');
}

function filterForm(data: SessionsData, window: TimeWindow, filter: SessionFilter): SafeHtml {
  const agents = filter.agent && !data.agents.includes(filter.agent) ? [filter.agent, ...data.agents] : data.agents;
  const option = (value: string, label: string, current: string) => html`<option value="${value}"${value === current ? html` selected` : ''}>${label}</option>`;
  return html`<form class="filters" method="get" action="/sessions">
<label>Time <select name="range">${join(Object.entries(RANGES), ([key, spec]) => option(key, spec.label, window.range))}${window.range === 'custom' ? html`<option value="custom" selected>${window.label}</option>` : ''}</select></label>
${window.range === 'custom' ? html`<input type="hidden" name="from" value="${window.since!.toISOString()}"><input type="hidden" name="to" value="${window.until.toISOString()}">` : ''}
<label>Agent <select name="agent">${option('', 'any', filter.agent)}${join(agents, (a) => option(a, a, filter.agent))}</select></label>
<label>Search <input type="search" name="q" value="${filter.q}" placeholder="tool or LLM input, output, error, name" size="30" maxlength="200"></label>
<label>User <input name="user" value="${filter.user}" placeholder="any" size="14"></label>
<label>Outcome <select name="status">${option('any', 'any', filter.status)}${option('failed', 'failed', filter.status)}${option('ok', 'ok', filter.status)}${option('running', 'running', filter.status)}</select></label>
${filter.session ? html`<label>Conversation <input name="session" value="${filter.session}" size="18"></label>` : ''}
<button type="submit">Apply</button>
</form>`;
}

function pager(keep: Record<string, string>, page: number, hasNext: boolean): SafeHtml {
  if (page === 0 && !hasNext) return html``;
  return html`<nav class="pager">${page > 0 ? html`<a rel="prev" href="${href('/sessions', { ...keep, page: page - 1 || undefined })}">← newer</a>` : ''}
${hasNext ? html`<a rel="next" href="${href('/sessions', { ...keep, page: page + 1 })}">older →</a>` : ''}</nav>`;
}
