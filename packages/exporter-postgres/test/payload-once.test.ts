import { interpret, type AgentRecord } from '@mini-agent/core';
import {
  ATTR_DECISION_CHOSEN,
  ATTR_DECISION_OPTIONS,
  ATTR_DECISION_TYPE,
  ATTR_SESSION_ID,
  ATTR_SESSION_INPUT,
  ATTR_SPAN_KIND,
  ATTR_TOOL_CATEGORY,
  ATTR_TOOL_INPUT,
  ATTR_TOOL_NAME,
  ATTR_TOOL_OUTPUT,
  GenAiAttributes as G,
} from '@mini-agent/semconv';
import { recordSpans } from '@mini-agent/test-support';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { beforeAll, describe, expect, it } from 'vitest';
import { USUAL_PAYLOAD_KEYS } from '../src/payload-once.js';
import { tableRowsFor } from '../src/write-records.js';
import { BACKENDS, exportAsync, useExporterSuite, type Row } from './backends.js';

const S = 'mini_agent_observability';
const TOOL_INPUT = JSON.stringify({ path: 'README.md', lines: [1, 40] });
const MESSAGES = JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'summarize' }] }]);
const ANSWER = JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'a summary' }] }]);

/** A session over a tool, an LLM call (GenAI conventions), a decision and a plain step. */
async function session(): Promise<{ spans: ReadableSpan[]; traceId: string }> {
  const spans = await recordSpans((tracer) =>
    tracer.startActiveSpan('session', { attributes: { [ATTR_SPAN_KIND]: 'session', [ATTR_SESSION_ID]: 's-1', [ATTR_SESSION_INPUT]: 'hello' } }, (root) => {
      tracer.startSpan('read', { attributes: { [ATTR_TOOL_NAME]: 'read_file', [ATTR_TOOL_CATEGORY]: 'file', [ATTR_TOOL_INPUT]: TOOL_INPUT, [ATTR_TOOL_OUTPUT]: 'plain text', 'app.step': 3 } }).end();
      tracer.startSpan('chat m1', { attributes: { [G.OPERATION_NAME]: 'chat', [G.REQUEST_MODEL]: 'm1', [G.INPUT_MESSAGES]: MESSAGES, [G.OUTPUT_MESSAGES]: ANSWER } }).end();
      tracer.startSpan('route', { attributes: { [ATTR_SPAN_KIND]: 'decision', [ATTR_DECISION_TYPE]: 'route', [ATTR_DECISION_OPTIONS]: '["grep","read"]', [ATTR_DECISION_CHOSEN]: 'read' } }).end();
      tracer.startSpan('think', { attributes: { 'app.note': 'x' } }).end();
      root.end();
    }),
  );
  return { spans, traceId: spans[0]!.spanContext().traceId };
}

const byName = (rows: Row[]) => Object.fromEntries(rows.map((r) => [String(r.name), r]));

for (const backend of BACKENDS) {
  describe.runIf(backend.available)(`each payload stored once, on ${backend.name}`, () => {
    const suite = useExporterSuite(backend);
    let stored: Record<string, Row>;
    let full: Record<string, Row>;
    beforeAll(async () => {
      const { spans, traceId } = await session();
      expect((await exportAsync(suite.exporter(), spans)).code).toBe(ExportResultCode.SUCCESS);
      stored = byName(await suite.db().query(`SELECT name, attributes, payload_keys FROM ${S}.spans WHERE trace_id = $1`, [traceId]));
      full = byName(await suite.db().query(`SELECT * FROM ${S}.spans_full WHERE trace_id = $1`, [traceId]));
    });

    it('leaves tool input and output, LLM messages and decision options out of spans.attributes, saying where they are', () => {
      // The tool name and category too: its tool_executions row holds both (098: "/nc").
      expect(stored.read?.attributes).toEqual({ 'app.step': 3 });
      // The conventions' usual sets are stored by name (083): "tool", "genai", "decision".
      expect(stored.read?.payload_keys).toBe('tool/nc');
      // No response model, provider or token count to leave out: the name alone.
      expect(stored['chat m1']?.attributes).toEqual({ [G.OPERATION_NAME]: 'chat', [G.REQUEST_MODEL]: 'm1' });
      expect(stored['chat m1']?.payload_keys).toBe('genai');
      expect(stored.route?.attributes).toEqual({});
      expect(stored.route?.payload_keys).toBe('decision/kth');
    });

    it('keeps session input on the session span, and plain spans whole', () => {
      // Its kind and session id are the span row's own columns (098): those are left out.
      expect(stored.session?.attributes).toEqual({ [ATTR_SESSION_INPUT]: 'hello' });
      expect(stored.session?.payload_keys).toBe('/ks');
      expect(stored.think).toMatchObject({ attributes: { 'app.note': 'x' }, payload_keys: null });
    });

    it('spans_full gives every span back with the payloads in its attributes, as the typed rows hold them', () => {
      expect(full.read?.attributes).toEqual({
        [ATTR_TOOL_NAME]: 'read_file', [ATTR_TOOL_CATEGORY]: 'file', 'app.step': 3,
        [ATTR_TOOL_INPUT]: JSON.parse(TOOL_INPUT), [ATTR_TOOL_OUTPUT]: 'plain text',
      });
      expect(full['chat m1']?.attributes).toMatchObject({ [G.INPUT_MESSAGES]: JSON.parse(MESSAGES), [G.OUTPUT_MESSAGES]: JSON.parse(ANSWER) });
      expect(full.route?.attributes).toMatchObject({ [ATTR_DECISION_OPTIONS]: ['grep', 'read'], [ATTR_DECISION_CHOSEN]: 'read' });
      expect(full.think?.attributes).toEqual(stored.think?.attributes);
      expect(Object.keys(full).sort()).toEqual(Object.keys(stored).sort());
      expect(full.read).not.toHaveProperty('payload_keys');
    });

    it('reads the payload text the same through ->> from spans_full as the attribute held it', async () => {
      const [row] = await suite.db().query(`SELECT attributes ->> '${ATTR_TOOL_OUTPUT}' AS output FROM ${S}.spans_full WHERE name = 'read'`);
      expect(row?.output).toBe('plain text');
    });
  });
}

