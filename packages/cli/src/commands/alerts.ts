import { parseArgs } from 'node:util';
import { alertPayload } from '../alerts/alert-payload.js';
import { checkAlerts } from '../alerts/alert-check.js';
import { alertsAsTable } from '../alerts/render-alerts.js';
import { postToWebhook, webhookLabel } from '../alerts/webhook.js';
import { CliError, ExitCode, type Command } from '../command.js';
import { databaseTarget, DATABASE_FLAGS, DATABASE_FLAGS_HELP } from '../database-target.js';
import { parsedOrUsageError } from '../parse.js';
import { openReadOnlyDatabase } from '../read-only-database.js';
import { parseDuration, parseFormat, parseTimeWindow } from '../time-window.js';
import { cliVersion } from '../version.js';

/** The environment variable holding the webhook URL, so its secret need not be on the command line. */
export const ALERT_WEBHOOK_ENV = 'MINI_AGENT_ALERT_WEBHOOK';

const FORMATS = ['table', 'json'] as const;
const DEFAULT_WEBHOOK_TIMEOUT = '10s';

const HELP = `Usage: mini-agent-otel alerts [--since 1h] [--until TIME] [--format table|json] [--webhook URL]
                              [--heartbeat] [--database-url URL | --data-dir DIR]

Evaluates the alert rules of the table mini_agent_observability.alert_thresholds (seeded with:
a tool's p95 latency above 5 s, more than 10 % of tool executions failed, memory above 80 %,
more than 20 % of sessions failed; each over the last hour; and, disabled until you set a budget,
LLM spend above 10 USD a day: rule 'spend') and prints the rules that fire, with
their value, threshold and window. For cron and CI: exits 1 when any alert fires, 0 when none.

Options:
  --since TIME        Evaluate every rule over one window starting here: a duration back from
                      now (15m, 1h, 7d) or an ISO time. Default: each rule over its own
                      window_length, ending now
  --until TIME        End of the window (excluded), same forms. Default now
  --format FORMAT     table (default) or json (the webhook's payload)
  --webhook URL       POST the firing alerts as JSON to URL (default: ${ALERT_WEBHOOK_ENV}), only
                      when something fires. Printed as scheme and host only
  --heartbeat         POST to the webhook even when nothing fires ("alerts": [])
  --webhook-timeout D Give up on the webhook after D (default ${DEFAULT_WEBHOOK_TIMEOUT})
${DATABASE_FLAGS_HELP}
  -h, --help          Show this help

Webhook payload: {"source": "mini-agent-otel", "checkedAt": ISO time, "text": one-line summary,
"rulesChecked": N, "alerts": [{"rule", "metric", "subject", "value", "comparator", "threshold",
"samples", "windowSeconds", "windowStart", "windowEnd", "description"}]}

Exit codes: 0 nothing fires, 1 an alert fires (or the database or the webhook failed: the
error says which), 2 the command line was wrong.

Examples:
  mini-agent-otel alerts
  mini-agent-otel alerts --since 24h --format json
  */5 * * * * cd /srv/agent && ${ALERT_WEBHOOK_ENV}=https://hooks.slack.com/services/… npx mini-agent-otel alerts`;

/** `alerts`: the rules that fire, for a person, a cron job, CI or a webhook. */
export const alertsCommand: Command = {
  name: 'alerts',
  summary: 'Print the alerts that fire (exit 1 if any); POST them to a webhook',
  help: HELP,
  async run(args, io) {
    const { values } = parsedOrUsageError('alerts', () =>
      parseArgs({
        args: [...args],
        options: {
          ...DATABASE_FLAGS,
          since: { type: 'string' },
          until: { type: 'string' },
          format: { type: 'string' },
          webhook: { type: 'string' },
          heartbeat: { type: 'boolean' },
          'webhook-timeout': { type: 'string' },
        },
        strict: true,
        allowPositionals: false,
      }),
    );
    const format = parseFormat(values.format, FORMATS);
    const window = parseTimeWindow(values, undefined);
    const webhook = webhookOf(values.webhook ?? (process.env[ALERT_WEBHOOK_ENV] || undefined));
    const timeoutMs = parseDuration('--webhook-timeout', values['webhook-timeout'] ?? DEFAULT_WEBHOOK_TIMEOUT);
    if (values.heartbeat && !webhook) throw new CliError(`--heartbeat needs a webhook (--webhook or ${ALERT_WEBHOOK_ENV})`, ExitCode.USAGE);
    const target = databaseTarget(values);

    const db = await openReadOnlyDatabase(target);
    const check = await db.read((query) => checkAlerts(query, window)).finally(() => db.close());
    const payload = alertPayload(check, new Date());
    if (format === 'json') io.out(JSON.stringify(payload, null, 2));
    else for (const line of alertsAsTable(check, window, db.label)) io.out(line);

    if (webhook && (check.alerts.length > 0 || values.heartbeat)) {
      await postToWebhook(webhook, payload, { timeoutMs, userAgent: `mini-agent-otel/${cliVersion()}` });
      // With --format json, stdout holds the JSON document only.
      const note = `Sent ${check.alerts.length} alert${check.alerts.length === 1 ? '' : 's'} to ${webhookLabel(webhook)}`;
      if (format === 'json') io.err(note);
      else io.out(note);
    }
    return check.alerts.length > 0 ? ExitCode.FAILED : ExitCode.OK;
  },
};

function webhookOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    // Only the scheme is quoted back: the rest of a webhook URL may be its secret.
    throw new CliError(`--webhook must be an http:// or https:// URL${parsed ? `, got ${parsed.protocol}//…` : ''}`, ExitCode.USAGE);
  }
  return url;
}
