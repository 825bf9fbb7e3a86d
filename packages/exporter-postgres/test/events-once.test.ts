// Each event once: metric and decision events their rows hold exactly are left out of spans.events,
// and spans_full gives every span's events back as sent, in order. Real SDK spans through
// interpret(), written by the sink (COPY on a server, INSERT on PGlite).
import { interpret, type AgentRecord, type SpanRecord } from '@mini-agent/core';
import * as sc from '@mini-agent/semconv';
import { recordSpans } from '@mini-agent/test-support';
import { describe, expect, it } from 'vitest';
import { EVENT_NAMES, sameJson } from '../src/events-once.js';
import { BACKENDS, useSinkSuite, type Row } from './backends.js';

const S = 'mini_agent_observability';
const metric = (type: string, value: unknown, unit?: string) => ({ [sc.ATTR_METRIC_TYPE]: type, [sc.ATTR_METRIC_VALUE]: value, ...(unit ? { [sc.ATTR_METRIC_UNIT]: unit } : {}) }) as Record<string, string | number>;

/**
 * One span per case, each with its events: metrics and decisions a row says exactly, between
 * other events, and the ones it cannot say (value as text, a name it lacks, an extra attribute,
 * options as JSON text).
 */
async function records(): Promise<AgentRecord[]> {
  // Three root spans: each a trace of its own.
  const spans = await recordSpans((tracer) => {
    const mixed = tracer.startSpan('mixed');
    mixed.addEvent('cache.miss', { key: 'k1' });
    mixed.addEvent(sc.EVENT_METRIC, metric('latency', 12.5, 'ms'));
    mixed.addEvent('retry', { attempt: 2 });
    mixed.addEvent(sc.EVENT_DECISION, { [sc.ATTR_DECISION_TYPE]: 'route', [sc.ATTR_DECISION_CHOSEN]: 'grep', [sc.ATTR_DECISION_REASONING]: 'cheaper' });
    mixed.addEvent(sc.EVENT_METRIC, metric('tokens', 180000304));
    mixed.end();
    const whole = tracer.startSpan('not exactly');
    whole.addEvent(sc.EVENT_METRIC, metric('latency', '12', 'ms')); // a number given as text
    whole.addEvent(sc.EVENT_METRIC, { [sc.ATTR_METRIC_VALUE]: 3 }); // no type: the row says 'custom'
    whole.addEvent(sc.EVENT_METRIC, { ...metric('memory', 7, 'MB'), host: 'a' }); // an attribute with no column
    whole.addEvent(sc.EVENT_DECISION, { [sc.ATTR_DECISION_TYPE]: 'route', [sc.ATTR_DECISION_OPTIONS]: '["a", "b"]' }); // options as JSON text
    whole.addEvent(sc.EVENT_METRIC, metric('cpu', 0.30000000000000004, '%'));
    whole.end();
    tracer.startSpan('plain').end();
  });
  return spans.flatMap((span) => interpret(span));
}

const spanOf = (all: AgentRecord[], name: string) => all.find((r): r is SpanRecord => r.type === 'span' && r.name === name)!;
const asStored = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

for (const backend of BACKENDS) {
  describe.runIf(backend.available)(`each event once, on ${backend.name}`, () => {
    const suite = useSinkSuite(backend);
    /** The rows of the records' spans (each a trace of its own) by span name. */
    const rows = async (view: string, all: AgentRecord[]): Promise<Record<string, Row>> => {
      const traces = `{${[...new Set(all.map((r) => r.traceId))].join(',')}}`;
      const found = await suite.db().query(`SELECT * FROM ${S}.${view} WHERE trace_id = ANY($1::text[])`, [traces]);
      return Object.fromEntries(found.map((r) => [String(r.name), r]));
    };

    it('leaves out the events the rows say exactly, and spans_full gives every event back as sent, in its place', async () => {
      const all = await records();
      await suite.sink().write(all);
      const stored = await rows('spans', all);
      const full = await rows('spans_full', all);
      const mixed = spanOf(all, 'mixed');
      // Events 1, 3 and 4 are rows of performance_metrics and decisions: bits 1, 3, 4.
      expect(stored.mixed?.events).toEqual(asStored([mixed.events[0], mixed.events[2]]));
      expect(Number(stored.mixed?.events_moved)).toBe(0b11010);
      expect(full.mixed?.events).toEqual(asStored(mixed.events));
      // Only the last metric of the second span is said exactly by its row.
      const whole = spanOf(all, 'not exactly');
      expect(stored['not exactly']?.events).toEqual(asStored(whole.events.slice(0, 4)));
      expect(Number(stored['not exactly']?.events_moved)).toBe(0b10000);
      expect(full['not exactly']?.events).toEqual(asStored(whole.events));
      // A span without events keeps them whole: nothing to mark.
      expect(stored.plain).toMatchObject({ events: [], events_moved: null });
      expect(full.plain?.events).toEqual([]);
      // The rows themselves are all there, the text-valued metric with its value NULL.
      const traces = `{${[...new Set(all.map((r) => r.traceId))].join(',')}}`;
      const [counts] = await suite.db().query(
        `SELECT (SELECT count(*) FROM ${S}.performance_metrics WHERE trace_id = ANY($1::text[]))::int AS metrics,
                (SELECT count(*) FROM ${S}.decisions WHERE trace_id = ANY($1::text[]))::int AS decisions`,
        [traces],
      );
      expect(counts).toEqual({ metrics: 6, decisions: 2 });
    });

    it('gives the same events back when the batch is written again, and drops a metric sample pruned on its own', async () => {
      const all = await records();
      await suite.sink().write(all);
      await suite.sink().write(all);
      const mixed = spanOf(all, 'mixed');
      expect((await rows('spans_full', all)).mixed?.events).toEqual(asStored(mixed.events));
      // Retention of performance_metrics (kept shorter than traces) deletes the sample: its event goes with it.
      await suite.db().query(`DELETE FROM ${S}.performance_metrics WHERE trace_id = $1 AND id = $2`, [mixed.traceId, `${mixed.spanId}:1`]);
      expect((await rows('spans_full', all)).mixed?.events).toEqual(asStored(mixed.events.filter((_, i) => i !== 1)));
    });
  });
}

describe('the event names and JSON equality the writer checks with', () => {
  it('are the conventions\' names', () => {
    expect(EVENT_NAMES).toEqual({
      metric: sc.EVENT_METRIC, metricType: sc.ATTR_METRIC_TYPE, metricValue: sc.ATTR_METRIC_VALUE, metricUnit: sc.ATTR_METRIC_UNIT,
      decision: sc.EVENT_DECISION, decisionType: sc.ATTR_DECISION_TYPE, decisionOptions: sc.ATTR_DECISION_OPTIONS,
      decisionChosen: sc.ATTR_DECISION_CHOSEN, decisionReasoning: sc.ATTR_DECISION_REASONING,
    });
  });

  it('compares objects by key in any order, arrays in order, and values by type', () => {
    expect(sameJson({ a: 1, b: [1, { c: 'x' }] }, { b: [1, { c: 'x' }], a: 1 })).toBe(true);
    expect(sameJson([1, 2], [2, 1])).toBe(false);
    expect(sameJson({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(sameJson({ a: 1, b: undefined as never }, { a: 1, c: 2 })).toBe(false);
    expect(sameJson({ a: '1' }, { a: 1 })).toBe(false);
    expect(sameJson({ a: null }, { a: {} })).toBe(false);
    expect(sameJson([], {})).toBe(false);
  });
});
