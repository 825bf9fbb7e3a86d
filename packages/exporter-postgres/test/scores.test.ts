import { ATTR_AGENT_VERSION, ATTR_SCORE_ID, ATTR_SCORE_TARGET, ATTR_SESSION_ID, ATTR_SPAN_KIND, GenAiAttributes as G, GenAiEvents } from '@mini-agent/semconv';
import { recordSpans } from '@mini-agent/test-support';
import type { Attributes } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { BACKENDS, exportAsync, useExporterSuite } from './backends.js';

const S = 'mini_agent_observability';

/** A session of agent `version` whose LLM span carries `events` as gen_ai.evaluation.result events. */
async function scoredSession(version: string, events: Attributes[]): Promise<{ spans: ReadableSpan[]; traceId: string; llmSpanId: string }> {
  const spans = await recordSpans((tracer) =>
    tracer.startActiveSpan('support session', { attributes: { [ATTR_SPAN_KIND]: 'session', [ATTR_SESSION_ID]: `sess-${version}`, [ATTR_AGENT_VERSION]: version } }, (session) => {
      tracer.startActiveSpan('chat', { attributes: { [G.OPERATION_NAME]: 'chat', [G.REQUEST_MODEL]: 'gpt-4o', [ATTR_SESSION_ID]: `sess-${version}` } }, (llm) => {
        for (const e of events) llm.addEvent(GenAiEvents.EVALUATION_RESULT, e);
        llm.end();
      });
      session.end();
    }),
  );
  const llm = spans.find((s) => s.name === 'chat')!;
  return { spans, traceId: llm.spanContext().traceId, llmSpanId: llm.spanContext().spanId };
}

