import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@mini-agent/test-support';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeSessions, type SessionRun } from './agent-sessions.js';
import { asJson, CLI_DATABASES, type CliDatabase, type CliDatabaseKind } from './analytics-databases.js';
import { buildCli, cleanEnv, runCli } from './built-cli.js';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js';

// Agent work of the last two hours, against the seeded rules (each over the last hour):
//   30 min ago: web_search, 20 runs of exactly 6000 ms (p95 = 6000 > 5000: tool_latency fires),
//               1 of them failed (5 %: error_rate does not fire); memory 50 % (does not fire)
//   90 min ago: flaky, 10 runs, all failed. Outside the last hour; with --since 2h the error rate
//               is 11 of 30 (36.7 %) and error_rate fires too.
function lastTwoHours(now: number): SessionRun[] {
  return [
    {
      startedAt: new Date(now - 30 * 60_000),
      durationMs: 130_000,
      tools: Array.from({ length: 20 }, (_, i) => ({
        tool: 'web_search', category: 'mcp', startMs: i * 6_000, durationMs: 6_000, ...(i === 0 ? { error: 'upstream timeout' } : {}),
      })),
      memoryPct: [50],
    },
    {
      startedAt: new Date(now - 90 * 60_000),
      durationMs: 2_000,
      tools: Array.from({ length: 10 }, (_, i) => ({ tool: 'flaky', category: 'core', startMs: i * 100, durationMs: 100, error: 'connection reset' })),
    },
  ];
}

const setLatencyThreshold = (db: CliDatabase, threshold: number) =>
  db.query(`UPDATE mini_agent_observability.alert_thresholds SET threshold = $1 WHERE rule_name = 'tool_latency'`, [threshold]);

/** What firing_alerts() returns over the window the CLI used, as the CLI's JSON names it. */
async function firingAlerts(db: CliDatabase, since: string | null, until: string) {
  const rows = await db.query(
    `SELECT rule_name AS rule, metric, subject, value, comparator, threshold, samples,
            extract(epoch FROM window_length)::float8 AS window_seconds, window_start, window_end, description
       FROM mini_agent_observability.firing_alerts($1::timestamptz, $2::timestamptz)`,
    [since, until],
  );
  return rows.map(asJson);
}

let workDir: string;
beforeAll(async () => {
  await buildCli();
  workDir = mkdtempSync(join(tmpdir(), 'cli-alerts-'));
}, 600_000);
afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** Opens a database of `kind` holding the last two hours of agent work. */
async function seeded(kind: CliDatabaseKind): Promise<CliDatabase> {
  const db = await kind.open();
  await writeSessions(db.sink, lastTwoHours(Date.now()));
  return db;
}

