// The pure helpers of delivery, value by value: how batches are cut (`splitBatch`), how a sink's
// error is classified (`asDeliveryError`, `isTooLarge`, `withRemaining`), the size estimate behind
// the memory bound and the batch limits (`estimateBytes`), and the spool's record codec.
import { describe, expect, it } from 'vitest';
import { asDeliveryError, batchBytes, estimateBytes, isTooLarge, splitBatch, withRemaining } from '../src/delivery/batches.js';
import { decodeRecords, encodeRecords, recordCount } from '../src/delivery/record-codec.js';
import { rememberJsonText } from '../src/json-text.js';
import { recordSpans } from '@mini-agent/test-support';
import { DeliveryError, interpret, type AgentRecord } from '../src/index.js';

/** A finished session span with attributes and a resource, as the SDK hands it over. */
async function oneSpan() {
  const [span] = await recordSpans((tracer) => {
    tracer.startSpan('session', { attributes: { 'mini_agent.span.kind': 'session', 'mini_agent.session.id': 's-1', 'mini_agent.session.input': '{"q":"hi"}', n: 3 } }).end();
  });
  return span!;
}

function metric(i: number, id = `m:${i}`): AgentRecord {
  return { type: 'metric', traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), id, metricType: 'latency', value: i, unit: 'ms', recordedAt: new Date(1_700_000_000_000 + i), metadata: {} };
}
/** Records of the same estimated size (single-digit ids and values). */
const same = (n: number) => Array.from({ length: n }, (_, i) => metric(i));
const ids = (records: readonly AgentRecord[]) => records.map((r) => (r as { id: string }).id);
const json = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

describe('batch sizes', () => {
  it('splitBatch and batchBytes give what estimateBytes gives, objects shared between records measured once', async () => {
    const records = [metric(1), metric(22, 'a longer id'), { ...metric(3), metadata: { note: 'x'.repeat(500), nested: { list: [1, 2, 'three'] } } } as AgentRecord];
    // Interpreted records share their resource and (the span and trace records of a span) their attributes.
    const interpreted = [...interpret(await oneSpan()), ...interpret(await oneSpan())];
    expect(interpreted.length).toBeGreaterThan(3);
    for (const batch of [records, interpreted, [...interpreted, ...records, ...interpreted]]) {
      expect(batchBytes(batch)).toBe(estimateBytes(batch));
      expect(splitBatch(batch, 1, Infinity).map((c) => c.bytes)).toEqual(batch.map((r) => estimateBytes(r)));
      expect(splitBatch(batch, 1_000, Infinity)[0]!.bytes).toBe(batch.reduce((n, r) => n + estimateBytes(r), 0));
    }
    expect(batchBytes([])).toBe(estimateBytes([]));
  });
});

describe('splitBatch', () => {
  const size = estimateBytes(metric(0));

  it('a batch within both limits is one chunk: the very array handed in (no copy), with its estimated size', () => {
    const records = same(5);
    const chunks = splitBatch(records, 10, 10 * size);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.records).toBe(records);
    expect(chunks[0]!.bytes).toBe(5 * size);
  });

  it('cuts at exactly maxRecords records', () => {
    const records = same(7);
    expect(splitBatch(records, 3, Infinity).map((c) => ids(c.records))).toEqual([['m:0', 'm:1', 'm:2'], ['m:3', 'm:4', 'm:5'], ['m:6']]);
    expect(splitBatch(records, 3, Infinity).map((c) => c.bytes)).toEqual([3 * size, 3 * size, size]);
    expect(splitBatch(records, 7, Infinity)).toHaveLength(1);
    expect(splitBatch(records, 6, Infinity).map((c) => c.records.length)).toEqual([6, 1]);
  });

  it('cuts where the next record would pass maxBytes; a chunk of exactly maxBytes is kept whole', () => {
    const records = same(6);
    expect(splitBatch(records, 100, 2 * size).map((c) => c.records.length)).toEqual([2, 2, 2]);
    expect(splitBatch(records, 100, 2 * size).map((c) => c.bytes)).toEqual([2 * size, 2 * size, 2 * size]);
    expect(splitBatch(records, 100, 2 * size - 1).map((c) => c.records.length)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(splitBatch(records, 100, 3 * size - 1).map((c) => c.records.length)).toEqual([2, 2, 2]);
    expect(splitBatch(records, 100, 6 * size)).toHaveLength(1);
  });

  it('a record larger than maxBytes goes alone, with no empty chunk before it', () => {
    const big = metric(0, 'x'.repeat(500));
    const chunks = splitBatch([big, metric(1), metric(2), metric(3)], 100, 2 * size);
    expect(chunks.map((c) => c.records.length)).toEqual([1, 2, 1]);
    expect(chunks[0]!.records[0]).toBe(big);
    expect(chunks[0]!.bytes).toBe(estimateBytes(big));
    expect(splitBatch([big], 100, 10).map((c) => c.records.length)).toEqual([1]);
  });
});

