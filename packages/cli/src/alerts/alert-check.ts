import type { Query } from '../read-only-database.js';
import { jsonRow } from '../rows.js';
import type { TimeWindow } from '../time-window.js';

/**
 * One firing alert: a row of `firing_alerts()` (sql/011_alerts.sql), in camelCase, the window
 * length in seconds. `value` and `threshold` are in the metric's unit (its name ends in `_ms` or `_pct`).
 */
export interface Alert {
  /** The rule's name in `alert_thresholds`. */
  rule: string;
  metric: string;
  /** The tool, for per-tool metrics; null for the others. */
  subject: string | null;
  value: number;
  comparator: '>' | '>=' | '<' | '<=';
  threshold: number;
  /** How many executions, samples or sessions the value was computed from. */
  samples: number;
  windowSeconds: number;
  windowStart: string;
  windowEnd: string;
  description: string | null;
}

/** What one evaluation found: the firing alerts, and how many enabled rules were evaluated. */
export interface AlertCheck {
  readonly rulesChecked: number;
  readonly alerts: Alert[];
}

/**
 * Evaluates every enabled rule with `alert_status(since, until)` (since null: each rule over its
 * own window ending at `until`) and keeps the firing rows — exactly what `firing_alerts()` returns —
 * while counting the rules that were checked.
 */
export async function checkAlerts(query: Query, window: TimeWindow): Promise<AlertCheck> {
  const rows = await query(
    `SELECT rule_name AS rule, metric, subject, value, comparator, threshold, samples,
            extract(epoch FROM window_length)::float8 AS window_seconds, window_start, window_end, description, firing
       FROM mini_agent_observability.alert_status($1::timestamptz, $2::timestamptz)
      ORDER BY rule_name, value DESC NULLS LAST, subject NULLS FIRST`,
    [window.since?.toISOString() ?? null, window.until.toISOString()],
  );
  const rules = new Set(rows.map((row) => row.rule));
  const alerts = rows
    .filter((row) => row.firing === true)
    .map((row) => {
      const { firing: _, ...alert } = jsonRow<Alert & { firing: boolean }>(row);
      return alert;
    });
  return { rulesChecked: rules.size, alerts };
}

/** The unit of a catalogue metric, from the end of its name. */
export function metricUnit(metric: string): string {
  if (metric.endsWith('_ms')) return 'ms';
  if (metric.endsWith('_pct')) return '%';
  if (metric.endsWith('_usd')) return 'USD';
  return '';
}
