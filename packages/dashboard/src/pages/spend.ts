import { chart, kpi } from '../html/components.js';
import { formatCount, formatMs, numberCell, timeElement } from '../html/format.js';
import { html, join, type SafeHtml } from '../html/html.js';
import { href, rangePicker, type PageSpec } from '../html/layout.js';
import type { SpendBucket, SpendData, SpendTotals } from '../queries/spend.js';
import { intervalSeconds, windowParams, type TimeWindow } from '../time-window.js';
import { nothingInWindow } from './empty-states.js';
import { sessionHref, userHref } from './shared.js';

/** USD as a person reads it: cents for dollars, three significant digits below a dollar (a call is often $0.0004). */
export function formatUsd(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (value === 0) return '$0';
  return Math.abs(value) >= 1 ? `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}` : `$${Number(value.toPrecision(3))}`;
}

/** The overview's spend figure, linking to the spend page; says how many calls are unpriced. */
export function spendKpi(totals: SpendTotals, window: TimeWindow): SafeHtml {
  return kpi('LLM spend', 'cost_usd', totals.cost_usd, formatUsd, html`<a href="${href('/spend', windowParams(window))}">${formatCount(totals.generations)} calls</a>${totals.unpriced > 0 ? html` · <span class="error-text" data-field="unpriced" data-value="${totals.unpriced}">${formatCount(totals.unpriced)} unpriced</span>` : ''}`);
}

/** A generation's cost cell on the session page: the cost, or why there is none. */
export function generationCostCell(cost: { cost_usd: number | null; reason: string | null; source: string | null } | undefined): SafeHtml {
  if (!cost || cost.cost_usd === null) {
    return html`<td class="num muted" data-field="cost_usd" data-value="" title="${cost?.reason ?? 'not priced'}">unpriced${cost?.reason ? html` <span class="small">(${cost.reason.replace(/_/g, ' ')})</span>` : ''}</td>`;
  }
  return html`<td class="num" data-field="cost_usd" data-value="${String(cost.cost_usd)}"${cost.source === 'reported' ? html` title="reported by the span"` : ''}>${formatUsd(cost.cost_usd)}</td>`;
}

