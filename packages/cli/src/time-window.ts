import { CliError, ExitCode } from './command.js';

/**
 * A half-open window `[since, until)`, as the analytics functions take it. `since` null: no start
 * given (the alert rules then each look back over their own window).
 */
export interface TimeWindow {
  readonly since: Date | null;
  readonly until: Date;
}

const MS_PER_UNIT = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;
// A calendar date, optionally a time and an offset: what `Date` parses the same way everywhere.
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/** A duration flag (`15m`, `24h`, `7d`, `10s`) in milliseconds; anything else is a usage error naming the flag. */
export function parseDuration(flag: string, value: string): number {
  const match = DURATION.exec(value.trim());
  const ms = match ? Number(match[1]) * MS_PER_UNIT[match[2] as keyof typeof MS_PER_UNIT] : Number.NaN;
  if (!(ms > 0)) throw new CliError(`${flag} must be a duration like 30s, 15m, 24h or 7d, got '${value}'`, ExitCode.USAGE);
  return ms;
}

/**
 * A time flag: a duration back from `now` (`15m`, `24h`, `7d`) or an ISO time (`2026-03-01`,
 * `2026-03-01T12:00:00Z`; without an offset it is local time).
 */
export function parseTime(flag: string, value: string, now: Date): Date {
  const text = value.trim();
  const match = DURATION.exec(text);
  if (match) return new Date(now.getTime() - Number(match[1]) * MS_PER_UNIT[match[2] as keyof typeof MS_PER_UNIT]);
  const time = ISO_TIME.test(text) ? new Date(text) : undefined;
  if (!time || Number.isNaN(time.getTime())) {
    throw new CliError(`${flag} must be a duration like 15m, 24h or 7d, or an ISO time like 2026-03-01T00:00:00Z, got '${value}'`, ExitCode.USAGE);
  }
  return time;
}

/**
 * The window of `--since` / `--until`: `until` defaults to now, `since` to `defaultSince` (a
 * duration back from `until`'s default, now), or null when there is no default.
 */
export function parseTimeWindow(flags: { since?: string | undefined; until?: string | undefined }, defaultSince: string | undefined, now = new Date()): TimeWindow {
  const until = flags.until === undefined ? now : parseTime('--until', flags.until, now);
  const sinceText = flags.since ?? defaultSince;
  const since = sinceText === undefined ? null : parseTime('--since', sinceText, now);
  if (since && since >= until) {
    throw new CliError(`--since (${since.toISOString()}) must be before --until (${until.toISOString()})`, ExitCode.USAGE);
  }
  return { since, until };
}

/** `--format`, checked against what the command can print. */
export function parseFormat<F extends string>(value: string | undefined, formats: readonly F[]): F {
  if (value === undefined) return formats[0]!;
  if ((formats as readonly string[]).includes(value)) return value as F;
  throw new CliError(`--format must be one of ${formats.join(', ')}, got '${value}'`, ExitCode.USAGE);
}
