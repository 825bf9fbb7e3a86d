// How numbers, times and text print in the table and markdown output. JSON carries the raw values.

/** What an absent value (SQL NULL) prints as. */
export const NONE = '-';

/** A count, as is. */
export function count(value: number | null): string {
  return value === null ? NONE : String(value);
}

/** A measured quantity (ms, %, a metric value) with one decimal, as the alert thresholds read. */
export function decimal(value: number | null, digits = 1): string {
  return value === null ? NONE : value.toFixed(digits);
}

/** A metric value in its unit: bytes (`By`, the OTel unit) as KiB/MiB/GiB, anything else with one decimal. */
export function metricValue(value: number | null, unit: string | null): string {
  if (value === null || unit !== 'By') return decimal(value);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let scaled = value;
  let index = 0;
  while (Math.abs(scaled) >= 1024 && index < units.length - 1) {
    scaled /= 1024;
    index += 1;
  }
  return `${index === 0 ? String(scaled) : scaled.toFixed(1)} ${units[index]}`;
}

/** A duration for people: `850 ms`, `12.3 s`, `4m 05s`, `2h 10m`. */
export function humanDuration(ms: number | null): string {
  if (ms === null) return NONE;
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1_000);
  if (seconds < 3_600) return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/** A window length: `15m`, `1h`, `7d`, or `1h 30m`. */
export function windowLength(seconds: number): string {
  const parts: string[] = [];
  let rest = Math.round(seconds);
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join(' ') || '0s';
}

/** An ISO time as `2026-03-02 10:00:05Z`: UTC, to the second, short enough for a column. */
export function utc(iso: string | null): string {
  return iso === null ? NONE : iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** Free text (an error message) on one line, cut to `max` characters. */
export function oneLine(text: string | null, max: number): string {
  if (text === null) return NONE;
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