describe('asDeliveryError and isTooLarge', () => {
  it('a DeliveryError stays as it is', () => {
    const error = new DeliveryError('HTTP 400', false, { reason: 'http_400' });
    expect(asDeliveryError(error)).toBe(error);
  });

  it('a RangeError (V8 could not build the payload) is a permanent too_large error, keeping the original as cause', () => {
    const range = new RangeError('Invalid string length');
    const error = asDeliveryError(range);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ message: 'batch too large for the sink: Invalid string length', retryable: false, reason: 'too_large' });
    expect(error.cause).toBe(range);
    expect(isTooLarge(range)).toBe(true);
    expect(isTooLarge(error)).toBe(true);
  });

  it('any other error counts as retryable (a network blip), with its message and the original as cause', () => {
    const plain = new Error('socket hang up');
    const error = asDeliveryError(plain);
    expect(error).toMatchObject({ message: 'socket hang up', retryable: true, reason: undefined, remaining: undefined });
    expect(error.cause).toBe(plain);
    expect(asDeliveryError('boom')).toMatchObject({ message: 'boom', retryable: true });
    expect(isTooLarge(plain)).toBe(false);
    expect(isTooLarge(new DeliveryError('HTTP 413', false, { reason: 'http_413' }))).toBe(false);
  });
});

describe('withRemaining', () => {
  const [a, b, c, d] = same(4) as [AgentRecord, AgentRecord, AgentRecord, AgentRecord];

  it('a retryable failure of one part names that part and the parts not tried yet, keeping its details', () => {
    const failure = new DeliveryError('HTTP 503', true, { reason: 'http_503', retryAfterMs: 1_500 });
    const error = withRemaining(failure, [a, b], [c, d]) as DeliveryError;
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ message: 'HTTP 503', retryable: true, reason: 'http_503', retryAfterMs: 1_500 });
    expect(ids(error.remaining!)).toEqual(['m:0', 'm:1', 'm:2', 'm:3']);
    expect(error.cause).toBe(failure);
  });

  it('when the part said which of its records remain, only those and the untried parts remain', () => {
    const failure = new DeliveryError('207: 1 of 2 failed', true, { remaining: [b] });
    expect(ids((withRemaining(failure, [a, b], [c]) as DeliveryError).remaining!)).toEqual(['m:1', 'm:2']);
    expect(ids((withRemaining(failure, [a, b], []) as DeliveryError).remaining!)).toEqual(['m:1']);
  });

  it('an unclassified error is retryable and keeps the whole part; a permanent one is passed on as it is', () => {
    const plain = withRemaining(new Error('ECONNRESET'), [c], [d]) as DeliveryError;
    expect(plain).toMatchObject({ message: 'ECONNRESET', retryable: true });
    expect(ids(plain.remaining!)).toEqual(['m:2', 'm:3']);
    const permanent = new DeliveryError('HTTP 400', false, { reason: 'http_400' });
    expect(withRemaining(permanent, [a], [b])).toBe(permanent);
  });
});