/** `/spend`: what the LLM calls cost, over time, per model (with time to first token), per session, and what could not be priced. */
export function spendPage(data: SpendData, window: TimeWindow): PageSpec {
  const title = 'Spend';
  const { totals } = data;
  const header = html`<div class="title-row"><h1>${title}</h1>${rangePicker('/spend', window)}</div>`;
  if (totals.generations === 0) return { title, section: 'spend', window, body: html`${header}${nothingInWindow('LLM calls', window, '/spend')}` };
  const body = html`${header}
<section class="kpis" aria-label="Spend figures">
  ${kpi('LLM spend', 'cost_usd', totals.cost_usd, formatUsd, html`${formatCount(totals.generations - totals.unpriced)} priced calls`)}
  ${kpi('LLM calls', 'generations', totals.generations, formatCount)}
  ${kpi('Unpriced calls', 'unpriced', totals.unpriced, formatCount, totals.unpriced > 0 ? html`<a href="#unpriced">not in the spend</a>` : 'every call priced')}
</section>
${spendChart(data.buckets, window)}
<section><h2>Spend per model</h2><table class="data" id="model-spend"><thead><tr><th>Model</th><th class="num">Calls</th><th class="num">Unpriced</th><th class="num">Input</th><th class="num">Cache read</th><th class="num">Cache write</th><th class="num">Output</th><th class="num">Reasoning</th><th class="num">Spend</th><th class="num">TTFT p50</th><th class="num">TTFT p95</th></tr></thead><tbody>
${join(data.models, (m) => html`<tr data-model="${m.model ?? ''}"><td>${m.model ?? '(unknown)'}${m.provider ? html` <span class="muted">${m.provider}</span>` : ''}</td>
${numberCell(m.generations, formatCount, 'generations')}${numberCell(m.unpriced, formatCount, 'unpriced')}${numberCell(m.uncached_input_tokens, formatCount, 'uncached_input_tokens')}
${numberCell(m.cache_read_tokens, formatCount, 'cache_read_tokens')}${numberCell(m.cache_creation_tokens, formatCount, 'cache_creation_tokens')}${numberCell(m.output_tokens, formatCount, 'output_tokens')}
${numberCell(m.reasoning_tokens, formatCount, 'reasoning_tokens')}${numberCell(m.cost_usd, formatUsd, 'cost_usd')}${numberCell(m.ttft_p50_ms, formatMs, 'ttft_p50_ms')}${numberCell(m.ttft_p95_ms, formatMs, 'ttft_p95_ms')}</tr>`)}
</tbody></table><p class="muted small">Input excludes cached tokens, output excludes reasoning tokens: each token counted once. TTFT: time to first token of streamed calls.</p></section>
${data.unpriced.length === 0 ? '' : html`<section id="unpriced"><h2>Unpriced models</h2><p class="muted">These calls have no cost (never counted as $0). Add their prices to <code>mini_agent_observability.model_prices</code>.</p>
<table class="data" id="unpriced-models"><thead><tr><th>Model</th><th>Provider</th><th>Why</th><th class="num">Calls</th><th>Last seen</th></tr></thead><tbody>
${join(data.unpriced, (u) => html`<tr data-model="${u.model ?? ''}"><td>${u.model ?? '(no model name)'}</td><td>${u.provider ?? '—'}</td><td>${u.reason.replace(/_/g, ' ')}</td>${numberCell(u.generations, formatCount, 'generations')}<td>${timeElement(u.last_seen)}</td></tr>`)}
</tbody></table></section>`}
<section><h2>Costliest sessions</h2><table class="data" id="session-spend"><thead><tr><th>Started</th><th>Session</th><th>User</th><th class="num">Calls</th><th class="num">Unpriced</th><th class="num">Spend</th></tr></thead><tbody>
${join(data.sessions, (s) => html`<tr data-trace="${s.trace_id}"><td>${timeElement(s.started_at)}</td><td><a href="${sessionHref(s.trace_id)}">${s.session_id ?? s.trace_id.slice(0, 12)}</a>${s.agent_name ? html` <span class="muted">${s.agent_name}</span>` : ''}</td>
<td>${s.user_id ? html`<a href="${userHref(s.user_id, window)}">${s.user_id}</a>` : '—'}</td>${numberCell(s.generations, formatCount, 'generations')}${numberCell(s.unpriced, formatCount, 'unpriced')}${numberCell(s.cost_usd, formatUsd, 'cost_usd')}</tr>`)}
</tbody></table></section>`;
  return { title, section: 'spend', window, body };
}

function spendChart(buckets: readonly SpendBucket[], window: TimeWindow): SafeHtml {
  const seconds = intervalSeconds(window.bucket);
  const byStart = new Map(buckets.map((b) => [Math.floor(b.bucket.getTime() / 1000), b.cost_usd]));
  const starts = [...byStart.keys()];
  const first = window.since ? Math.floor(window.since.getTime() / 1000 / seconds) * seconds : Math.min(...starts);
  const last = Math.max(Math.floor((window.until.getTime() / 1000 - 1) / seconds) * seconds, ...starts);
  const x: number[] = [];
  // Every bucket of the window, empty ones too, so the time axis is even.
  for (let t = first; t <= last && x.length < 2_000; t += seconds) x.push(t);
  return chart(
    'spend-over-time',
    { type: 'time-bars', x, bucketSeconds: seconds, series: [{ label: 'Spend (USD)', values: x.map((t) => byStart.get(t) ?? 0), color: '#54a24b' }] },
    `LLM spend in USD per ${window.bucket.replace(/^1 /, '')}`,
  );
}
