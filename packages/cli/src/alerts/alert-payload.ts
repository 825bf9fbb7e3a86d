import { decimal, windowLength } from '../format.js';
import { metricUnit, type Alert, type AlertCheck } from './alert-check.js';

/**
 * The JSON document of `mini-agent-otel alerts`: what `--format json` prints and what `--webhook`
 * POSTs. `text` is a one-line summary, so chat webhooks that show a `text` field (Slack, Mattermost,
 * Rocket.Chat) display something readable without any glue.
 */
export interface AlertPayload {
  source: 'mini-agent-otel';
  /** When the check ran (ISO time). */
  checkedAt: string;
  text: string;
  /** Enabled rules evaluated. */
  rulesChecked: number;
  /** Firing alerts, ordered by rule, highest value first; empty when nothing fires. */
  alerts: Alert[];
}

/** An alert in a few words: `tool_latency web_search 6100.0 ms > 5000 ms (1h)`. */
export function alertLine(alert: Alert): string {
  const unit = metricUnit(alert.metric);
  const subject = alert.subject === null ? '' : ` ${alert.subject}`;
  // Spend is often a fraction of a cent: one decimal would read 0.0.
  const value = unit === 'USD' ? alert.value.toPrecision(3) : decimal(alert.value);
  return `${alert.rule}${subject} ${value} ${unit} ${alert.comparator} ${alert.threshold} ${unit} (${windowLength(alert.windowSeconds)})`.replace(/ {2,}/g, ' ');
}

/** The payload of one check. */
export function alertPayload(check: AlertCheck, checkedAt: Date): AlertPayload {
  const { alerts, rulesChecked } = check;
  const text =
    alerts.length === 0
      ? `mini-agent-otel: no alerts firing (${rulesChecked} rules checked)`
      : `mini-agent-otel: ${alerts.length} alert${alerts.length === 1 ? '' : 's'} firing: ${alerts.map(alertLine).join('; ')}`;
  return { source: 'mini-agent-otel', checkedAt: checkedAt.toISOString(), text, rulesChecked, alerts };
}
