import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { createTestDatabase, hasPostgres, recordSpans, startLangfuseTestServer } from '@mini-agent/test-support';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, CLI_BIN, cleanEnv, REPO_ROOT, runNode } from './built-cli.js';

// The scores story end to end, through the built CLI: an evaluation event sent over OTLP to
// `serve`, a recordScore() call in an agent process, feedback added later with `score`, all of it
// in `report --format json`, in Langfuse with the same ids, and the score alert firing.

const TOKEN = 'scores-test-token';
const KEYS = { publicKey: 'pk-lf-scores', secretKey: 'sk-lf-scores' };
let workDir: string;

beforeAll(async () => {
  await buildCli();
  workDir = mkdtempSync(join(tmpdir(), 'cli-scores-test-'));
}, 600_000);
afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** A session whose LLM span carries one gen_ai.evaluation.result event, as any OTel SDK sends it. */
async function evaluatedSession(): Promise<{ spans: ReadableSpan[]; traceId: string; llmSpanId: string }> {
  const spans = await recordSpans((tracer) =>
    tracer.startActiveSpan('support session', { attributes: { 'mini_agent.span.kind': 'session', 'mini_agent.session.id': 'sess-otlp' } }, (session) => {
      tracer.startActiveSpan('chat gpt-4o', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' } }, (llm) => {
        llm.addEvent('gen_ai.evaluation.result', {
          'gen_ai.evaluation.name': 'relevance',
          'gen_ai.evaluation.score.value': 0.3,
          'gen_ai.evaluation.score.label': 'not_relevant',
          'gen_ai.evaluation.explanation': 'the answer is about shipping, the question about refunds',
        });
        llm.end();
      });
      session.end();
    }),
  );
  const llm = spans.find((s) => s.name === 'chat gpt-4o')!;
  return { spans, traceId: llm.spanContext().traceId, llmSpanId: llm.spanContext().spanId };
}

function send(url: string, spans: ReadableSpan[]): Promise<ExportResult> {
  const exporter = new OTLPTraceExporter({ url, headers: { Authorization: `Bearer ${TOKEN}` } });
  return new Promise<ExportResult>((resolve) => exporter.export(spans, resolve)).finally(() => exporter.shutdown());
}

/** An agent that records a score inside its session, writing into `dataDir`; prints its trace id. */
const AGENT_SCRIPT = `
import { recordScore, registerMiniAgentTracing, withSession } from ${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'packages/otel/dist/index.js')).href)};
const [dataDir] = process.argv.slice(2);
const tracing = registerMiniAgentTracing({ serviceName: 'scored-agent', postgres: { dataDir }, langfuse: false, otlp: false });
await withSession({ name: 'scored run', sessionId: 'sess-agent' }, async (span) => {
  const ok = recordScore({ name: 'helpfulness', value: 0.9, explanation: 'judge: complete answer', id: 'judge-run-1' });
  const refused = recordScore({ name: 'helpfulness', value: Number.NaN });
  console.log(JSON.stringify({ traceId: span.spanContext().traceId, ok, refused }));
});
await tracing.shutdown();
console.log(JSON.stringify({ stats: tracing.stats().scores }));
`;

const cli = (args: string[], extra: Record<string, string> = {}) => runNode([CLI_BIN, ...args], { cwd: workDir, env: cleanEnv(extra) });

