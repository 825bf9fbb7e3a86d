// Each typed value once (sql/098): besides its payloads, a span of a usual set leaves out of
// spans.attributes what its typed row holds in a column of its own, each value only where the
// column gives it back exactly, and spans_full gives every span back as it was sent.
import { readFileSync } from 'node:fs';
import { interpret, type SpanRecord } from '@mini-agent/core';
import {
  ATTR_DECISION_CHOSEN,
  ATTR_DECISION_OPTIONS,
  ATTR_DECISION_REASONING,
  ATTR_DECISION_TYPE,
  ATTR_SESSION_ID,
  ATTR_SPAN_KIND,
  ATTR_TOOL_CATEGORY,
  ATTR_TOOL_INPUT,
  ATTR_TOOL_NAME,
  ATTR_TOOL_OUTPUT,
  ATTR_USER_ID,
  GenAiAttributes as G,
} from '@mini-agent/semconv';
import { recordSpans } from '@mini-agent/test-support';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { beforeAll, describe, expect, it } from 'vitest';
import { findSqlDir } from '../src/index.js';
import { SPAN_TYPED_VALUES, USUAL_PAYLOAD_KEYS, USUAL_TYPED_VALUES } from '../src/payload-once.js';
import { BACKENDS, exportAsync, useExporterSuite, type Row } from './backends.js';

const S = 'mini_agent_observability';
const MESSAGES = JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'summarize' }] }]);
const ANSWER = JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'a summary' }] }]);

/** A tool, two LLM calls (one with counts no column gives back exactly) and a decision, as agents send them. */
async function session(): Promise<ReadableSpan[]> {
  return recordSpans((tracer) =>
    tracer.startActiveSpan('session', { attributes: { [ATTR_SPAN_KIND]: 'session' } }, (root) => {
      tracer.startSpan('tool shell', {
        attributes: {
          [ATTR_SPAN_KIND]: 'tool', [ATTR_TOOL_NAME]: 'shell', [ATTR_TOOL_CATEGORY]: 'core',
          [ATTR_TOOL_INPUT]: '{"cmd":"ls"}', [ATTR_TOOL_OUTPUT]: 'README.md', 'retry.count': 0,
        },
      }).end();
      const llm = {
        [G.OPERATION_NAME]: 'chat', [G.PROVIDER_NAME]: 'openai', [G.REQUEST_MODEL]: 'gpt-5-mini',
        [G.RESPONSE_MODEL]: 'gpt-5-mini-2026-08-07', [G.USAGE_INPUT_TOKENS]: 804, [G.USAGE_OUTPUT_TOKENS]: 124,
        [G.INPUT_MESSAGES]: MESSAGES, [G.OUTPUT_MESSAGES]: ANSWER, [G.REQUEST_TEMPERATURE]: 0.2,
      };
      tracer.startSpan('chat exact', { attributes: llm }).end();
      // A fractional count is stored rounded, and a count sent as text as a number: neither comes back as sent.
      tracer.startSpan('chat inexact', { attributes: { ...llm, [G.USAGE_INPUT_TOKENS]: 800.5, [G.USAGE_OUTPUT_TOKENS]: '12' } }).end();
      tracer.startSpan('route', {
        attributes: {
          [ATTR_SPAN_KIND]: 'decision', [ATTR_DECISION_TYPE]: 'tool_selection', [ATTR_DECISION_OPTIONS]: '["read_file","shell"]',
          [ATTR_DECISION_CHOSEN]: 'shell', [ATTR_DECISION_REASONING]: 'the ticket asks for a listing',
        },
      }).end();
      // Inside a session every span carries its ids (in-process propagation): the span row holds them.
      tracer.startSpan('think', { attributes: { [ATTR_SESSION_ID]: 's-1', [ATTR_USER_ID]: 'u-1', 'app.note': 'x' } }).end();
      // A user id sent as a number is stored as text: it stays.
      tracer.startSpan('numbered', { attributes: { [ATTR_SESSION_ID]: 's-1', [ATTR_USER_ID]: 42 } }).end();
      root.end();
    }),
  );
}

/** A span record's attributes as spans_full gives them: payload JSON text comes back parsed (044). */
function asSpansFullGives(record: SpanRecord): Record<string, unknown> {
  const attributes: Record<string, unknown> = { ...record.attributes };
  for (const key of Object.values(record.payloadKeys ?? {})) {
    const value = attributes[key];
    if (typeof value === 'string') {
      try {
        attributes[key] = JSON.parse(value);
      } catch {
        // Plain text is stored as a JSON string: it comes back as it was.
      }
    }
  }
  return attributes;
}

const byName = (rows: Row[]) => Object.fromEntries(rows.map((r) => [String(r.name), r]));

