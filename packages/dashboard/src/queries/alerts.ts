import type { Query } from '../read-only-database.js';
import { ALERT_COLUMNS, S, type AlertStatusRow } from './rows.js';

/** A rule of `alert_thresholds`, as users edit it. */
export interface AlertRuleRow {
  rule_name: string;
  metric: string;
  comparator: string;
  threshold: number;
  window_seconds: number;
  min_samples: number;
  enabled: boolean;
  description: string | null;
  updated_at: Date;
}

/** The alerts page: every rule, and each enabled rule's current values. */
export interface AlertsData {
  rules: AlertRuleRow[];
  status: AlertStatusRow[];
}

/** `alert_status(NULL, now)`: each enabled rule over its own window ending now, as `mini-agent-otel alerts` evaluates it. */
export async function loadAlerts(query: Query, now: Date): Promise<AlertsData> {
  const [rules, status] = await Promise.all([
    query<AlertRuleRow>(
      `SELECT rule_name, metric, comparator, threshold, extract(epoch FROM window_length)::float8 AS window_seconds,
              min_samples, enabled, description, updated_at
         FROM ${S}.alert_thresholds ORDER BY rule_name`,
    ),
    query<AlertStatusRow>(`SELECT ${ALERT_COLUMNS}, firing FROM ${S}.alert_status(NULL, $1)`, [now.toISOString()]),
  ]);
  return { rules, status };
}