describe('what the writer leaves out of a span row', () => {
  it('nothing, when the typed row is not written with it (the payload would be lost)', async () => {
    const { spans } = await session();
    const records: AgentRecord[] = spans.flatMap((span) => interpret(span));
    const withoutTools = records.filter((r) => r.type !== 'tool');
    const spanRows = tableRowsFor(withoutTools).find((t) => t.mapping.table === 'spans')?.rows ?? [];
    const read = spanRows.find((r) => r.name === 'read');
    expect(read?.attributes).toMatchObject({ [ATTR_TOOL_INPUT]: TOOL_INPUT, [ATTR_TOOL_OUTPUT]: 'plain text' });
    expect(read?.payload_keys).toBeNull();
    // The generation is there: its span's messages are left out.
    expect(spanRows.find((r) => r.name === 'chat m1')?.payload_keys).toBe('genai');
  });

  it('nothing from the record itself: other sinks still see every attribute', async () => {
    const { spans } = await session();
    const records = spans.flatMap((span) => interpret(span));
    tableRowsFor(records);
    const spanRecord = records.find((r) => r.type === 'span' && r.name === 'read');
    expect(spanRecord?.type === 'span' && spanRecord.attributes).toMatchObject({ [ATTR_TOOL_INPUT]: TOOL_INPUT });
  });
});

describe('the usual payload sets stored by name', () => {
  it('are the conventions\' attribute names', () => {
    expect(USUAL_PAYLOAD_KEYS).toEqual({
      tool: { input: ATTR_TOOL_INPUT, output: ATTR_TOOL_OUTPUT },
      genai: { input: G.INPUT_MESSAGES, output: G.OUTPUT_MESSAGES },
      decision: { options: ATTR_DECISION_OPTIONS },
    });
  });

  it('leaves any other set an object: a tool span with its input and no output', async () => {
    const spans = await recordSpans((tracer) => {
      tracer.startSpan('input only', { attributes: { [ATTR_TOOL_NAME]: 'grep', [ATTR_TOOL_INPUT]: TOOL_INPUT } }).end();
      tracer.startSpan('both', { attributes: { [ATTR_TOOL_NAME]: 'grep', [ATTR_TOOL_INPUT]: TOOL_INPUT, [ATTR_TOOL_OUTPUT]: 'x' } }).end();
    });
    const rows = tableRowsFor(spans.flatMap((span) => interpret(span))).find((t) => t.mapping.table === 'spans')?.rows ?? [];
    expect(rows.find((r) => r.name === 'input only')?.payload_keys).toEqual({ input: ATTR_TOOL_INPUT });
    // Typed values are left out only with a usual set: here the object stays, with the name in the attributes.
    expect(rows.find((r) => r.name === 'input only')?.attributes).toEqual({ [ATTR_TOOL_NAME]: 'grep' });
    expect(rows.find((r) => r.name === 'both')?.payload_keys).toBe('tool/n');
  });
});
