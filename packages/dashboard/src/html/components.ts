import { exactValue, formatMs } from './format.js';
import { html, join, jsonScript, type HtmlValue, type SafeHtml } from './html.js';
import { href } from './layout.js';
import type { HistogramBucket } from '../queries/rows.js';

/** A headline figure: label, printed value, exact value in `data-value`, named by `data-field`. */
export function kpi(label: string, field: string, value: number | null | undefined, format: (n: number | null | undefined) => string, note?: HtmlValue): SafeHtml {
  return html`<div class="kpi" data-field="${field}" data-value="${exactValue(value)}">
  <div class="kpi-label">${label}</div>
  <div class="kpi-value">${format(value)}</div>
  ${note ? html`<div class="kpi-note">${note}</div>` : ''}
</div>`;
}

/** A sortable column: which key, which label, numeric or not. */
export interface Column {
  readonly key: string;
  readonly label: string;
  /** Right-aligned figures; also sorted biggest first on the first click. */
  readonly numeric?: boolean;
  /** Sorted newest/biggest first on the first click without being a right-aligned figure (times). */
  readonly descending?: boolean;
}

/** Sort order read from `?sort=…&dir=…`, restricted to the given columns. */
export interface Sort {
  readonly key: string;
  readonly dir: 'asc' | 'desc';
}

/** Reads `sort`/`dir` from the query; unknown keys fall back to `fallback`. */
export function parseSort(params: URLSearchParams, columns: readonly Column[], fallback: Sort, prefix = ''): Sort {
  const key = params.get(`${prefix}sort`);
  const dir = params.get(`${prefix}dir`);
  if (!key || !columns.some((c) => c.key === key)) return fallback;
  return { key, dir: dir === 'asc' ? 'asc' : 'desc' };
}

/** Sorts rows by a column key (nulls last, then by `tiebreak`). */
export function sortRows<T>(rows: readonly T[], sort: Sort, tiebreak: (row: T) => string): T[] {
  const sign = sort.dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = comparable((a as Record<string, unknown>)[sort.key]);
    const y = comparable((b as Record<string, unknown>)[sort.key]);
    if (x === y) return tiebreak(a).localeCompare(tiebreak(b));
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return sign * order || tiebreak(a).localeCompare(tiebreak(b));
  });
}

function comparable(value: unknown): unknown {
  return value instanceof Date ? value.getTime() : value;
}

/**
 * Header cells that sort by a link (the server sorts; the link is shareable). Clicking the
 * current column flips its direction; another column starts descending (biggest first), text ascending.
 */
export function sortableHeaders(columns: readonly Column[], sort: Sort, path: string, keep: Readonly<Record<string, string>>, prefix = ''): SafeHtml {
  return join(columns, (column) => {
    const active = column.key === sort.key;
    const dir = active ? (sort.dir === 'desc' ? 'asc' : 'desc') : column.numeric || column.descending ? 'desc' : 'asc';
    const ariaSort = active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none';
    const link = href(path, { ...keep, [`${prefix}sort`]: column.key, [`${prefix}dir`]: dir });
    return html`<th scope="col"${column.numeric ? html` class="num"` : ''} aria-sort="${ariaSort}"><a href="${link}">${column.label}${active ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}</a></th>`;
  });
}

/** A box explaining why there is nothing to show and what to do about it. */
export function emptyState(title: string, body: HtmlValue): SafeHtml {
  return html`<section class="empty" data-empty="true"><h2>${title}</h2>${body}</section>`;
}

/** A status word with its colour: ok, error, running (unset). */
export function statusBadge(status: 'ok' | 'error' | 'running' | 'firing' | 'quiet' | 'disabled', text?: string): SafeHtml {
  return html`<span class="badge badge-${status}">${text ?? status}</span>`;
}

/** A chart drawn in the browser by uPlot from a JSON block the page carries. */
export function chart(id: string, spec: ChartSpec, caption: string): SafeHtml {
  return html`<figure class="chart-box"><div class="chart chart-${spec.type}" data-chart="${id}" role="img" aria-label="${caption}"></div>${jsonScript(id, spec)}<figcaption>${caption}</figcaption></figure>`;
}

/** What the client script draws (assets/dashboard.js reads it). */
export type ChartSpec =
  | {
      readonly type: 'time-bars';
      /** Unix seconds of each bucket's start. */
      readonly x: readonly number[];
      readonly series: readonly { readonly label: string; readonly values: readonly number[]; readonly color: string }[];
      readonly bucketSeconds: number;
    }
  | {
      readonly type: 'histogram' | 'spark';
      readonly labels: readonly string[];
      readonly counts: readonly number[];
      readonly color: string;
    }
  | {
      readonly type: 'time-line';
      readonly x: readonly number[];
      readonly series: readonly { readonly label: string; readonly values: readonly (number | null)[]; readonly color: string }[];
    };

/** The label of a histogram bucket, e.g. `<1 ms`, `1–2 ms`, `≥60 s`. */
export function bucketLabel(bucket: HistogramBucket): string {
  if (bucket.lowerMs === null) return `<${formatMs(bucket.upperMs)}`;
  if (bucket.upperMs === null) return `≥${formatMs(bucket.lowerMs)}`;
  const [lower, upper] = [formatMs(bucket.lowerMs), formatMs(bucket.upperMs)];
  const unit = (text: string) => text.split(' ')[1];
  // "10–20 ms", but "20 s–1 min" when the two ends print in different units.
  return unit(lower) === unit(upper) ? `${lower.split(' ')[0]}–${upper}` : `${lower}–${upper}`;
}

/** A latency histogram chart, large or as a sparkline in a table row. */
export function histogramChart(id: string, buckets: readonly HistogramBucket[], caption: string, size: 'histogram' | 'spark' = 'histogram'): SafeHtml {
  const spec: ChartSpec = { type: size, labels: buckets.map(bucketLabel), counts: buckets.map((b) => b.count), color: '#4c78a8' };
  if (size === 'histogram') return chart(id, spec, caption);
  return html`<div class="chart chart-spark" data-chart="${id}" role="img" aria-label="${caption}" title="${caption}"></div>${jsonScript(id, spec)}`;
}

/**
 * A JSON value (tool input/output, a message list) pretty-printed as text. Long values are cut
 * (the tables already cap what they store; this keeps one page light).
 */
export function jsonBlock(value: unknown, maxChars = 20_000): SafeHtml {
  if (value === null || value === undefined) return html`<span class="muted">none</span>`;
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  const cut = text.length > maxChars;
  return html`<pre class="json">${cut ? text.slice(0, maxChars) : text}</pre>${cut ? html`<p class="muted">… ${text.length - maxChars} more characters not shown</p>` : ''}`;
}
