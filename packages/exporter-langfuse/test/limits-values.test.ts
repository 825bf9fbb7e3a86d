// What the size limit and the mask do to single values and to a batch, at the edges: exact
// limits, multi-byte characters, the shape-keeping cut of objects, and what the sink's stats count.
// limits.test.ts sends megabytes through both transports; these take milliseconds.
import { interpret, type JsonValue } from '@mini-agent/core';
import * as sc from '@mini-agent/semconv';
import { recordSpans } from '@mini-agent/test-support';
import { SpanStatusCode } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { MASK_FAILED, mapRecords, type LangfuseBatch } from '../src/index.js';
import { applyLimits, truncateJson, truncationNote } from '../src/limits.js';

const bytes = (value: JsonValue | null): number => Buffer.byteLength(typeof value === 'string' ? value : JSON.stringify(value), 'utf8');

describe('truncateJson', () => {
  it('leaves null and values within the limit as they are, up to the exact byte', () => {
    expect(truncateJson(null, 10)).toEqual({ value: null, truncated: false });
    expect(truncateJson('x'.repeat(1000), 1000)).toEqual({ value: 'x'.repeat(1000), truncated: false });
    // 500 two-byte characters: 1000 bytes, within a 1000-byte limit though 3 × 500 is not.
    expect(truncateJson('é'.repeat(500), 1000)).toEqual({ value: 'é'.repeat(500), truncated: false });
    const object = { a: 'x'.repeat(990) }; // JSON text: 998 bytes
    expect(truncateJson(object, 998)).toEqual({ value: object, truncated: false });
  });

  it('cuts a string one byte over the limit to exactly the limit, ending with the note of its size', () => {
    const { value, truncated } = truncateJson('x'.repeat(1001), 1000);
    expect(truncated).toBe(true);
    const note = truncationNote(1001, 1000);
    expect(note).toBe('…[truncated by mini-agent: 1001 bytes, limit 1000]');
    expect(value).toBe('x'.repeat(1000 - Buffer.byteLength(note)) + note);
    expect(bytes(value)).toBe(1000);
  });

  it('measures UTF-8 bytes, not characters, and never cuts a character in half', () => {
    const text = '€'.repeat(400); // 1,200 bytes in 400 characters
    const { value, truncated } = truncateJson(text, 1000);
    expect(truncated).toBe(true);
    const cut = value as string;
    expect(bytes(cut)).toBeLessThanOrEqual(1000);
    expect(bytes(cut)).toBeGreaterThan(1000 - 3);
    expect(cut).not.toContain('\uFFFD');
    const kept = cut.slice(0, cut.indexOf('…[truncated'));
    expect(kept).toBe('€'.repeat(kept.length));
    expect(cut.endsWith(truncationNote(1200, 1000))).toBe(true);
  });

  it('steps back to a character boundary wherever the cut falls inside a character', () => {
    const text = '€'.repeat(400); // three bytes a character
    for (const limit of [1000, 1001, 1002]) {
      const cut = truncateJson(text, limit).value as string;
      const kept = cut.slice(0, cut.indexOf('…[truncated'));
      expect(kept).toBe('€'.repeat(kept.length));
      const room = limit - Buffer.byteLength(truncationNote(1200, limit));
      // As many whole characters as fit in the room the note leaves, and not one more.
      expect(Buffer.byteLength(kept)).toBe(room - (room % 3));
    }
  });

  it('measures an object by the text it arrived in, not by a shorter rewriting of it', async () => {
    // JSON with a run of spaces: parsed, it is tiny; as it travels, it is its own text.
    const spans = await recordSpans((tracer) =>
      tracer.startActiveSpan('execute_tool t', (s) => {
        s.setAttributes({ [sc.ATTR_SPAN_KIND]: 'tool', [sc.ATTR_TOOL_NAME]: 't', [sc.ATTR_TOOL_INPUT]: `{"a":${' '.repeat(3000)}"x"}` });
        s.end();
      }),
    );
    const batch = mapRecords(spans.flatMap((span) => interpret(span)));
    const counts = { truncatedFields: 0, maskFailures: 0 };
    const [o] = applyLimits(batch, { mask: undefined, maxFieldBytes: 1000 }, counts).observations;
    expect(o!.input).toEqual({ a: 'x' });
    expect(bytes(o!.input)).toBeLessThanOrEqual(1000);
    expect(counts.truncatedFields).toBe(1);
  });

  it('cuts a value sent one key at a time that is not an object by its text', () => {
    expect(truncateJson(12_345_678_901, 5, true)).toEqual({ value: truncationNote(11, 5), truncated: true });
  });

  it('leaves only the note when the limit is smaller than the note', () => {
    expect(truncateJson('x'.repeat(100), 10).value).toBe(truncationNote(100, 10));
  });

  it('keeps an object its shape, cutting only its long strings, when that is enough', () => {
    const value = { long: 'x'.repeat(5000), short: 'kept', n: 7, ok: true, none: null, list: ['y', 'z'] };
    const { value: out, truncated } = truncateJson(value, 4000);
    expect(truncated).toBe(true);
    // The first round cuts each string to half the limit, and that is enough here.
    expect(out).toEqual({ ...value, long: 'x'.repeat(2000 - Buffer.byteLength(truncationNote(5000, 2000))) + truncationNote(5000, 2000) });
  });

  it('keeps the shape when the cut strings bring the object to exactly the limit', () => {
    // {"a":"<2,000 bytes>","b":"<1,985 bytes>"} is 4,000 bytes once "a" is cut to half the limit.
    const value = { a: 'x'.repeat(5000), b: 'y'.repeat(1985) };
    const out = truncateJson(value, 4000).value as { a: string; b: string };
    expect(out.b).toBe(value.b);
    expect(bytes(out)).toBe(4000);
  });

  it('halves the cut of the strings until the object fits', () => {
    const value = Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f'].map((k) => [k, k.repeat(1000)]));
    const { value: out } = truncateJson(value, 4000);
    const cut = out as Record<string, string>;
    expect(Object.keys(cut)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    // 2000 and 1000 bytes a string are not enough for six of them; 500 is.
    for (const [key, text] of Object.entries(cut)) {
      expect(text).toBe(key.repeat(500 - Buffer.byteLength(truncationNote(1000, 500))) + truncationNote(1000, 500));
    }
    expect(bytes(cut)).toBeLessThanOrEqual(4000);
  });

  it('cuts strings down to 256 bytes a string, and no further: a limit under 512 bytes makes an object its cut JSON text', () => {
    const value = { a: 'x'.repeat(2000) };
    const kept = truncateJson(value, 512).value as { a: string };
    expect(kept.a).toBe('x'.repeat(256 - Buffer.byteLength(truncationNote(2000, 256))) + truncationNote(2000, 256));
    const flat = truncateJson(value, 511).value;
    expect(typeof flat).toBe('string');
    expect(flat).toBe(JSON.stringify(value).slice(0, 511 - Buffer.byteLength(truncationNote(2008, 511))) + truncationNote(2008, 511));
  });

  it('makes an object its cut JSON text when it has too many short values for any cut of its strings', () => {
    const value = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, i]));
    const { value: out, truncated } = truncateJson(value, 1000);
    expect(truncated).toBe(true);
    expect(typeof out).toBe('string');
    expect(out).toBe(JSON.stringify(value).slice(0, 1000 - Buffer.byteLength(truncationNote(bytes(value), 1000))) + truncationNote(bytes(value), 1000));
  });

  it('cuts an array of strings element by element', () => {
    const { value } = truncateJson(['a'.repeat(3000), 'b'], 2000);
    expect(value).toEqual(['a'.repeat(1000 - Buffer.byteLength(truncationNote(3000, 1000))) + truncationNote(3000, 1000), 'b']);
  });

  it('measures metadata sent one key at a time by its values, and still cuts it when it is too large', () => {
    const small = { a: 'é'.repeat(100), b: 1 };
    expect(truncateJson(small, 1000, true)).toEqual({ value: small, truncated: false });
    const large = { a: 'x'.repeat(3000), b: 'y'.repeat(3000) };
    const { value, truncated } = truncateJson(large, 2000, true);
    expect(truncated).toBe(true);
    expect(bytes(value)).toBeLessThanOrEqual(2000);
    expect(Object.keys(value as object)).toEqual(['a', 'b']);
    // Exactly at the limit by its per-key measure (3 bytes a character would be too many).
    const exact = { k: 'é'.repeat(495) }; // {"k":"…"}: 503 characters, 998 bytes
    expect(truncateJson(exact, 998, true)).toEqual({ value: exact, truncated: false });
    expect(truncateJson(exact, 997, true).truncated).toBe(true);
  });
});

