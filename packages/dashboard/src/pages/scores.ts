import { formatCount, formatNumber, numberCell, timeElement } from '../html/format.js';
import { html, join, type SafeHtml } from '../html/html.js';
import type { ScoreRow, ScoreStatsRow } from '../queries/scores.js';

/** A score's value as read: the number, the label, or both (`0.3 · not_relevant`). */
function scoreValue(s: { data_type: string; value: number | null; label: string | null }): SafeHtml {
  if (s.data_type === 'boolean') return html`${s.value === 1 ? 'true' : 'false'}`;
  if (s.value === null) return html`<span class="tag">${s.label ?? '—'}</span>`;
  return html`${formatNumber(s.value)}${s.label !== null ? html` <span class="tag">${s.label}</span>` : ''}`;
}

/** The session page's scores: every judgment of the run or one of its spans, newest first. */
export function sessionScoresSection(scores: readonly ScoreRow[]): SafeHtml {
  if (scores.length === 0) return html``;
  return html`<section id="scores"><h2>Scores <span class="muted small">${formatCount(scores.length)}</span></h2><table class="data" id="score-list"><thead><tr><th>Given</th><th>Score</th><th class="num">Value</th><th>Explanation</th><th>Source</th><th>On</th></tr></thead><tbody>
${join(scores, (s) => html`<tr data-score="${s.id}" data-name="${s.name}"><td>${timeElement(s.created_at)}</td><td>${s.name}</td><td class="num" data-value="${s.value ?? s.label ?? ''}">${scoreValue(s)}</td><td class="message">${s.explanation ?? ''}</td><td>${s.source}${s.author ? html` <span class="muted">${s.author}</span>` : ''}</td><td>${s.span_id ? html`<a href="#span-${s.span_id}">${s.span_id}</a>` : html`<span class="muted">the session</span>`}</td></tr>`)}
</tbody></table></section>`;
}

/** Per score name over the window: count, sessions, average, range and labels (`score_stats`). */
export function scoreStatsPanel(stats: readonly ScoreStatsRow[], id = 'score-stats'): SafeHtml {
  if (stats.length === 0) return html``;
  return html`<section id="${id}-section"><h2>Scores</h2><table class="data" id="${id}"><thead><tr><th>Score</th><th>Type</th><th class="num">Count</th><th class="num">Sessions</th><th class="num">Average</th><th class="num">Min</th><th class="num">Max</th><th>Labels</th></tr></thead><tbody>
${join(stats, (s) => html`<tr data-score-name="${s.name}"><td>${s.name}</td><td>${s.data_type}</td>${numberCell(s.scores, formatCount, 'scores')}${numberCell(s.sessions, formatCount, 'sessions')}${numberCell(s.avg_value, formatNumber, 'avg_value')}${numberCell(s.min_value, formatNumber, 'min_value')}${numberCell(s.max_value, formatNumber, 'max_value')}<td>${join(Object.entries(s.labels ?? {}), ([label, n]) => html`<span class="tag">${label} ${formatCount(n)}</span>`, ' ')}</td></tr>`)}
</tbody></table></section>`;
}
