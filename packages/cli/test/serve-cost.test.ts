import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { ATTR_SESSION_ID, ATTR_SPAN_KIND, ATTR_USER_ID, GenAiAttributes as G } from '@mini-agent/semconv';
import { recordSpans, startLangfuseTestServer } from '@mini-agent/test-support';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { calcPrice } from '@pydantic/genai-prices';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, CLI_BIN, cleanEnv, runCli, runNode } from './built-cli.js';

const TOKEN = 'serve-cost-token';
let workDir: string;
let dataDir: string;

beforeAll(async () => {
  await buildCli();
  workDir = mkdtempSync(join(tmpdir(), 'cli-serve-cost-'));
  dataDir = join(workDir, 'pglite');
}, 600_000);
afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** A session of four LLM calls, as an agent's SDK exports it: GenAI attributes on `chat` spans. */
function sessionSpans(): Promise<ReadableSpan[]> {
  return recordSpans((tracer) => {
    tracer.startActiveSpan('support session', { attributes: { [ATTR_SPAN_KIND]: 'session', [ATTR_SESSION_ID]: 'sess-cost', [ATTR_USER_ID]: 'user-cost' } }, (root) => {
      const chat = (name: string, model: string, provider: string, usage: Record<string, number>) =>
        tracer.startSpan(name, { attributes: { [G.OPERATION_NAME]: 'chat', [G.REQUEST_MODEL]: model, [G.PROVIDER_NAME]: provider, ...usage } }).end();
      chat('plain', 'gpt-4o-mini', 'openai', { [G.USAGE_INPUT_TOKENS]: 1000, [G.USAGE_OUTPUT_TOKENS]: 500, [G.RESPONSE_TIME_TO_FIRST_CHUNK]: 0.25 });
      chat('cached', 'gpt-4o-mini', 'openai', { [G.USAGE_INPUT_TOKENS]: 1000, [G.USAGE_OUTPUT_TOKENS]: 500, [G.USAGE_CACHE_READ_INPUT_TOKENS]: 400 });
      chat('unknown', 'my-unknown-model', 'openai', { [G.USAGE_INPUT_TOKENS]: 10, [G.USAGE_OUTPUT_TOKENS]: 5 });
      chat('custom', 'acme-llm-70b', 'acme', { [G.USAGE_INPUT_TOKENS]: 2000, [G.USAGE_OUTPUT_TOKENS]: 100 });
      root.end();
    });
  });
}

function send(url: string, spans: ReadableSpan[]): Promise<ExportResult> {
  const exporter = new OTLPTraceExporter({ url, headers: { Authorization: `Bearer ${TOKEN}` } });
  return new Promise<ExportResult>((resolve) => exporter.export(spans, resolve)).finally(() => exporter.shutdown());
}

