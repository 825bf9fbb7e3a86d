import { decimal, NONE, utc, windowLength } from '../format.js';
import { textTable, type Column } from '../text-table.js';
import type { TimeWindow } from '../time-window.js';
import { metricUnit, type Alert, type AlertCheck } from './alert-check.js';

const withUnit = (value: string, metric: string) => `${value} ${metricUnit(metric)}`.trimEnd();

const COLUMNS: Column<Alert>[] = [
  { header: 'rule', cell: (a) => a.rule },
  { header: 'subject', cell: (a) => a.subject ?? NONE },
  { header: 'value', cell: (a) => withUnit(metricUnit(a.metric) === 'USD' ? a.value.toPrecision(3) : decimal(a.value), a.metric), align: 'right' },
  { header: 'comparator', cell: (a) => a.comparator },
  { header: 'threshold', cell: (a) => withUnit(String(a.threshold), a.metric), align: 'right' },
  { header: 'window', cell: (a) => windowLength(a.windowSeconds) },
  { header: 'samples', cell: (a) => String(a.samples), align: 'right' },
];

/** The check for a terminal: a sentence saying what was checked, then the firing alerts as a table. */
export function alertsAsTable(check: AlertCheck, window: TimeWindow, databaseLabel: string): string[] {
  const over = window.since
    ? `over ${utc(window.since.toISOString())} to ${utc(window.until.toISOString())}`
    : `each over its own window ending ${utc(window.until.toISOString())}`;
  const lines = [`Database: ${databaseLabel}`];
  if (check.rulesChecked === 0) return [...lines, 'No alert rules are enabled (see the table mini_agent_observability.alert_thresholds).'];
  const rules = `${check.rulesChecked} rule${check.rulesChecked === 1 ? '' : 's'} checked, ${over}`;
  if (check.alerts.length === 0) return [...lines, `No alerts firing (${rules}).`];
  const n = check.alerts.length;
  return [...lines, `${n} alert${n === 1 ? '' : 's'} firing (${rules}):`, ...textTable(COLUMNS, check.alerts)];
}
