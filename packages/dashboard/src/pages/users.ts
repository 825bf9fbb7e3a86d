import { scoreStatsPanel } from './scores.js';
import { emptyState, kpi } from '../html/components.js';
import { formatCount, formatPct, numberCell, timeElement } from '../html/format.js';
import { html, join } from '../html/html.js';
import { href, rangePicker, type PageSpec } from '../html/layout.js';
import { USERS_LIMIT, type UserDetailData, type UserStatsRow } from '../queries/users.js';
import { windowParams, type TimeWindow } from '../time-window.js';
import { nothingInWindow } from './empty-states.js';
import { sessionTable } from './sessions.js';
import { toolHref, userHref } from './shared.js';
import { formatUsd } from './spend.js';

/** A user's spend of the window (`cost_by_user`). */
type UserSpend = { cost_usd: number; unpriced: number };

/** Every user of the window: sessions, failure rate, tools used, tokens, last seen (`user_stats`). */
export function usersPage(rows: readonly UserStatsRow[], window: TimeWindow, spend?: ReadonlyMap<string, UserSpend>): PageSpec {
  const title = 'Users';
  const body = html`<div class="title-row"><h1>${title}</h1>${rangePicker('/users', window)}</div>
${rows.length === 0
    ? nothingInWindow('users', window, '/users')
    : html`<p class="muted">Users are the <code>user_id</code> of the session spans (<code>mini_agent.user.id</code>, <code>user.id</code>, <code>langfuse.user.id</code>).${rows.length >= USERS_LIMIT ? html` The ${formatCount(USERS_LIMIT)} most recently seen are listed.` : ''}</p>
<table class="data" id="users"><thead><tr><th>User</th><th class="num">Sessions</th><th class="num">Failed</th><th class="num">Failure rate</th><th class="num">Tool calls</th><th>Tools used</th><th class="num">Tokens</th>${spend ? html`<th class="num">Spend</th>` : ''}<th>Last seen</th></tr></thead><tbody>
${join(rows, (u) => html`<tr data-user="${u.user_id}">
<td><a href="${userHref(u.user_id, window)}">${u.user_id}</a></td>
${numberCell(u.sessions, formatCount, 'sessions')}
${numberCell(u.failed_sessions, formatCount, 'failed_sessions')}
${numberCell(u.failed_pct, formatPct, 'failed_pct')}
${numberCell(u.tool_calls, formatCount, 'tool_calls')}
<td>${join(u.tools_used, (t) => html`<a href="${toolHref(t, window)}">${t}</a>`, ', ')}</td>
${numberCell(u.total_tokens, formatCount, 'total_tokens')}
${spend ? numberCell(spend.get(u.user_id)?.cost_usd ?? 0, formatUsd, 'cost_usd') : ''}
<td>${timeElement(u.last_seen)}</td>
</tr>`)}
</tbody></table>`}`;
  return { title, section: 'users', window, body };
}

/** One user: their figures and their sessions in the window. */
export function userDetailPage(userId: string, data: UserDetailData, window: TimeWindow, spend?: UserSpend): PageSpec {
  const path = `/users/${encodeURIComponent(userId)}`;
  const header = html`<p class="crumbs"><a href="${href('/users', windowParams(window))}">Users</a> /</p>
<div class="title-row"><h1>${userId}</h1>${rangePicker(path, window)}</div>`;
  const facts = { user: userId };
  const s = data.stats;
  if (!s) {
    const body = data.everSeen
      ? emptyState('No sessions in this window', html`<p><code>${userId}</code> ran no session in the ${window.label.toLowerCase()}. <a href="${href(path, { range: 'all' })}">All time</a>.</p>`)
      : emptyState('Unknown user', html`<p>No session of a user <code>${userId}</code> was ever recorded. <a href="/users">All users</a>.</p>`);
    return { title: userId, section: 'users', window, facts, body: html`${header}${body}`, ...(data.everSeen ? {} : { status: 404 }) };
  }
  const body = html`${header}
<p class="muted">First seen ${timeElement(s.first_seen)} · last seen ${timeElement(s.last_seen)} · tools used: ${s.tools_used.length === 0 ? 'none' : join(s.tools_used, (t) => html`<a href="${toolHref(t, window)}">${t}</a>`, ', ')}</p>
<section class="kpis" aria-label="Figures of ${userId}">
  ${kpi('Sessions', 'sessions', s.sessions, formatCount, html`${formatCount(s.complete_sessions)} complete`)}
  ${kpi('Failed sessions', 'failed_sessions', s.failed_sessions, formatCount)}
  ${kpi('Failure rate', 'failed_pct', s.failed_pct, formatPct)}
  ${kpi('Tool calls', 'tool_calls', s.tool_calls, formatCount, html`${formatCount(s.failed_tools)} failed`)}
  ${kpi('LLM tokens', 'total_tokens', s.total_tokens, formatCount)}
  ${kpi('LLM spend', 'cost_usd', spend?.cost_usd ?? 0, formatUsd, spend && spend.unpriced > 0 ? html`${formatCount(spend.unpriced)} calls unpriced` : undefined)}
</section>
<section>
<h2>Sessions</h2>
<p class="muted" id="matching" data-value="${String(data.matching)}">${formatCount(data.matching)} session${data.matching === 1 ? '' : 's'}${data.matching > data.sessions.length ? html` · the newest ${formatCount(data.sessions.length)} are listed: <a href="${href('/sessions', { ...windowParams(window), user: userId })}">all of them</a>` : ''}</p>
${sessionTable(data.sessions)}
</section>
${scoreStatsPanel(data.scores, 'user-scores')}`;
  return { title: userId, section: 'users', window, facts, body };
}
