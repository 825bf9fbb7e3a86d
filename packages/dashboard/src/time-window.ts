/**
 * The time window a page shows: `?range=1h|24h|7d|30d|all`, or an explicit `?from=…&to=…` (ISO
 * times) for links that must show the same rows tomorrow. The window is fixed once per request and
 * printed on the page, so every figure on it can be reproduced with the analytics functions:
 * `tool_stats(since, until)` with the page's `data-since` / `data-until`.
 */

/** The ranges the pages offer, shortest first. */
export const RANGES = {
  '1h': { label: 'Last hour', ms: 3_600_000, bucket: '5 minutes' },
  '24h': { label: 'Last 24 hours', ms: 86_400_000, bucket: '1 hour' },
  '7d': { label: 'Last 7 days', ms: 7 * 86_400_000, bucket: '6 hours' },
  '30d': { label: 'Last 30 days', ms: 30 * 86_400_000, bucket: '1 day' },
  all: { label: 'All time', ms: Number.POSITIVE_INFINITY, bucket: '1 day' },
} as const;

/** A range key, or `custom` for an explicit from/to. */
export type RangeKey = keyof typeof RANGES | 'custom';

/** The default when a page names no range: the same day the `*_24h` views cover. */
export const DEFAULT_RANGE: RangeKey = '24h';

/** A half-open window `[since, until)` as the analytics functions take it. */
export interface TimeWindow {
  readonly range: RangeKey;
  /** `null`: from the beginning ({@link ALL_TIME_SINCE} in SQL). */
  readonly since: Date | null;
  readonly until: Date;
  readonly label: string;
  /** A bucket width for charts over this window, as a PostgreSQL interval. */
  readonly bucket: string;
}

/** Parses the window of a request; anything unreadable falls back to the default range. */
export function parseTimeWindow(params: URLSearchParams, now: Date): TimeWindow {
  const key = params.get('range');
  const from = parseTime(params.get('from'));
  const to = parseTime(params.get('to'));
  // A named range wins over from/to, so a form that carries both switches ranges as chosen.
  if ((!key || !(Object.hasOwn(RANGES, key))) && from && to && from < to) {
    return { range: 'custom', since: from, until: to, label: `${iso(from)} → ${iso(to)}`, bucket: bucketFor(to.getTime() - from.getTime()) };
  }
  const range = key && Object.hasOwn(RANGES, key) ? (key as keyof typeof RANGES) : (DEFAULT_RANGE as keyof typeof RANGES);
  const spec = RANGES[range];
  const since = Number.isFinite(spec.ms) ? new Date(now.getTime() - spec.ms) : null;
  return { range, since, until: now, label: spec.label, bucket: spec.bucket };
}

/** The query parameters that reproduce `window` in a link. */
export function windowParams(window: TimeWindow): Record<string, string> {
  if (window.range === 'custom') return { from: window.since!.toISOString(), to: window.until.toISOString() };
  return window.range === DEFAULT_RANGE ? {} : { range: window.range };
}

/**
 * Where "All time" starts: the Unix epoch. Span times are unsigned nanoseconds since the epoch
 * (OTLP's `time_unix_nano` is a fixed64), so no span, tool or trace row can be older.
 *
 * Why not `-infinity`: the `postgres` driver asks the server for the type of every parameter and
 * sends a `timestamptz` one through `new Date(value).toISOString()`, which throws
 * `RangeError: Invalid time value` for `-infinity` (PGlite passes the string through, which is
 * why only the server failed). A finite instant is one every driver, and a person copying
 * `data-since` into psql, can use as it is.
 */
export const ALL_TIME_SINCE = new Date(0);

/** `since` as a SQL parameter: an ISO time; "All time" starts at {@link ALL_TIME_SINCE}. */
export function sinceParam(window: TimeWindow): string {
  return (window.since ?? ALL_TIME_SINCE).toISOString();
}

/** `until` as a SQL parameter. */
export function untilParam(window: TimeWindow): string {
  return window.until.toISOString();
}

function parseTime(value: string | null): Date | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

function bucketFor(ms: number): string {
  if (ms <= 3 * 3_600_000) return '5 minutes';
  if (ms <= 2 * 86_400_000) return '1 hour';
  if (ms <= 10 * 86_400_000) return '6 hours';
  return '1 day';
}

function iso(date: Date): string {
  return date.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}

/** Seconds in one of the bucket intervals of time-window.ts (`5 minutes`, `1 hour`, `6 hours`, `1 day`). */
export function intervalSeconds(interval: string): number {
  const [count, unit] = interval.split(' ');
  const per: Record<string, number> = { minute: 60, minutes: 60, hour: 3_600, hours: 3_600, day: 86_400, days: 86_400 };
  return Number(count) * (per[unit ?? ''] ?? 3_600);
}