describe('estimateBytes', () => {
  it('a string without escapes: exactly its JSON length', () => {
    for (const text of ['', 'a', 'hello world', 'x'.repeat(1000)]) expect(estimateBytes(text)).toBe(JSON.stringify(text).length);
  });

  it('null and a Date: exactly their JSON length', () => {
    expect(estimateBytes(null)).toBe(4);
    expect(estimateBytes(null)).toBe(JSON.stringify(null).length);
    const date = new Date(1_700_000_000_000);
    expect(estimateBytes(date)).toBe(JSON.stringify(date).length);
  });

  it('numbers and booleans: 8 each', () => {
    expect(estimateBytes(1)).toBe(8);
    expect(estimateBytes(true)).toBe(8);
  });

  it('arrays and objects: brackets, quotes, colons and a comma per entry (the JSON length plus one)', () => {
    expect(estimateBytes([])).toBe(2);
    expect(estimateBytes({})).toBe(2);
    expect(estimateBytes(['ab', 'cd'])).toBe(JSON.stringify(['ab', 'cd']).length + 1);
    expect(estimateBytes({ ab: 'cd', e: null })).toBe(JSON.stringify({ ab: 'cd', e: null }).length + 1);
    const nested = { list: ['x', { key: 'value' }], text: 'hello' };
    // 2 + (4+4 + [2 + (3+1) + (2 + 3+4+7 + 1)]) + (4+4 + 7)
    expect(estimateBytes(nested)).toBe(48);
  });

  it('a value whose JSON text is known (a parsed tool input): that text length, without walking it', () => {
    const text = '{ "query" : "weather in Paris", "days" : [1, 2, 3] }';
    const value = JSON.parse(text) as { query: string };
    rememberJsonText(value, text);
    expect(estimateBytes(value)).toBe(text.length);
    expect(estimateBytes({ input: value })).toBe(2 + 5 + 4 + text.length);
  });
});

describe('record codec', () => {
  it('encodes records as the bytes JSON.stringify makes, multi-byte text and all', () => {
    const records = [metric(1), { ...metric(2), metadata: { note: 'déjà vu → 🚀, 日本語' } } as AgentRecord];
    expect(encodeRecords(records).toString('utf8')).toBe(JSON.stringify(records));
    expect(encodeRecords([]).toString()).toBe('[]');
  });

  it('a record whose JSON is undefined is written as null, as JSON.stringify writes it in an array', () => {
    const odd = { toJSON: () => undefined } as unknown as AgentRecord;
    expect(encodeRecords([odd]).toString()).toBe('[null]');
    expect(encodeRecords([odd, metric(1)]).toString()).toBe(JSON.stringify([odd, metric(1)]));
  });

  it('grows its buffer for a long multi-byte string, and for a batch of many megabytes, without cutting anything', () => {
    const long = [{ ...metric(1), metadata: { text: '€'.repeat(300_000) + '🚀' } } as AgentRecord];
    expect(encodeRecords(long).equals(Buffer.from(JSON.stringify(long)))).toBe(true);
    // Over 9 MB in records of 3 kB: more than the buffer can hold at the start of any call.
    const many = Array.from({ length: 3_000 }, (_, i) => ({ ...metric(i), metadata: { text: '€'.repeat(1_000) } }) as AgentRecord);
    const bytes = encodeRecords(many);
    expect(bytes.length).toBe(json(many));
    expect(bytes.equals(Buffer.from(JSON.stringify(many)))).toBe(true);
    // The next call starts from a small buffer again and is as right.
    expect(encodeRecords([metric(7)]).toString()).toBe(JSON.stringify([metric(7)]));
  });

  it('round trip: Date fields and span event times come back as Dates', () => {
    const span = {
      type: 'span',
      traceId: 'a'.repeat(32),
      spanId: 'c'.repeat(16),
      startTime: new Date(1_700_000_000_000),
      endTime: new Date(1_700_000_000_500),
      events: [
        { name: 'first token', time: new Date(1_700_000_000_100), attributes: {} },
        { name: 'tool call', time: new Date(1_700_000_000_200), attributes: { 'tool.name': 'search' } },
      ],
    } as unknown as AgentRecord;
    const back = decodeRecords(Buffer.from(encodeRecords([span, metric(3)])));
    expect(back).toEqual([span, metric(3)]);
    const events = (back[0] as unknown as { events: { time: unknown }[] }).events;
    expect(events[0]!.time).toBeInstanceOf(Date);
    expect(events[1]!.time).toEqual(new Date(1_700_000_000_200));
    expect((back[1] as { recordedAt: unknown }).recordedAt).toBeInstanceOf(Date);
  });

  it('recordCount: the records a payload holds, 0 when it is not a JSON array', () => {
    expect(recordCount(Buffer.from(encodeRecords([metric(1), metric(2), metric(3)])))).toBe(3);
    expect(recordCount(Buffer.from('{"a":1}'))).toBe(0);
    expect(recordCount(Buffer.from('[{"type":"metric"'))).toBe(0);
    expect(recordCount(Buffer.from('not json at all'))).toBe(0);
  });
});
