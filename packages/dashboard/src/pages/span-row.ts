import { jsonBlock, statusBadge } from '../html/components.js';
import { formatCount, formatMs, formatWithUnit, timeElement } from '../html/format.js';
import { html, join, type SafeHtml } from '../html/html.js';
import type { WaterfallNode } from '../waterfall.js';
import { toolHref } from './shared.js';

/** The deepest indentation drawn; deeper spans line up at this level (the depth is still in `data-depth`). */
const MAX_INDENT = 15;
/** Bars are drawn in an SVG 1000 units wide, stretched to the column: no inline style, so the strict CSP holds. */
const BAR_WIDTH = 1000;

/** The time axis above the waterfall: 0, ¼, ½, ¾ and the whole duration. */
export function timelineAxis(totalMs: number): SafeHtml {
  return html`<div class="wf-axis" aria-hidden="true"><span class="wf-name">Span</span><span class="wf-ticks">${join([0, 0.25, 0.5, 0.75, 1], (f) => html`<span>${formatMs(totalMs * f)}</span>`)}</span></div>`;
}

/**
 * One span as a row of the waterfall: a `<details>` element whose summary holds the name and the
 * bar, and whose body shows what the span did. Its id `span-<spanId>` is the deep link.
 */
export function spanRow(node: WaterfallNode, totalMs: number): SafeHtml {
  const x = (node.offsetMs / totalMs) * BAR_WIDTH;
  const width = Math.max((node.durationMs / totalMs) * BAR_WIDTH, 2);
  const failed = node.status === 'error';
  return html`<details class="wf-row row-${node.kind}${failed ? ' failed' : ''}" id="span-${node.spanId}" data-span-id="${node.spanId}" data-kind="${node.kind}" data-depth="${node.depth}" data-offset-ms="${node.offsetMs}" data-duration-ms="${node.durationMs}">
<summary><span class="wf-name depth-${Math.min(node.depth, MAX_INDENT)}"><span class="kind kind-${node.kind}">${node.kind}</span> <span class="span-name">${node.name}</span>${failed ? html` ${statusBadge('error', 'failed')}` : ''}</span>
<span class="wf-bar"><svg viewBox="0 0 ${BAR_WIDTH} 12" preserveAspectRatio="none" aria-hidden="true"><rect x="${x.toFixed(2)}" y="1" width="${Math.min(width, BAR_WIDTH - x).toFixed(2)}" height="10" rx="2"/></svg><span class="wf-duration">${formatMs(node.durationMs)}</span></span></summary>
<div class="wf-body">${spanBody(node)}</div>
</details>`;
}

function spanBody(node: WaterfallNode): SafeHtml {
  const parts: SafeHtml[] = [
    html`<p class="muted">${node.kind} span <code>${node.spanId}</code>${node.parentSpanId ? html` · parent <a href="#span-${node.parentSpanId}"><code>${node.parentSpanId}</code></a>` : ''} · started ${timeElement(node.startedAt)} (+${formatMs(node.offsetMs)}) · ${formatMs(node.durationMs)}</p>`,
  ];
  if (node.statusMessage) parts.push(html`<p class="error-text"><strong>Error:</strong> ${node.statusMessage}</p>`);
  if (node.tool) {
    const t = node.tool;
    parts.push(html`<p>Tool <a href="${toolHref(t.tool_name)}">${t.tool_name}</a> (${t.category}) ${t.success ? statusBadge('ok') : statusBadge('error', 'failed')}</p>
${t.error_message && t.error_message !== node.statusMessage ? html`<p class="error-text">${t.error_message}</p>` : ''}
<div class="grid2"><div><h4>Input</h4>${jsonBlock(t.input)}</div><div><h4>Output</h4>${jsonBlock(t.output)}</div></div>`);
  }
  if (node.generation) {
    const g = node.generation;
    parts.push(html`<p>Model <strong>${g.model ?? '(unknown)'}</strong>${g.provider ? html` · ${g.provider}` : ''} · tokens in <span data-field="input_tokens" data-value="${g.input_tokens ?? ''}">${formatCount(g.input_tokens)}</span>, out <span data-field="output_tokens" data-value="${g.output_tokens ?? ''}">${formatCount(g.output_tokens)}</span></p>
<div class="grid2"><div><h4>Input</h4>${jsonBlock(g.input)}</div><div><h4>Output</h4>${jsonBlock(g.output)}</div></div>`);
  }
  for (const d of node.decisions) {
    parts.push(html`<div class="decision"><h4>Decision: ${d.decision_type}</h4>${optionList(d.considered_options, d.chosen)}${d.reasoning ? html`<p class="reasoning">${d.reasoning}</p>` : ''}</div>`);
  }
  if (node.metrics.length > 0) {
    parts.push(html`<h4>Metrics</h4><ul class="metrics">${join(node.metrics, (m) => html`<li>${m.metric_type}: ${formatWithUnit(m.metric_value, m.unit)}</li>`)}</ul>`);
  }
  if (node.span) {
    const events = node.span.events;
    parts.push(html`<details class="plain"><summary>Attributes${Array.isArray(events) && events.length > 0 ? html` and ${formatCount(events.length)} event${events.length === 1 ? '' : 's'}` : ''}</summary>
${jsonBlock(node.span.attributes)}${Array.isArray(events) && events.length > 0 ? jsonBlock(events) : ''}</details>`);
  }
  return html`${parts}`;
}

/** The options a decision considered, the chosen one marked; a chosen value outside the list is shown after it. */
export function optionList(options: unknown, chosen: string | null): SafeHtml {
  const list = Array.isArray(options) ? options.map((o) => (typeof o === 'string' ? o : JSON.stringify(o))) : [];
  const chosenListed = chosen !== null && list.includes(chosen);
  return html`<ul class="options">${join(list, (o) => html`<li${o === chosen ? html` class="chosen" aria-label="chosen: ${o}"` : ''}>${o}</li>`)}${chosen !== null && !chosenListed ? html`<li class="chosen">${chosen}</li>` : ''}</ul>`;
}
