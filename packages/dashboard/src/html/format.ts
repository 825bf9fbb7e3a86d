import { html, type SafeHtml } from './html.js';

/**
 * How the pages print numbers and times. Every printed figure also carries its exact value in a
 * `data-value` attribute, so a reader (or a test) can check the rounding against the SQL result.
 */

/** A duration in milliseconds, e.g. `0.42 ms`, `85 ms`, `1.25 s`, `3.2 min`. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const abs = Math.abs(ms);
  if (abs < 10) return `${trim(ms.toFixed(2))} ms`;
  if (abs < 1_000) return `${Math.round(ms)} ms`;
  if (abs < 60_000) return `${trim((ms / 1_000).toFixed(2))} s`;
  if (abs < 3_600_000) return `${trim((ms / 60_000).toFixed(1))} min`;
  return `${trim((ms / 3_600_000).toFixed(1))} h`;
}

/** A percentage 0–100, e.g. `12.5 %`. */
export function formatPct(pct: number | null | undefined): string {
  if (pct === null || pct === undefined || !Number.isFinite(pct)) return '—';
  return `${trim(pct.toFixed(1))} %`;
}

/** A count with thousands separators, e.g. `12,345`. */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/** A plain number (a metric value): up to 2 decimals. */
export function formatNumber(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/** A metric value with its unit: bytes in binary units, percentages with `%`, others as `value unit`. */
export function formatWithUnit(value: number | null | undefined, unit: string | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (unit === 'By') return formatBytes(value);
  if (unit === '%') return formatPct(value);
  if (unit === 'ms') return formatMs(value);
  return unit ? `${formatNumber(value)} ${unit}` : formatNumber(value);
}

function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let i = 0;
  while (Math.abs(value) >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return `${trim(value.toFixed(i === 0 ? 0 : 1))} ${units[i]}`;
}

/** A point in time in UTC, to the second: `2026-03-02 10:00:05Z`. */
export function formatTime(date: Date | null | undefined): string {
  if (!date) return '—';
  return date.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}

function trim(fixed: string): string {
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

/** The exact value for `data-value`: JavaScript's shortest round-trip form, or empty for nothing. */
export function exactValue(value: number | null | undefined): string {
  return value === null || value === undefined ? '' : String(value);
}

/** A table cell holding a number: right-aligned, printed with `format`, exact value in `data-value`. */
export function numberCell(value: number | null | undefined, format: (n: number | null | undefined) => string, field?: string): SafeHtml {
  return html`<td class="num" data-value="${exactValue(value)}"${field ? html` data-field="${field}"` : ''}>${format(value)}</td>`;
}

/** A `<time>` element: readable text, machine-readable `datetime`. */
export function timeElement(date: Date | null | undefined): SafeHtml {
  if (!date) return html`<span class="muted">—</span>`;
  return html`<time datetime="${date.toISOString()}">${formatTime(date)}</time>`;
}
