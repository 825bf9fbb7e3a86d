import { chart, emptyState, jsonBlock, statusBadge } from '../html/components.js';
import { formatCount, formatMs, formatWithUnit, numberCell, timeElement } from '../html/format.js';
import { html, join, type SafeHtml } from '../html/html.js';
import { href, type PageSpec } from '../html/layout.js';
import type { DecisionRow, GenerationRow, MetricRow, SessionDetailData } from '../queries/session-detail.js';
import type { Waterfall } from '../waterfall.js';
import { generationToolsCell } from './generation-tools.js';
import { sessionScoresSection } from './scores.js';
import { outcome } from './sessions.js';
import { sessionHref, toolHref, userHref } from './shared.js';
import { generationCostCell } from './spend.js';
import { optionList, spanRow, timelineAxis } from './span-row.js';

/** What a session page links to beside its own data. */
export interface SessionLinks {
  /** The same trace in Langfuse's UI, when a Langfuse sink is configured and its project is known. */
  readonly langfuseUrl?: string | undefined;
}

/** One agent session run: what it was asked, the span waterfall, decisions, metrics and LLM calls. */
export function sessionDetailPage(
  traceId: string,
  data: SessionDetailData,
  waterfall: Waterfall,
  links: SessionLinks = {},
  costs?: GenerationCosts,
): PageSpec {
  const crumbs = html`<p class="crumbs"><a href="/sessions">Sessions</a> /</p>`;
  const facts = { trace: traceId };
  if (!data.trace && waterfall.nodes.length === 0) {
    return {
      title: 'Session not found', section: 'sessions', facts, status: 404,
      body: html`${crumbs}${emptyState('Session not found', html`<p>No trace with id <code>${traceId}</code> is stored. <a href="/sessions?range=all">All sessions</a>.</p>`)}`,
    };
  }
  const t = data.trace;
  const s = data.stats;
  const title = t?.name ?? `Trace ${traceId.slice(0, 12)}`;
  const body = html`${crumbs}
<div id="session-live" data-live-region>
<div class="title-row"><h1>${title}</h1>${s ? outcome(s) : statusBadge('running', 'incomplete')}</div>
<dl class="facts">
  <dt>Trace</dt><dd><code>${traceId}</code>${links.langfuseUrl ? html` <a class="langfuse-link" href="${links.langfuseUrl}" rel="noopener noreferrer" target="_blank">Open in Langfuse ↗</a>` : ''}</dd>
  ${t?.session_id ? html`<dt>Conversation</dt><dd><a href="${href('/sessions', { session: t.session_id, range: 'all' })}">${t.session_id}</a>${data.otherRuns > 0 ? html` <span class="muted">(${formatCount(data.otherRuns)} other run${data.otherRuns === 1 ? '' : 's'})</span>` : ''}</dd>` : ''}
  <dt>Agent</dt><dd>${t?.agent_name ?? '—'}${t?.agent_version ? html` <span class="muted">${t.agent_version}</span>` : ''}</dd>
  <dt>User</dt><dd>${t?.user_id ? html`<a class="user-link" href="${userHref(t.user_id)}">${t.user_id}</a>` : '—'}</dd>
  <dt>Started</dt><dd>${timeElement(s?.started_at ?? t?.started_at ?? waterfall.startedAt)}</dd>
  <dt>Duration</dt><dd data-field="duration_ms" data-value="${s?.duration_ms ?? ''}">${formatMs(s?.duration_ms ?? waterfall.totalMs)}</dd>
  <dt>Tools</dt><dd data-field="tool_count" data-value="${s?.tool_count ?? data.tools.length}">${formatCount(s?.tool_count ?? data.tools.length)}${s && s.failed_tools > 0 ? html`, <strong class="error-text" data-field="failed_tools" data-value="${s.failed_tools}">${formatCount(s.failed_tools)} failed</strong>` : ''}</dd>
  ${s?.peak_memory_pct !== null && s?.peak_memory_pct !== undefined ? html`<dt>Peak memory</dt><dd>${formatWithUnit(s.peak_memory_pct, '%')}</dd>` : ''}
  ${t && t.tags.length > 0 ? html`<dt>Tags</dt><dd>${join(t.tags, (tag) => html`<span class="tag">${tag}</span>`, ' ')}</dd>` : ''}
  ${t?.environment ? html`<dt>Environment</dt><dd>${t.environment}</dd>` : ''}
  ${t?.status_message ? html`<dt>Status</dt><dd class="error-text">${t.status_message}</dd>` : ''}
</dl>
${t && (t.input !== null || t.output !== null) ? html`<div class="grid2"><section><h2>Input</h2>${jsonBlock(t.input)}</section><section><h2>Output</h2>${jsonBlock(t.output)}</section></div>` : ''}
${t?.user_context ? html`<details class="plain"><summary>User context</summary>${jsonBlock(t.user_context)}</details>` : ''}
<section id="waterfall-section">
  <h2>Spans <span class="muted small">${formatCount(waterfall.nodes.length)} · ${formatMs(waterfall.totalMs)}</span></h2>
  ${waterfall.nodes.length === 0
    ? html`<p class="muted">No span of this trace is stored yet.</p>`
    : html`<div class="waterfall" id="waterfall">${timelineAxis(waterfall.totalMs)}${join(waterfall.nodes, (node) => spanRow(node, waterfall.totalMs))}</div>`}
</section>
${sessionScoresSection(data.scores)}
${decisionsSection(data.decisions)}
${metricsSection(data.metrics)}
${generationsSection(data.generations, data.toolCalls, costs)}
${toolsSection(traceId, data)}
</div>`;
  // A trace whose session (or root) span has not landed is still running: its page follows it.
  const live = !s?.complete;
  return { title, section: 'sessions', facts, body, live };
}

