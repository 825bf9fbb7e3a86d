import { histogramChart, parseSort, sortableHeaders, sortRows, type Column } from '../html/components.js';
import { formatCount, formatMs, formatPct, numberCell, timeElement } from '../html/format.js';
import { html, join } from '../html/html.js';
import { href, rangePicker, type PageSpec } from '../html/layout.js';
import { toolKey, type ToolsData } from '../queries/tools.js';
import { windowParams, type TimeWindow } from '../time-window.js';
import { nothingInWindow } from './empty-states.js';
import { toolHref } from './shared.js';

const TOOL_COLUMNS: readonly Column[] = [
  { key: 'tool_name', label: 'Tool' },
  { key: 'category', label: 'Category' },
  { key: 'executions', label: 'Calls', numeric: true },
  { key: 'errors', label: 'Errors', numeric: true },
  { key: 'error_pct', label: 'Error rate', numeric: true },
  { key: 'avg_ms', label: 'Mean', numeric: true },
  { key: 'p50_ms', label: 'p50', numeric: true },
  { key: 'p95_ms', label: 'p95', numeric: true },
  { key: 'max_ms', label: 'Max', numeric: true },
  { key: 'last_at', label: 'Last call', descending: true },
];

const CATEGORY_COLUMNS: readonly Column[] = [
  { key: 'category', label: 'Category' },
  { key: 'executions', label: 'Calls', numeric: true },
  { key: 'errors', label: 'Errors', numeric: true },
  { key: 'error_pct', label: 'Error rate', numeric: true },
  { key: 'p50_ms', label: 'p50', numeric: true },
  { key: 'p95_ms', label: 'p95', numeric: true },
  { key: 'max_ms', label: 'Max', numeric: true },
];

/** Per tool and per category: calls, errors, latency percentiles and histograms; sortable by any column. */
export function toolsPage(data: ToolsData, window: TimeWindow, params: URLSearchParams): PageSpec {
  const title = 'Tools';
  const category = params.get('category') ?? '';
  const keep = { ...windowParams(window), ...(category ? { category } : {}) };
  const toolSort = parseSort(params, TOOL_COLUMNS, { key: 'executions', dir: 'desc' });
  const categorySort = parseSort(params, CATEGORY_COLUMNS, { key: 'executions', dir: 'desc' }, 'c');
  const keepBoth = { ...keep, sort: params.get('sort') ?? '', dir: params.get('dir') ?? '', csort: params.get('csort') ?? '', cdir: params.get('cdir') ?? '' };
  const tools = sortRows(data.tools.filter((t) => !category || t.category === category), toolSort, toolKey);
  const categories = sortRows(data.categories, categorySort, (c) => c.category);
  const header = html`<div class="title-row"><h1>${title}</h1>${rangePicker('/tools', window, category ? { category } : {})}</div>`;
  if (data.tools.length === 0) return { title, section: 'tools', window, body: html`${header}${nothingInWindow('tool calls', window, '/tools')}` };
  const total = data.histogram.reduce((n, b) => n + b.count, 0);
  const body = html`${header}
${histogramChart('latency-all', data.histogram, `Latency of all ${formatCount(total)} tool calls (log-spaced buckets)`)}
<section>
<h2>By category</h2>
<table class="data sortable" id="categories"><thead><tr>${sortableHeaders(CATEGORY_COLUMNS, categorySort, '/tools', omit(keepBoth, ['csort', 'cdir']), 'c')}<th>Latency</th></tr></thead><tbody>
${join(categories, (c, i) => html`<tr data-category="${c.category}"${c.category === category ? html` class="selected"` : ''}>
<td><a href="${href('/tools', { ...windowParams(window), category: c.category === category ? undefined : c.category })}">${c.category}</a></td>
${numberCell(c.executions, formatCount, 'executions')}${numberCell(c.errors, formatCount, 'errors')}
${numberCell(c.error_pct, formatPct, 'error_pct')}${numberCell(c.p50_ms, formatMs, 'p50_ms')}${numberCell(c.p95_ms, formatMs, 'p95_ms')}${numberCell(c.max_ms, formatMs, 'max_ms')}
<td class="spark-cell">${histogramChart(`latency-category-${i}`, data.categoryHistograms.get(c.category) ?? [], `Latency histogram of ${c.category} tools`, 'spark')}</td>
</tr>`)}
</tbody></table>
</section>
<section>
<h2>By tool${category ? html` in <em>${category}</em> <a class="clear" href="${href('/tools', windowParams(window))}">show all</a>` : ''}</h2>
<table class="data sortable" id="tools"><thead><tr>${sortableHeaders(TOOL_COLUMNS, toolSort, '/tools', omit(keepBoth, ['sort', 'dir']))}<th>Latency</th></tr></thead><tbody>
${join(tools, (t, i) => html`<tr data-key="${toolKey(t)}" data-tool="${t.tool_name}"${t.errors > 0 ? html` class="has-errors"` : ''}>
<td><a href="${toolHref(t.tool_name, window)}">${t.tool_name}</a></td><td>${t.category}</td>
${numberCell(t.executions, formatCount, 'executions')}${numberCell(t.errors, formatCount, 'errors')}${numberCell(t.error_pct, formatPct, 'error_pct')}
${numberCell(t.avg_ms, formatMs, 'avg_ms')}${numberCell(t.p50_ms, formatMs, 'p50_ms')}${numberCell(t.p95_ms, formatMs, 'p95_ms')}${numberCell(t.max_ms, formatMs, 'max_ms')}
<td>${timeElement(t.last_at)}</td>
<td class="spark-cell">${histogramChart(`latency-tool-${i}`, data.toolHistograms.get(toolKey(t)) ?? [], `Latency histogram of ${t.tool_name}`, 'spark')}</td>
</tr>`)}
</tbody></table>
</section>`;
  return { title, section: 'tools', window, body };
}

function omit(record: Record<string, string>, keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(record).filter(([k]) => !keys.includes(k)));
}
