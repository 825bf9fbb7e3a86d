import { emptyState, statusBadge } from '../html/components.js';
import { formatCount, timeElement } from '../html/format.js';
import { html, join, type SafeHtml } from '../html/html.js';
import type { PageSpec } from '../html/layout.js';
import type { AlertRuleRow, AlertsData } from '../queries/alerts.js';
import type { AlertStatusRow } from '../queries/rows.js';
import { alertRows, formatAlertValue, formatWindow, ruleAnchor } from './shared.js';

/** Every alert rule with its threshold and its current values, as `alert_status()` evaluates them now. */
export function alertsPage(data: AlertsData): PageSpec {
  const title = 'Alerts';
  const firing = data.status.filter((s) => s.firing);
  const firingRules = new Set(firing.map((s) => s.rule_name));
  const body = html`<h1>${title}</h1>
<p class="${firing.length > 0 ? 'alert-note' : 'ok-note'}" id="alert-summary" data-firing="${firing.length}">${firing.length > 0
    ? html`${formatCount(firing.length)} alert${firing.length === 1 ? '' : 's'} firing, from ${formatCount(firingRules.size)} rule${firingRules.size === 1 ? '' : 's'}.`
    : 'Nothing fires right now.'}</p>
${data.rules.length === 0 ? emptyState('No alert rules', html`<p>The <code>alert_thresholds</code> table is empty. Re-running <code>mini-agent-otel migrate</code> seeds the default rules.</p>`) : join(data.rules, (rule) => ruleSection(rule, data.status.filter((s) => s.rule_name === rule.rule_name)))}
<section class="howto">
<h2>Changing a rule</h2>
<p>Rules are rows of <code>mini_agent_observability.alert_thresholds</code>; the dashboard only reads them. Change one with any SQL client, e.g.:</p>
<pre class="snippet">UPDATE mini_agent_observability.alert_thresholds
   SET threshold = 3000, window_length = interval '15 minutes'
 WHERE rule_name = 'tool_latency';</pre>
<p><code>mini-agent-otel alerts</code> evaluates the same rules and exits with 1 when one fires (for cron and CI).</p>
</section>`;
  return { title, section: 'alerts', body, facts: { firing: String(firing.length) } };
}

function ruleSection(rule: AlertRuleRow, status: readonly AlertStatusRow[]): SafeHtml {
  const format = formatAlertValue(rule.metric);
  const fires = status.some((s) => s.firing);
  return html`<section class="rule${fires ? ' firing' : ''}" id="${ruleAnchor(rule.rule_name)}" data-rule="${rule.rule_name}">
<h2>${rule.rule_name} ${!rule.enabled ? statusBadge('disabled') : fires ? statusBadge('firing') : statusBadge('ok')}</h2>
<p>${rule.description ?? ''}</p>
<p class="muted"><code>${rule.metric}</code> ${rule.comparator} <strong data-field="threshold" data-value="${String(rule.threshold)}">${format(rule.threshold)}</strong>
over the last ${formatWindow(rule.window_seconds)}, with at least ${formatCount(rule.min_samples)} sample${rule.min_samples === 1 ? '' : 's'} · changed ${timeElement(rule.updated_at)}</p>
${!rule.enabled
    ? html`<p class="muted">Disabled: not evaluated.</p>`
    : html`<table class="data"><thead><tr><th>Rule</th><th>Subject</th><th class="num">Current value</th><th class="num">Threshold</th><th class="num">Samples</th><th>Window</th><th>State</th></tr></thead>
<tbody>${alertRows(status, { withState: true })}</tbody></table>`}
</section>`;
}