for (const backend of BACKENDS) {
  describe.runIf(backend.available)(`each typed value stored once, on ${backend.name}`, () => {
    const suite = useExporterSuite(backend);
    let spans: ReadableSpan[];
    let traceId: string;
    let stored: Record<string, Row>;
    let full: Record<string, Row>;
    beforeAll(async () => {
      spans = await session();
      traceId = spans[0]!.spanContext().traceId;
      expect((await exportAsync(suite.exporter(), spans)).code).toBe(ExportResultCode.SUCCESS);
      stored = byName(await suite.db().query(`SELECT name, attributes, payload_keys FROM ${S}.spans WHERE trace_id = $1`, [traceId]));
      full = byName(await suite.db().query(`SELECT name, attributes FROM ${S}.spans_full WHERE trace_id = $1`, [traceId]));
    });

    it('leaves out what the typed columns give back exactly, and names each with a letter', () => {
      expect(stored['tool shell']).toMatchObject({ payload_keys: 'tool/knc', attributes: { 'retry.count': 0 } });
      expect(stored['chat exact']).toMatchObject({
        payload_keys: 'genai/pmio',
        attributes: { [G.OPERATION_NAME]: 'chat', [G.REQUEST_MODEL]: 'gpt-5-mini', [G.REQUEST_TEMPERATURE]: 0.2 },
      });
      expect(stored.route).toMatchObject({ payload_keys: 'decision/kthr', attributes: {} });
      // Spans without a payload left out: the letters alone.
      expect(stored.session).toMatchObject({ payload_keys: '/k', attributes: {} });
      expect(stored.think).toMatchObject({ payload_keys: '/su', attributes: { 'app.note': 'x' } });
    });

    it('keeps a value its column would not give back as sent', () => {
      expect(stored['chat inexact']?.payload_keys).toBe('genai/pm');
      expect(stored['chat inexact']?.attributes).toMatchObject({ [G.USAGE_INPUT_TOKENS]: 800.5, [G.USAGE_OUTPUT_TOKENS]: '12' });
      expect(stored.numbered).toMatchObject({ payload_keys: '/s', attributes: { [ATTR_USER_ID]: 42 } });
    });

    it('spans_full gives every span back with exactly the attributes it was sent with', () => {
      const records = spans.flatMap((span) => interpret(span)).filter((r): r is SpanRecord => r.type === 'span');
      expect(records).toHaveLength(7);
      for (const record of records) expect(full[record.name]?.attributes, record.name).toEqual(asSpansFullGives(record));
    });

    it('reads rows an earlier writer stored with a set name alone as they were', async () => {
      // What a writer before 098 stored for the tool span: the typed values inside the attributes.
      await suite.db().query(
        `UPDATE ${S}.spans SET payload_keys = '"tool"', attributes = attributes || jsonb_build_object($2::text, 'tool', $3::text, 'shell', $4::text, 'core')
          WHERE trace_id = $1 AND name = 'tool shell'`,
        [traceId, ATTR_SPAN_KIND, ATTR_TOOL_NAME, ATTR_TOOL_CATEGORY],
      );
      const [row] = await suite.db().query(`SELECT attributes FROM ${S}.spans_full WHERE trace_id = $1 AND name = 'tool shell'`, [traceId]);
      expect(row?.attributes).toEqual(full['tool shell']?.attributes);
    });
  });
}

describe('the typed values', () => {
  it('are the conventions\' attribute names, one distinct letter each', () => {
    const named = (values: readonly { letter: string; attribute: string }[]) => values.map((v) => `${v.letter} ${v.attribute}`);
    expect(named(SPAN_TYPED_VALUES)).toEqual([`k ${ATTR_SPAN_KIND}`, `s ${ATTR_SESSION_ID}`, `u ${ATTR_USER_ID}`]);
    expect(Object.fromEntries(Object.entries(USUAL_TYPED_VALUES).map(([set, values]) => [set, named(values)]))).toEqual({
      tool: [`n ${ATTR_TOOL_NAME}`, `c ${ATTR_TOOL_CATEGORY}`],
      genai: [`p ${G.PROVIDER_NAME}`, `m ${G.RESPONSE_MODEL}`, `i ${G.USAGE_INPUT_TOKENS}`, `o ${G.USAGE_OUTPUT_TOKENS}`],
      decision: [`t ${ATTR_DECISION_TYPE}`, `h ${ATTR_DECISION_CHOSEN}`, `r ${ATTR_DECISION_REASONING}`],
    });
    expect(Object.keys(USUAL_TYPED_VALUES).sort()).toEqual(Object.keys(USUAL_PAYLOAD_KEYS).sort());
    const all = [...SPAN_TYPED_VALUES, ...Object.values(USUAL_TYPED_VALUES).flat()];
    expect(new Set(all.map((v) => v.letter)).size).toBe(all.length);
  });

  it('are the letters, attributes and columns spans_full reads back (sql/098)', () => {
    const view = readFileSync(`${findSqlDir()}/098_typed_values_once.sql`, 'utf8');
    const read = [...view.matchAll(/strpos\(k\.letters, '(\w)'\) > 0 THEN '([\w.]+)' END, to_jsonb\((\w+)\.(\w+)\)/g)]
      .map(([, letter, attribute, table, column]) => `${letter} ${attribute} ${table}.${column}`);
    // The view's aliases: s spans, te tool_executions, g generations, d decisions.
    const alias: Record<string, string> = { tool: 'te', genai: 'g', decision: 'd' };
    const written = [
      ...SPAN_TYPED_VALUES.map((v) => `${v.letter} ${v.attribute} s.${v.column}`),
      ...Object.entries(USUAL_TYPED_VALUES).flatMap(([set, values]) => values.map((v) => `${v.letter} ${v.attribute} ${alias[set]}.${v.column}`)),
    ];
    expect(read.sort()).toEqual(written.sort());
  });
});