async function withDatabase<T>(work: (db: PGlite) => Promise<T>): Promise<T> {
  const db = await PGlite.create(dataDir);
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

const library = (usage: Record<string, number>) => calcPrice(usage, 'gpt-4o-mini', { providerId: 'openai' })!.total_price;

describe('cost through serve: priced once, stored, reported, alerted on, sent to Langfuse', () => {
  it('prices what serve receives with the library and model_prices; report, alerts and Langfuse show the same figures', async () => {
    expect((await runCli(['migrate', '--data-dir', dataDir], { cwd: workDir, env: cleanEnv() })).code).toBe(0);
    // A self-hosted model the library cannot know: priced only through model_prices.
    await withDatabase((db) =>
      db.query(`INSERT INTO mini_agent_observability.model_prices (pattern, provider, input_usd_per_mtok, output_usd_per_mtok)
                VALUES ('^acme-llm-', 'acme', 0.6, 2.4)`),
    );
    expect(calcPrice({ input_tokens: 2000, output_tokens: 100 }, 'acme-llm-70b', { providerId: 'acme' })).toBeNull();

    const langfuse = await startLangfuseTestServer({ publicKey: 'pk-lf-cost', secretKey: 'sk-lf-cost' });
    const spans = await sessionSpans();
    let answer: ExportResult | undefined;
    let steps: Promise<void> | undefined;
    const result = await runNode([CLI_BIN, 'serve', '--port', '0', '--data-dir', dataDir, '--no-spool'], {
      cwd: workDir,
      env: cleanEnv({ MINI_AGENT_BRIDGE_TOKEN: TOKEN, LANGFUSE_PUBLIC_KEY: 'pk-lf-cost', LANGFUSE_SECRET_KEY: 'sk-lf-cost', LANGFUSE_BASE_URL: langfuse.baseUrl }),
      onStdout: (stdout, child) => {
        const url = /^mini-agent bridge listening on (http:\/\/\S+)$/m.exec(stdout)?.[1];
        if (!url || steps || !stdout.includes('sinks ready')) return;
        steps = (async () => {
          // model_prices is read once the database is ready, off the request path: give it a moment.
          await new Promise((r) => setTimeout(r, 500));
          answer = await send(url, spans);
        })().finally(() => child.kill('SIGTERM'));
      },
    });
    await steps;
    await langfuse.close();
    expect(result.code, result.stderr).toBe(0);
    expect(answer?.code).toBe(0);

    const rows = await withDatabase(async (db) =>
      (await db.query<{ name: string; cost_usd: string | null; cost_details: Record<string, unknown>; uncached_input_tokens: number; cached_tokens: number | null; ttft_ms: number | null }>(
        `SELECT name, cost_usd::text, cost_details, uncached_input_tokens, cached_tokens,
                extract(epoch FROM completion_start_time - started_at)::float8 * 1000 AS ttft_ms
           FROM mini_agent_observability.generations`,
      )).rows,
    );
    const byName = Object.fromEntries(rows.map((r) => [r.name, r]));
    expect(Number(byName.plain!.cost_usd)).toBeCloseTo(library({ input_tokens: 1000, output_tokens: 500 }), 12);
    expect(byName.plain!.cost_details).toMatchObject({ source: '@pydantic/genai-prices', version: '0.1.8' });
    expect(byName.plain!.ttft_ms).toBeCloseTo(250, 0);
    expect(Number(byName.cached!.cost_usd)).toBeCloseTo(library({ input_tokens: 1000, cache_read_tokens: 400, output_tokens: 500 }), 12);
    expect(Number(byName.cached!.cost_usd)).toBeLessThan(Number(byName.plain!.cost_usd));
    expect(byName.cached).toMatchObject({ uncached_input_tokens: 600, cached_tokens: 400 });
    expect(byName.unknown!.cost_usd).toBeNull();
    expect(byName.unknown!.cost_details).toMatchObject({ reason: 'unknown_model', model: 'my-unknown-model' });
    expect(Number(byName.custom!.cost_usd)).toBeCloseTo((2000 * 0.6 + 100 * 2.4) / 1e6, 12);
    expect(byName.custom!.cost_details).toMatchObject({ source: 'model_prices', pattern: '^acme-llm-' });

    // Langfuse is given the same figures, under its own keys.
    const generations = langfuse.observations().filter((o) => o.type === 'GENERATION');
    expect(generations).toHaveLength(4);
    const sent = Object.fromEntries(generations.map((o) => [o.name, o.costDetails]));
    expect(sent.plain?.total).toBe(library({ input_tokens: 1000, output_tokens: 500 }));
    expect(sent.cached).toMatchObject({ input_cached_tokens: expect.any(Number), input: expect.any(Number), output: expect.any(Number) });
    expect(sent.unknown).toBeNull();
    expect(generations.find((o) => o.name === 'cached')?.usageDetails).toMatchObject({ input: 600, input_cached_tokens: 400, output: 500 });

    // report --format json: spend per model and per session, the unknown model listed as unpriced.
    const report = await runCli(['report', '--data-dir', dataDir, '--since', '1h', '--format', 'json'], { cwd: workDir, env: cleanEnv() });
    expect(report.code, report.stderr).toBe(0);
    const { spend } = JSON.parse(report.stdout) as { spend: { totalUsd: number; models: { model: string; costUsd: number; unpriced: number; ttftP50Ms: number | null }[]; sessions: { sessionId: string; userId: string; costUsd: number; unpriced: number }[]; unpriced: { model: string; reason: string; generations: number }[] } };
    const priced = [byName.plain!, byName.cached!, byName.custom!].reduce((sum, r) => sum + Number(r.cost_usd), 0);
    expect(spend.totalUsd).toBeCloseTo(priced, 12);
    const mini = spend.models.find((m) => m.model === 'gpt-4o-mini')!;
    expect(mini.costUsd).toBeCloseTo(Number(byName.plain!.cost_usd) + Number(byName.cached!.cost_usd), 12);
    expect(mini.ttftP50Ms).toBeCloseTo(250, 0);
    expect(spend.models.find((m) => m.model === 'my-unknown-model')).toMatchObject({ costUsd: 0, unpriced: 1 });
    expect(spend.sessions).toEqual([expect.objectContaining({ sessionId: 'sess-cost', userId: 'user-cost', unpriced: 1 })]);
    expect(spend.sessions[0]!.costUsd).toBeCloseTo(priced, 12);
    expect(spend.unpriced).toEqual([expect.objectContaining({ model: 'my-unknown-model', reason: 'unknown_model', generations: 1 })]);
    const text = await runCli(['report', '--data-dir', dataDir, '--since', '1h'], { cwd: workDir, env: cleanEnv() });
    expect(text.stdout).toMatch(/Unpriced models[^\n]*\n[^\n]*\n[^\n]*my-unknown-model/);

    // The spend rule is off until a budget is set; then it fires.
    const quiet = await runCli(['alerts', '--data-dir', dataDir, '--format', 'json'], { cwd: workDir, env: cleanEnv() });
    expect(quiet.stdout).not.toContain('"spend"');
    await withDatabase((db) => db.query(`UPDATE mini_agent_observability.alert_thresholds SET enabled = true, threshold = 0.001 WHERE rule_name = 'spend'`));
    const firing = await runCli(['alerts', '--data-dir', dataDir, '--format', 'json'], { cwd: workDir, env: cleanEnv() });
    expect(firing.code).toBe(1);
    const payload = JSON.parse(firing.stdout) as { text: string; alerts: { rule: string; metric: string; value: number }[] };
    const spendAlert = payload.alerts.find((a) => a.rule === 'spend')!;
    expect(payload.text).toContain(`spend ${priced.toPrecision(3)} USD > 0.001 USD`);
    expect(spendAlert.metric).toBe('spend_usd');
    expect(spendAlert.value).toBeCloseTo(priced, 12);
  }, 300_000);
});