describe('scores through the CLI', () => {
  it('serve stores an evaluation event as one row (twice sent, one row) and sends it to Langfuse with that id; recordScore and score rows show in report --format json; the alert fires', async () => {
    const dataDir = join(workDir, 'pglite');
    const langfuse = await startLangfuseTestServer(KEYS);
    const evaluated = await evaluatedSession();
    let steps: Promise<void> | undefined;
    let failure: unknown;
    const answers: ExportResult[] = [];
    const served = await runNode([CLI_BIN, 'serve', '--port', '0', '--data-dir', dataDir], {
      cwd: workDir,
      env: cleanEnv({ MINI_AGENT_BRIDGE_TOKEN: TOKEN, LANGFUSE_PUBLIC_KEY: KEYS.publicKey, LANGFUSE_SECRET_KEY: KEYS.secretKey, LANGFUSE_BASE_URL: langfuse.baseUrl }),
      onStdout: (stdout, child) => {
        const url = /^mini-agent bridge listening on (http:\/\/\S+)$/m.exec(stdout)?.[1];
        if (!url || steps || !stdout.includes('sinks ready')) return;
        steps = (async () => {
          answers.push(await send(url, evaluated.spans));
          answers.push(await send(url, evaluated.spans));
        })()
          .catch((error: unknown) => void (failure = error))
          .finally(() => child.kill('SIGTERM'));
      },
    });
    await steps;
    await langfuse.close();
    if (failure) throw failure;
    expect(served.code, served.stderr).toBe(0);
    expect(answers.map((a) => a.code)).toEqual([0, 0]);

    const scoreId = `${evaluated.llmSpanId}:0`;
    // Langfuse: one score under our id, written twice (the second an update).
    expect(langfuse.scores(evaluated.traceId)).toEqual([
      expect.objectContaining({ id: scoreId, observationId: evaluated.llmSpanId, name: 'relevance', value: 0.3, dataType: 'NUMERIC', writes: 2 }),
    ]);

    // The agent: recordScore() inside its session; the NaN one refused and counted.
    const script = join(workDir, 'agent.mjs');
    writeFileSync(script, AGENT_SCRIPT);
    const agent = await runNode([script, dataDir], { cwd: join(REPO_ROOT, 'packages', 'otel'), env: cleanEnv() });
    expect(agent.code, agent.stderr).toBe(0);
    const [run, stats] = agent.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(run.ok).toEqual({ recorded: true });
    expect(run.refused).toMatchObject({ recorded: false, reason: 'score_value_not_finite' });
    expect(stats.stats).toEqual({ recorded: 1, rejected: { score_value_not_finite: 1 } });

    // Feedback added later, then updated under the same id.
    const given = await cli(['score', run.traceId, 'thumbs_up=true', '--comment', 'fixed my problem', '--id', 'fb-1', '--author', 'user-7', '--data-dir', dataDir]);
    expect(given.code, given.stderr).toBe(0);
    expect(given.stdout).toMatch(/^stored score thumbs_up = 1 \(boolean\) on trace [0-9a-f]{32} in PGlite at .*, id fb-1$/m);
    const changed = await cli(['score', run.traceId, 'thumbs_up=false', '--comment', 'it broke again', '--id', 'fb-1', '--author', 'user-7', '--data-dir', dataDir]);
    expect(changed.code, changed.stderr).toBe(0);
    const low = await cli(['score', evaluated.traceId, 'helpfulness=0.1', '--span', evaluated.llmSpanId, '--data-dir', dataDir]);
    expect(low.code, low.stderr).toBe(0);

    const report = await cli(['report', '--format', 'json', '--data-dir', dataDir]);
    expect(report.code, report.stderr).toBe(0);
    const json = JSON.parse(report.stdout) as { scores: Record<string, unknown>[]; scoreStats: Record<string, unknown>[]; worstSessions: Record<string, unknown>[] };
    const byId = Object.fromEntries(json.scores.map((s) => [s.id, s]));
    expect(byId[scoreId]).toMatchObject({ traceId: evaluated.traceId, spanId: evaluated.llmSpanId, name: 'relevance', value: 0.3, label: 'not_relevant', source: 'evaluation', sessionId: 'sess-otlp' });
    expect(byId['judge-run-1']).toMatchObject({ traceId: run.traceId, spanId: null, name: 'helpfulness', value: 0.9, explanation: 'judge: complete answer', source: 'api', sessionId: 'sess-agent' });
    expect(byId['fb-1']).toMatchObject({ traceId: run.traceId, name: 'thumbs_up', dataType: 'boolean', value: 0, explanation: 'it broke again', author: 'user-7', sessionId: 'sess-agent' });
    expect(json.scores).toHaveLength(4);
    expect(json.scoreStats.find((s) => s.name === 'helpfulness')).toMatchObject({ scores: 2, avgValue: 0.5 });
    expect(json.worstSessions[0]).toMatchObject({ traceId: evaluated.traceId });

    const table = await cli(['report', '--data-dir', dataDir]);
    expect(table.stdout, table.stdout).toMatch(/^Scores:\n +SCORE +TYPE +COUNT/m);
    expect(table.stdout).toMatch(/^Lowest-scored sessions:$/m);
    const newest = table.stdout.slice(table.stdout.indexOf('Newest scores:'));
    for (const name of ['relevance', 'helpfulness', 'thumbs_up']) expect(newest).toContain(name);

    // Bad input: a clear error, exit 1 (refused) or 2 (command line), nothing stored.
    const refused = await cli(['score', run.traceId, `${'x'.repeat(600)}=1`, '--data-dir', dataDir]);
    expect(refused).toMatchObject({ code: 1 });
    expect(refused.stderr).toMatch(/score refused: the score name is 600 characters long; the limit is 512/);
    const usage = await cli(['score', 'not-a-trace', 'x=1', '--data-dir', dataDir]);
    expect(usage).toMatchObject({ code: 2 });
    expect(usage.stderr).toMatch(/'not-a-trace' is not a trace id/);

    // The alert: off until set up; then helpfulness averages 0.5 over two scores.
    const before = await cli(['alerts', '--data-dir', dataDir]);
    expect(before.stdout).not.toMatch(/score_average/);
    const db = await PGlite.create(dataDir);
    await db.query(`UPDATE mini_agent_observability.alert_thresholds SET metric = 'score_avg:helpfulness', threshold = 0.6, enabled = true WHERE rule_name = 'score_average'`);
    await db.close();
    const alerts = await cli(['alerts', '--data-dir', dataDir]);
    expect(alerts.code).toBe(1);
    expect(alerts.stdout).toMatch(/score_average/);
    expect(alerts.stdout).toMatch(/helpfulness/);
  }, 300_000);

  it.runIf(hasPostgres())('score writes straight into a PostgreSQL server too', async () => {
    const database = await createTestDatabase('cli_score');
    try {
      const traceId = 'ab'.repeat(16);
      const given = await cli(['score', traceId, 'verdict=pass', '--source', 'annotation', '--database-url', database.url]);
      expect(given.code, given.stderr).toBe(0);
      expect(given.stderr).toMatch(/is not in .* \(yet\); the score is stored/);
      const sql = postgres(database.url, { max: 1, onnotice: () => {} });
      const rows = await sql`SELECT trace_id, span_id, name, data_type, value, label, source FROM mini_agent_observability.scores`;
      await sql.end();
      expect(rows.map((r) => ({ ...r }))).toEqual([{ trace_id: traceId, span_id: null, name: 'verdict', data_type: 'categorical', value: null, label: 'pass', source: 'annotation' }]);
    } finally {
      await database.drop();
    }
  }, 120_000);
});
