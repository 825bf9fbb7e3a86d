import { formatCount, formatMs, formatPct, numberCell, timeElement } from '../html/format.js';
import { html, join, type SafeHtml } from '../html/html.js';
import { href } from '../html/layout.js';
import type { AlertStatusRow } from '../queries/rows.js';
import { windowParams, type TimeWindow } from '../time-window.js';

/** The link to a tool's page, keeping the window. */
export function toolHref(toolName: string, window?: TimeWindow): string {
  return href(`/tools/${encodeURIComponent(toolName)}`, window ? windowParams(window) : {});
}

/** The link to a session (trace), optionally to one of its spans. */
export function sessionHref(traceId: string, spanId?: string): string {
  return `/sessions/${encodeURIComponent(traceId)}${spanId ? `#span-${encodeURIComponent(spanId)}` : ''}`;
}

/** The link to a user's page, optionally keeping the window. */
export function userHref(userId: string, window?: TimeWindow): string {
  return href(`/users/${encodeURIComponent(userId)}`, window ? windowParams(window) : {});
}

/** The anchor of a rule on the alerts page (`id` of its row there). */
export function ruleAnchor(ruleName: string): string {
  return `rule-${encodeURIComponent(ruleName)}`;
}

/** The link to a rule on the alerts page. */
export function ruleHref(ruleName: string): string {
  return `/alerts#${ruleAnchor(ruleName)}`;
}

/** How an alert metric's values print: milliseconds for latencies, percent for rates. */
export function formatAlertValue(metric: string): (n: number | null | undefined) => string {
  return metric.endsWith('_ms') ? formatMs : metric.endsWith('_pct') ? formatPct : formatCount;
}

/** A window length in seconds as people say it: `1 h`, `30 min`, `2 d`. */
export function formatWindow(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} d`;
  if (seconds % 3_600 === 0) return `${seconds / 3_600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** The subject of an alert row: a tool (linked) or everything. */
export function alertSubject(row: AlertStatusRow): SafeHtml {
  return row.subject === null ? html`<span class="muted">all</span>` : html`<a href="${toolHref(row.subject)}">${row.subject}</a>`;
}

/** Rows of alert values: rule, subject, value against threshold, samples, window. */
export function alertRows(rows: readonly AlertStatusRow[], options: { withState: boolean }): SafeHtml {
  return join(rows, (row) => {
    const format = formatAlertValue(row.metric);
    return html`<tr data-rule="${row.rule_name}" data-subject="${row.subject ?? ''}" class="${row.firing ? 'firing' : ''}">
  <td><a href="${ruleHref(row.rule_name)}">${row.rule_name}</a></td>
  <td>${alertSubject(row)}</td>
  ${numberCell(row.value, format, 'value')}
  <td class="num" data-field="threshold" data-value="${String(row.threshold)}">${row.comparator} ${format(row.threshold)}</td>
  ${numberCell(row.samples, formatCount, 'samples')}
  <td>${formatWindow(row.window_seconds)} to ${timeElement(row.window_end)}</td>
  ${options.withState ? html`<td>${row.firing ? html`<span class="badge badge-firing">firing</span>` : row.samples === 0 ? html`<span class="badge badge-quiet">no data</span>` : html`<span class="badge badge-ok">ok</span>`}</td>` : ''}
</tr>`;
  });
}