/**
 * A session span around a failed tool span, made with the real SDK and interpreted: the tool's
 * input, output and error message are the values under test.
 */
async function toolBatch(input: JsonValue, output: string, errorMessage: string): Promise<LangfuseBatch> {
  const spans = await recordSpans((tracer) =>
    tracer.startActiveSpan('run', (session) => {
      session.setAttributes({ [sc.ATTR_SPAN_KIND]: 'session', [sc.ATTR_SESSION_ID]: 's', [sc.ATTR_SESSION_INPUT]: 'question', [sc.ATTR_SESSION_OUTPUT]: 'answer' });
      tracer.startActiveSpan('execute_tool search', (tool) => {
        tool.setAttributes({ [sc.ATTR_SPAN_KIND]: 'tool', [sc.ATTR_TOOL_NAME]: 'search', [sc.ATTR_TOOL_INPUT]: JSON.stringify(input), [sc.ATTR_TOOL_OUTPUT]: output });
        tool.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage });
        tool.end();
      });
      session.end();
    }),
  );
  const batch = mapRecords(spans.flatMap((span) => interpret(span)));
  expect(batch.traces).toHaveLength(1);
  expect(batch.observations.map((o) => o.type).sort()).toEqual(['agent', 'tool']);
  return batch;
}

describe('applyLimits', () => {
  it('cuts every input, output, metadata and status message over the limit and counts each cut field', async () => {
    const long = 'q'.repeat(5000);
    const batch = await toolBatch({ query: long }, long, long);
    const counts = { truncatedFields: 0, maskFailures: 0 };
    const limited = applyLimits(batch, { mask: undefined, maxFieldBytes: 1000 }, counts);
    const o = limited.observations.find((x) => x.type === 'tool');
    expect(bytes(o!.input)).toBeLessThanOrEqual(1000);
    expect(o!.output).toBe(long.slice(0, 1000 - Buffer.byteLength(truncationNote(5000, 1000))) + truncationNote(5000, 1000));
    expect(o!.statusMessage).toBe(o!.output);
    expect(o!.otel.statusMessage).toBe(o!.output);
    // input, output and both status messages of the tool; the session's short values are not cut.
    expect(counts).toEqual({ truncatedFields: 4, maskFailures: 0 });
    expect(limited.traces[0]).toMatchObject({ input: 'question', output: 'answer' });
    expect(limited.traces[0]!.metadata).toEqual(batch.traces[0]!.metadata);
  });

  it('changes and counts nothing within the limit', async () => {
    const batch = await toolBatch({ query: 'short' }, 'found', 'timeout');
    const counts = { truncatedFields: 0, maskFailures: 0 };
    expect(applyLimits(batch, { mask: undefined, maxFieldBytes: 1000 }, counts)).toEqual(batch);
    expect(counts).toEqual({ truncatedFields: 0, maskFailures: 0 });
  });

  it('cuts a trace input and output too', async () => {
    const batch = await toolBatch('in', 'out', 'e');
    const traced: LangfuseBatch = { ...batch, traces: batch.traces.map((t) => ({ ...t, input: 'i'.repeat(3000), output: { text: 'o'.repeat(3000) } })) };
    const counts = { truncatedFields: 0, maskFailures: 0 };
    const [t] = applyLimits(traced, { mask: undefined, maxFieldBytes: 1000 }, counts).traces;
    expect(bytes(t!.input)).toBe(1000);
    expect(bytes(t!.output)).toBeLessThanOrEqual(1000);
    expect(counts.truncatedFields).toBe(2);
  });

  it('masks input, output and metadata (not status messages) before the limit, naming the field', async () => {
    const batch = await toolBatch({ card: '4111' }, 'card 4111', 'card 4111 declined');
    const calls: string[] = [];
    const mask = ({ data, field }: { data: unknown; field: string }) => {
      calls.push(field);
      return JSON.parse(JSON.stringify(data ?? null).replaceAll('4111', '[card]'));
    };
    const counts = { truncatedFields: 0, maskFailures: 0 };
    const { observations, traces } = applyLimits(batch, { mask, maxFieldBytes: 1000 }, counts);
    expect(observations.find((x) => x.type === 'tool')).toMatchObject({ input: { card: '[card]' }, output: 'card [card]', statusMessage: 'card 4111 declined' });
    // The trace, the session's observation and the tool's: three of each field.
    expect(calls.sort()).toEqual(['input', 'input', 'input', 'metadata', 'metadata', 'metadata', 'output', 'output', 'output']);
    expect(traces[0]).toMatchObject({ input: 'question', output: 'answer' });
    expect(counts).toEqual({ truncatedFields: 0, maskFailures: 0 });
  });

  it('cuts what the mask returned, not what it was given', async () => {
    const batch = await toolBatch('short', 'short', 'e');
    const counts = { truncatedFields: 0, maskFailures: 0 };
    const { observations } = applyLimits(batch, { mask: ({ data, field }) => (field === 'output' ? 'm'.repeat(3000) : data), maxFieldBytes: 1000 }, counts);
    expect(bytes(observations.find((x) => x.type === 'tool')!.output)).toBe(1000);
    expect(observations.find((x) => x.type === 'tool')!.input).toBe('short');
    // The outputs of the trace, the session's observation and the tool's.
    expect(counts.truncatedFields).toBe(3);
  });

  it('turns what a mask returns into plain JSON: undefined and null are null, dates are text, functions are gone', async () => {
    const batch = await toolBatch('a', 'b', 'e');
    const counts = { truncatedFields: 0, maskFailures: 0 };
    const { observations } = applyLimits(
      batch,
      {
        mask: ({ data, field }) => {
          if (field === 'input') return undefined;
          if (field === 'output') return { at: new Date(0), drop: () => 1, keep: 1 };
          return data;
        },
        maxFieldBytes: 1000,
      },
      counts,
    );
    expect(observations.find((x) => x.type === 'tool')!.input).toBeNull();
    expect(observations.find((x) => x.type === 'tool')!.output).toEqual({ at: '1970-01-01T00:00:00.000Z', keep: 1 });
    const nulled = applyLimits(batch, { mask: ({ field, data }) => (field === 'input' ? null : data), maxFieldBytes: 1000 }, counts);
    expect(nulled.observations.find((x) => x.type === 'tool')!.input).toBeNull();
    expect(counts.maskFailures).toBe(0);
  });

  it('withholds the value and counts the failure when the mask throws, for each field it throws on', async () => {
    const batch = await toolBatch({ card: '4111' }, 'card 4111', 'e');
    const counts = { truncatedFields: 0, maskFailures: 0 };
    const { observations, traces } = applyLimits(batch, { mask: ({ field, data }) => {
      if (field === 'metadata') return data;
      throw new Error('mask bug');
    }, maxFieldBytes: 1000 }, counts);
    expect(observations.find((x) => x.type === 'tool')).toMatchObject({ input: MASK_FAILED, output: MASK_FAILED });
    expect(traces[0]).toMatchObject({ input: MASK_FAILED, output: MASK_FAILED });
    // Input and output of the trace, the session's observation and the tool's.
    expect(counts.maskFailures).toBe(6);
    // A value that is JSON-hostile (a cycle) fails the same way.
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const again = { truncatedFields: 0, maskFailures: 0 };
    expect(applyLimits(batch, { mask: ({ field, data }) => (field === 'input' ? cyclic : data), maxFieldBytes: 1000 }, again).observations.find((x) => x.type === 'tool')!.input).toBe(MASK_FAILED);
    expect(again.maskFailures).toBe(3);
  });

  it('keeps metadata an object on the wire when the mask or the cut makes it something else', async () => {
    const batch = await toolBatch('a', 'b', 'e');
    const counts = { truncatedFields: 0, maskFailures: 0 };
    const masked = applyLimits(batch, { mask: ({ field, data }) => (field === 'metadata' ? 'hidden' : data), maxFieldBytes: 1000 }, counts);
    expect(masked.observations.find((x) => x.type === 'tool')!.metadata).toEqual({ 'mini_agent.metadata': 'hidden' });
    expect(masked.traces[0]!.metadata).toEqual({ 'mini_agent.metadata': 'hidden' });
    const listed = applyLimits(batch, { mask: ({ field, data }) => (field === 'metadata' ? [1, 2] : data), maxFieldBytes: 1000 }, counts);
    expect(listed.observations.find((x) => x.type === 'tool')!.metadata).toEqual({ 'mini_agent.metadata': [1, 2] });
    const nulled = applyLimits(batch, { mask: ({ field, data }) => (field === 'metadata' ? null : data), maxFieldBytes: 1000 }, counts);
    expect(nulled.observations.find((x) => x.type === 'tool')!.metadata).toEqual({ 'mini_agent.metadata': null });
    const wide = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, i]));
    const cut = applyLimits(batch, { mask: ({ field, data }) => (field === 'metadata' ? wide : data), maxFieldBytes: 1000 }, counts);
    expect(cut.observations.find((x) => x.type === 'tool')!.metadata).toEqual({ 'mini_agent.metadata': expect.stringContaining('…[truncated by mini-agent:') });
  });
});