for (const backend of BACKENDS) {
  describe.runIf(backend.available)(`scores in ${backend.name}`, () => {
    const suite = useExporterSuite(backend);
    const scoresOf = (traceId: string) =>
      suite.db().query(`SELECT id, span_id, carrier_span_id, session_id, name, data_type, value, label, explanation, source FROM ${S}.scores WHERE trace_id = $1 ORDER BY id`, [traceId]);

    it('an evaluation event becomes one row on the evaluated span; delivered twice, still one row', async () => {
      const { spans, traceId, llmSpanId } = await scoredSession('1.0.0', [
        { [G.EVALUATION_NAME]: 'relevance', [G.EVALUATION_SCORE_VALUE]: 0.9, [G.EVALUATION_SCORE_LABEL]: 'relevant', [G.EVALUATION_EXPLANATION]: 'on topic' },
      ]);
      expect((await exportAsync(suite.exporter(), spans)).code).toBe(ExportResultCode.SUCCESS);
      expect((await exportAsync(suite.exporter(), spans)).code).toBe(ExportResultCode.SUCCESS);
      expect(await scoresOf(traceId)).toEqual([
        {
          id: `${llmSpanId}:0`, span_id: llmSpanId, carrier_span_id: llmSpanId, session_id: 'sess-1.0.0', name: 'relevance',
          data_type: 'numeric', value: 0.9, label: 'relevant', explanation: 'on topic', source: 'evaluation',
        },
      ]);
    });

    it('a score given again under the same id replaces the first, keeping when it was first given', async () => {
      const first = await scoredSession('1.0.1', [{ [G.EVALUATION_NAME]: 'thumbs', [G.EVALUATION_SCORE_VALUE]: 1, [ATTR_SCORE_ID]: 'fb-9', [ATTR_SCORE_TARGET]: 'session' }]);
      await exportAsync(suite.exporter(), first.spans);
      const [before] = await suite.db().query(`SELECT created_at, updated_at FROM ${S}.scores WHERE trace_id = $1`, [first.traceId]);
      // The same trace id, a later span: a user changing their mind.
      const later = first.spans.map((span) =>
        span.name === 'chat'
          ? { ...span, spanContext: () => span.spanContext(), events: [{ ...span.events[0]!, attributes: { ...span.events[0]!.attributes, [G.EVALUATION_SCORE_VALUE]: 0, [G.EVALUATION_EXPLANATION]: 'changed my mind' } }] }
          : span,
      ) as ReadableSpan[];
      await exportAsync(suite.exporter(), later);
      const rows = await suite.db().query(`SELECT id, span_id, value, explanation, created_at, updated_at FROM ${S}.scores WHERE trace_id = $1`, [first.traceId]);
      expect(rows).toMatchObject([{ id: 'fb-9', span_id: null, value: 0, explanation: 'changed my mind' }]);
      expect(new Date(rows[0]!.created_at as string).getTime()).toBe(new Date(before!.created_at as string).getTime());
      expect(new Date(rows[0]!.updated_at as string).getTime()).toBeGreaterThanOrEqual(new Date(before!.updated_at as string).getTime());
    });

    it('the analytics: averages per name, per agent version and per day, distributions, the worst sessions; the alert fires below its threshold', async () => {
      await suite.db().query(`TRUNCATE ${S}.scores`);
      const good = await scoredSession('2.0.0', [
        { [G.EVALUATION_NAME]: 'helpfulness', [G.EVALUATION_SCORE_VALUE]: 0.9 },
        { [G.EVALUATION_NAME]: 'verdict', [G.EVALUATION_SCORE_LABEL]: 'pass' },
      ]);
      const bad = await scoredSession('2.1.0', [
        { [G.EVALUATION_NAME]: 'helpfulness', [G.EVALUATION_SCORE_VALUE]: 0.1 },
        { [G.EVALUATION_NAME]: 'helpfulness', [G.EVALUATION_SCORE_VALUE]: 0.2 },
        { [G.EVALUATION_NAME]: 'verdict', [G.EVALUATION_SCORE_LABEL]: 'fail' },
      ]);
      await exportAsync(suite.exporter(), [...good.spans, ...bad.spans]);
      const since = new Date(Date.now() - 3_600_000).toISOString();
      const db = suite.db();

      const stats = await db.query(`SELECT name, data_type, scores::int AS scores, sessions::int AS sessions, round(avg_value::numeric, 4)::float8 AS avg, labels FROM ${S}.score_stats($1)`, [since]);
      expect(stats).toEqual([
        { name: 'helpfulness', data_type: 'numeric', scores: 3, sessions: 2, avg: 0.4, labels: {} },
        { name: 'verdict', data_type: 'categorical', scores: 2, sessions: 2, avg: null, labels: { fail: 1, pass: 1 } },
      ]);
      const byVersion = await db.query(`SELECT agent_version, scores::int AS scores, round(avg_value::numeric, 4)::float8 AS avg FROM ${S}.score_stats_by_version($1) WHERE name = 'helpfulness'`, [since]);
      expect(byVersion).toEqual([{ agent_version: '2.0.0', scores: 1, avg: 0.9 }, { agent_version: '2.1.0', scores: 2, avg: 0.15 }]);
      const daily = await db.query(`SELECT day::text AS day, name, scores::int AS scores FROM ${S}.score_daily($1) ORDER BY name`, [since]);
      expect(daily.map((d) => [d.name, d.scores])).toEqual([['helpfulness', 3], ['verdict', 2]]);
      expect(daily[0]!.day).toBe(new Date().toISOString().slice(0, 10));
      const distribution = await db.query(`SELECT name, bucket, lower, upper, scores::int AS scores FROM ${S}.score_distribution($1, 'infinity', 2)`, [since]);
      expect(distribution).toEqual([
        { name: 'helpfulness', bucket: '1', lower: 0.1, upper: 0.5, scores: 2 },
        { name: 'helpfulness', bucket: '2', lower: 0.5, upper: 0.9, scores: 1 },
        { name: 'verdict', bucket: 'fail', lower: null, upper: null, scores: 1 },
        { name: 'verdict', bucket: 'pass', lower: null, upper: null, scores: 1 },
      ]);
      const worst = await db.query(`SELECT trace_id, agent_version, scores::int AS scores FROM ${S}.worst_sessions('helpfulness', $1)`, [since]);
      expect(worst).toEqual([{ trace_id: bad.traceId, agent_version: '2.1.0', scores: 2 }, { trace_id: good.traceId, agent_version: '2.0.0', scores: 1 }]);

      // Off by default; once set up for one score name, it fires for that name only.
      expect(await db.query(`SELECT * FROM ${S}.firing_alerts() WHERE metric LIKE 'score%'`)).toEqual([]);
      await db.query(`UPDATE ${S}.alert_thresholds SET metric = 'score_avg:helpfulness', threshold = 0.5, enabled = true WHERE rule_name = 'score_average'`);
      const firing = await db.query(`SELECT rule_name, subject, round(value::numeric, 4)::float8 AS value, samples::int AS samples FROM ${S}.firing_alerts()`);
      expect(firing).toEqual([{ rule_name: 'score_average', subject: 'helpfulness', value: 0.4, samples: 3 }]);
      await db.query(`UPDATE ${S}.alert_thresholds SET threshold = 0.3 WHERE rule_name = 'score_average'`);
      expect(await db.query(`SELECT * FROM ${S}.firing_alerts()`)).toEqual([]);
      await db.query(`UPDATE ${S}.alert_thresholds SET metric = 'score_avg', threshold = 0.5, enabled = false WHERE rule_name = 'score_average'`);
    });
  });
}