describe.each(CLI_DATABASES)('mini-agent-otel alerts on $name', (kind) => {
  let db: CliDatabase;
  const alerts = (args: string[], env?: Record<string, string>) => runCli(['alerts', ...db.flags, ...args], { cwd: workDir, env: cleanEnv(env) });

  beforeAll(async () => {
    if (kind.available) db = await seeded(kind);
  }, 120_000);
  afterEach(async () => {
    if (kind.available) await setLatencyThreshold(db, 5_000);
  });
  afterAll(async () => {
    await db?.close();
  });

  it.skipIf(!kind.available)('a tool slower than 5 s at p95 fires: exit 1, with its value, threshold and window', async () => {
    const result = await alerts([]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[1]).toMatch(/^1 alert firing \(4 rules checked, each over its own window ending \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\):$/);
    expect(lines[2]).toMatch(/^ {2}RULE\s+SUBJECT\s+VALUE\s+COMPARATOR\s+THRESHOLD\s+WINDOW\s+SAMPLES$/);
    expect(lines[3]).toMatch(/^ {2}tool_latency\s+web_search\s+6000\.0 ms\s+>\s+5000 ms\s+1h\s+20$/);
    expect(lines).toHaveLength(4);
  });

  it.skipIf(!kind.available)('--format json lists exactly what firing_alerts() returns', async () => {
    const result = await alerts(['--format', 'json']);
    expect(result.code).toBe(1);
    const payload = JSON.parse(result.stdout);
    expect(payload).toMatchObject({ source: 'mini-agent-otel', rulesChecked: 4, text: 'mini-agent-otel: 1 alert firing: tool_latency web_search 6000.0 ms > 5000 ms (1h)' });
    expect(Number.isNaN(Date.parse(payload.checkedAt))).toBe(false);
    expect(payload.alerts).toEqual([
      {
        rule: 'tool_latency', metric: 'tool_latency_p95_ms', subject: 'web_search', value: 6_000, comparator: '>', threshold: 5_000, samples: 20,
        windowSeconds: 3_600, windowStart: expect.any(String), windowEnd: expect.any(String), description: 'A tool\'s 95th-percentile latency is above 5 s',
      },
    ]);
    expect(payload.alerts).toEqual(await firingAlerts(db, null, payload.alerts[0].windowEnd));
  });

  it.skipIf(!kind.available)('exactly at the threshold nothing fires (exit 0); just above it, it fires', async () => {
    await setLatencyThreshold(db, 6_000);
    const atThreshold = await alerts([]);
    expect(atThreshold.code).toBe(0);
    expect(atThreshold.stdout).toMatch(/^No alerts firing \(4 rules checked, each over its own window ending .*Z\)\.$/m);

    await setLatencyThreshold(db, 5_999.999);
    const justBelow = await alerts(['--format', 'json']);
    expect(justBelow.code).toBe(1);
    expect(JSON.parse(justBelow.stdout).alerts.map((a: Record<string, unknown>) => [a.rule, a.value, a.threshold])).toEqual([['tool_latency', 6_000, 5_999.999]]);
  });

  it.skipIf(!kind.available)('--since evaluates every rule over the window given', async () => {
    const result = await alerts(['--since', '2h', '--format', 'json']);
    expect(result.code).toBe(1);
    const { alerts: fired } = JSON.parse(result.stdout);
    expect(fired.map((a: Record<string, unknown>) => [a.rule, a.subject, a.value, a.samples, a.windowSeconds])).toEqual([
      ['error_rate', null, expect.closeTo((100 * 11) / 30, 9), 30, 7_200],
      ['tool_latency', 'web_search', 6_000, 20, 7_200],
    ]);
    expect(fired).toEqual(await firingAlerts(db, fired[0].windowStart, fired[0].windowEnd));

    const table = await alerts(['--since', '2h']);
    expect(table.stdout).toMatch(/^2 alerts firing \(4 rules checked, over .* to .*\):$/m);
    expect(table.stdout).toMatch(/^ {2}error_rate\s+-\s+36\.7 %\s+>\s+10 %\s+2h\s+30$/m);
  });

  it.skipIf(!kind.available)('--webhook POSTs the firing alerts as the JSON document, and prints the URL without its secret', async () => {
    const receiver = await startWebhookReceiver({ status: 200, body: 'ok' });
    try {
      const result = await alerts(['--format', 'json', '--webhook', `${receiver.url}/hooks/T000/secret-token`]);
      expect(result.code).toBe(1);
      expect(receiver.received).toHaveLength(1);
      const [request] = receiver.received;
      expect(request).toMatchObject({ method: 'POST', path: '/hooks/T000/secret-token' });
      expect(request!.headers['content-type']).toBe('application/json');
      expect(request!.headers['user-agent']).toMatch(/^mini-agent-otel\/\d+\.\d+\.\d+$/);
      expect(JSON.parse(request!.body)).toEqual(JSON.parse(result.stdout));
      expect(JSON.parse(request!.body).alerts.map((a: Record<string, unknown>) => a.rule)).toEqual(['tool_latency']);
      expect(result.stderr.trim()).toBe(`Sent 1 alert to ${receiver.url}/…`);
      expect(result.stdout + result.stderr).not.toContain('secret-token');
    } finally {
      await receiver.close();
    }
  });
});