function decisionsSection(decisions: readonly DecisionRow[]): SafeHtml {
  if (decisions.length === 0) return html``;
  return html`<section id="decisions"><h2>Decisions</h2><table class="data"><thead><tr><th>When</th><th>Type</th><th>Options considered</th><th>Reasoning</th><th>Span</th></tr></thead><tbody>
${join(decisions, (d) => html`<tr data-decision="${d.id}"><td>${timeElement(d.decided_at)}</td><td>${d.decision_type}</td><td>${optionList(d.considered_options, d.chosen)}</td><td class="message">${d.reasoning ?? ''}</td><td><a href="#span-${d.span_id}">${d.span_id}</a></td></tr>`)}
</tbody></table></section>`;
}

function metricsSection(metrics: readonly MetricRow[]): SafeHtml {
  if (metrics.length === 0) return html``;
  const series = new Map<string, MetricRow[]>();
  for (const m of metrics) {
    if (m.metric_value === null) continue;
    const key = `${m.metric_type}${m.unit ? ` (${m.unit})` : ''}`;
    series.set(key, [...(series.get(key) ?? []), m]);
  }
  const charts = [...series].filter(([, rows]) => rows.length > 1).slice(0, 6);
  return html`<section id="metrics"><h2>Metrics</h2>
${charts.length > 0 ? html`<div class="grid2">${join(charts, ([label, rows], i) => chart(`metric-${i}`, {
    type: 'time-line',
    x: rows.map((r) => r.recorded_at.getTime() / 1000),
    series: [{ label, values: rows.map((r) => r.metric_value), color: '#72b7b2' }],
  }, label))}</div>` : ''}
<table class="data"><thead><tr><th>When</th><th>Metric</th><th class="num">Value</th><th>Span</th></tr></thead><tbody>
${join(metrics, (m) => html`<tr><td>${timeElement(m.recorded_at)}</td><td>${m.metric_type}</td><td class="num" data-value="${m.metric_value ?? ''}">${formatWithUnit(m.metric_value, m.unit)}</td><td><a href="#span-${m.span_id}">${m.span_id}</a></td></tr>`)}
</tbody></table></section>`;
}

/** What each LLM call cost, by generation id (see `loadGenerationCosts`). */
type GenerationCosts = ReadonlyMap<string, Parameters<typeof generationCostCell>[0]>;

function generationsSection(
  generations: readonly GenerationRow[],
  toolCalls: SessionDetailData['toolCalls'],
  costs: GenerationCosts | undefined,
): SafeHtml {
  if (generations.length === 0) return html``;
  return html`<section id="llm-calls"><h2>LLM calls</h2><table class="data"><thead><tr><th>Model</th><th class="num">Input tokens</th><th class="num">Output tokens</th><th class="num">Total</th><th class="num">Duration</th>${costs ? html`<th class="num">Cost</th>` : ''}<th>Tools called</th><th>Span</th></tr></thead><tbody>
${join(generations, (g) => html`<tr data-span="${g.id}"${g.success ? '' : html` class="failed"`}><td>${g.model ?? '(unknown)'}${g.provider ? html` <span class="muted">${g.provider}</span>` : ''}</td>
${numberCell(g.input_tokens, formatCount, 'input_tokens')}${numberCell(g.output_tokens, formatCount, 'output_tokens')}${numberCell(g.total_tokens ?? (g.input_tokens ?? 0) + (g.output_tokens ?? 0), formatCount, 'total_tokens')}
${numberCell(g.duration_ms, formatMs, 'duration_ms')}${costs ? generationCostCell(costs.get(g.id)) : ''}${generationToolsCell(toolCalls.get(g.id))}<td><a href="#span-${g.id}">${g.id}</a></td></tr>`)}
</tbody></table></section>`;
}

function toolsSection(traceId: string, data: SessionDetailData): SafeHtml {
  if (data.tools.length === 0) return html``;
  return html`<section id="tool-calls"><h2>Tool calls</h2><table class="data"><thead><tr><th>Tool</th><th>Category</th><th class="num">Duration</th><th>Outcome</th><th>Span</th></tr></thead><tbody>
${join(data.tools, (tool) => html`<tr data-span="${tool.id}"${tool.success ? '' : html` class="failed"`}><td><a href="${toolHref(tool.tool_name)}">${tool.tool_name}</a></td><td>${tool.category}</td>
${numberCell(tool.duration_ms, formatMs, 'duration_ms')}<td class="message">${tool.success ? statusBadge('ok') : html`${statusBadge('error', 'failed')} ${tool.error_message ?? ''}`}</td><td><a href="${sessionHref(traceId, tool.id)}">${tool.id}</a></td></tr>`)}
</tbody></table></section>`;
}
