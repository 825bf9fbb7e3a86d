import { ATTR_SPAN_KIND, ATTR_TOOL_INPUT, ATTR_TOOL_NAME } from '@mini-agent/semconv';
import { hostileSpans, recordSpans } from '@mini-agent/test-support';
import { isSpanContextValid } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, PostgresExporter } from '../src/index.js';
import { BACKENDS, type TestDb } from './backends.js';

const CORPUS = hostileSpans(1_000);

describe.each(BACKENDS.filter((b) => b.available).map((b) => [b.name, b] as const))('a hostile corpus into %s', (_name, backend) => {
  let db: TestDb | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it(`${CORPUS.spans.length} hostile spans: the exporter never throws, each span is stored or rejected with a reason, and the counters add up`, async () => {
    db = await backend.create();
    await migrate(db.target);
    const exporter = new PostgresExporter({ ...db.options, migrate: false, delivery: { retries: false } });
    const results: number[] = [];
    for (let i = 0; i < CORPUS.spans.length; i += 100) {
      const result = await exporter.exportSpans(CORPUS.spans.slice(i, i + 100));
      results.push(result.code);
    }
    const stats = exporter.stats();
    await exporter.shutdown();

    const [row] = await db.query('SELECT count(*)::int AS n FROM mini_agent_observability.spans');
    const rows = Number(row?.n);
    const sink = stats.sinks.postgres!;
    const rejectedBySink = Object.values(sink.rejected).reduce((a, b) => a + b, 0);
    console.log(
      `[reliability] hostile corpus into ${backend.name}: ${stats.spans.received} spans received, ${rows} stored, ` +
        `${stats.spans.rejected} rejected (${JSON.stringify(stats.spans.rejectedBy)}), sink rejected ${rejectedBySink} records; ` +
        `sanitized ${JSON.stringify(stats.sanitized)}`,
    );
    expect(stats.spans.received).toBe(CORPUS.spans.length);
    expect(stats.spans.interpreted + stats.spans.rejected).toBe(stats.spans.received);
    expect(stats.spans.rejectedBy).toEqual({ invalid_id: CORPUS.invalidIds });
    // Everything interpretable was made storable: no batch was refused, every span has its row.
    expect(sink).toMatchObject({ rejected: {}, dropped: {} });
    expect(results.every((code) => code === ExportResultCode.SUCCESS)).toBe(true);
    expect(rows).toBe(stats.spans.interpreted);
    const ids = CORPUS.spans.map((s) => s.spanContext()).filter((c) => isSpanContextValid(c)).map((c) => c.spanId);
    const stored = new Set((await db.query('SELECT span_id FROM mini_agent_observability.spans')).map((r) => r.span_id as string));
    expect(ids.filter((id) => !stored.has(id))).toEqual([]);
    // Each kind of damage left a visible marker and was counted.
    for (const reason of ['nul_byte', 'lone_surrogate', 'non_finite_number', 'truncated', 'too_deep', 'invalid_time', 'circular', 'unserializable']) {
      expect(stats.sanitized[reason], reason).toBeGreaterThan(0);
    }
  }, 240_000);

  it('an export far over the batch limit is written in several transactions, all of it stored', async () => {
    db = await backend.create();
    await migrate(db.target);
    const big = 'y'.repeat(1024 * 1024 - 64);
    const spans = await recordSpans((tracer) => {
      for (let i = 0; i < 40; i++) {
        tracer.startSpan(`big ${i}`, { attributes: { [ATTR_SPAN_KIND]: 'tool', [ATTR_TOOL_NAME]: 'upload', [ATTR_TOOL_INPUT]: `${i}${big}` } }).end();
      }
    });
    const exporter = new PostgresExporter({ ...db.options, migrate: false, delivery: { retries: false } });
    const result = await exporter.exportSpans(spans); // ~80 MB of records in one export
    const stats = exporter.stats().sinks.postgres!;
    await exporter.shutdown();
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    expect(stats.splitBatches).toBeGreaterThan(0);
    const [row] = await db.query("SELECT count(*)::int AS n, min(length(input #>> '{}'))::int AS shortest FROM mini_agent_observability.tool_executions");
    expect(row).toEqual({ n: 40, shortest: 1024 * 1024 - 63 });
  }, 240_000);
});