describe('mini-agent-otel alerts: the webhook', () => {
  const kind = CLI_DATABASES.find((k) => k.available)!;
  let db: CliDatabase;
  let receiver: WebhookReceiver | undefined;
  const alerts = (args: string[], env?: Record<string, string>) => runCli(['alerts', ...db.flags, ...args], { cwd: workDir, env: cleanEnv(env) });
  const quiet = () => setLatencyThreshold(db, 60_000);

  beforeAll(async () => {
    db = await seeded(kind);
  }, 120_000);
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
    await setLatencyThreshold(db, 5_000);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('is not called when nothing fires, unless --heartbeat asks for it', async () => {
    await quiet();
    receiver = await startWebhookReceiver();
    const silent = await alerts(['--webhook', receiver.url]);
    expect(silent.code).toBe(0);
    expect(receiver.received).toEqual([]);

    const heartbeat = await alerts(['--webhook', receiver.url, '--heartbeat']);
    expect(heartbeat.code).toBe(0);
    expect(heartbeat.stdout).toContain(`Sent 0 alerts to ${receiver.url}`);
    expect(JSON.parse(receiver.received[0]!.body)).toMatchObject({ source: 'mini-agent-otel', rulesChecked: 4, alerts: [], text: 'mini-agent-otel: no alerts firing (4 rules checked)' });
  });

  it('takes its URL from MINI_AGENT_ALERT_WEBHOOK, so the secret stays off the command line', async () => {
    receiver = await startWebhookReceiver();
    const result = await alerts([], { MINI_AGENT_ALERT_WEBHOOK: `${receiver.url}/hook?key=abc` });
    expect(result.code).toBe(1);
    expect(receiver.received.map((r) => r.path)).toEqual(['/hook?key=abc']);
    expect(result.stdout).toContain(`Sent 1 alert to ${receiver.url}/…`);
  });

  it('a webhook that answers an error: the alerts are still printed, exit 1, and the error says what it answered', async () => {
    receiver = await startWebhookReceiver({ status: 503, body: 'maintenance\nback soon' });
    const result = await alerts(['--webhook', `${receiver.url}/hooks/secret-token`]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^ {2}tool_latency\s+web_search\s+6000\.0 ms/m);
    expect(result.stderr.trim()).toBe(`mini-agent-otel alerts: could not send the alerts: the webhook at ${receiver.url}/… answered 503 Service Unavailable: maintenance back soon`);
  });

  it('a failing heartbeat exits 1 even though nothing fires, and says why', async () => {
    await quiet();
    receiver = await startWebhookReceiver({ status: 500, body: 'boom' });
    const result = await alerts(['--webhook', receiver.url, '--heartbeat']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('No alerts firing');
    expect(result.stderr.trim()).toBe(`mini-agent-otel alerts: could not send the alerts: the webhook at ${receiver.url} answered 500 Internal Server Error: boom`);
  });

  it('a webhook nobody listens on, or one that never answers, is a clear error', async () => {
    const port = await freePort();
    const refused = await alerts(['--webhook', `http://127.0.0.1:${port}/hook`]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe(`mini-agent-otel alerts: could not send the alerts: the webhook at http://127.0.0.1:${port}/… could not be reached: connect ECONNREFUSED 127.0.0.1:${port}`);

    receiver = await startWebhookReceiver('hang');
    const slow = await alerts(['--webhook', receiver.url, '--webhook-timeout', '1s']);
    expect(slow.code).toBe(1);
    expect(receiver.received).toHaveLength(1);
    expect(slow.stderr.trim()).toBe(`mini-agent-otel alerts: could not send the alerts: the webhook at ${receiver.url} did not answer within 1 s`);
  });
});

describe('mini-agent-otel alerts: what it refuses', () => {
  it.each([
    [['--format', 'markdown'], "--format must be one of table, json, got 'markdown'"],
    [['--since', 'soon'], "--since must be a duration like 15m, 24h or 7d, or an ISO time like 2026-03-01T00:00:00Z, got 'soon'"],
    [['--webhook', 'ftp://files.example.com/drop'], '--webhook must be an http:// or https:// URL, got ftp://…'],
    [['--webhook', 'not a url'], '--webhook must be an http:// or https:// URL'],
    [['--heartbeat'], '--heartbeat needs a webhook (--webhook or MINI_AGENT_ALERT_WEBHOOK)'],
    [['--webhook', 'https://hooks.example.com/x', '--webhook-timeout', '0s'], "--webhook-timeout must be a duration like 30s, 15m, 24h or 7d, got '0s'"],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    const result = await runCli(['alerts', ...args, '--data-dir', join(workDir, 'never-opened')], { cwd: workDir });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(`mini-agent-otel alerts: ${message}`);
    expect(result.stdout).toBe('');
  });
});
