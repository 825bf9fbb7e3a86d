import { isAscii } from 'node:buffer';
import type { AgentRecord } from '../records.js';

// Record fields that hold Dates; JSON turns them into ISO strings, and replay turns them back.
const DATE_FIELDS = ['startTime', 'endTime', 'decidedAt', 'recordedAt', 'completionStartTime', 'createdAt'] as const;

// The spool bytes are built here, record by record, and reused from one batch to the next: one
// JSON string of a whole batch (megabytes) would be garbage in V8's old generation at once, and a
// new Buffer per batch external memory that only a full GC gives back. Kept up to RETAINED bytes.
const INITIAL = 256 * 1024;
const RETAINED = 8 * 1024 ** 2;
let scratch = Buffer.allocUnsafeSlow(INITIAL);
/**
 * Each record's JSON, made once however many sinks spool it: every sink's pipeline is handed the
 * same record objects (a filtered sink a subset of them), and records are never changed once
 * handed over. Measured while both sinks were down: encoding was 46 % of what the agent
 * allocated, 30 % with the second sink reusing the first one's JSON.
 */
const recordJson = new WeakMap<object, string>();

/**
 * Records as bytes for the spool: a JSON array, the same bytes `JSON.stringify(records)` makes.
 * Already sanitized and redacted, so secrets never reach the disk. The bytes are a view into a
 * buffer the next call overwrites: write them (the spool appends synchronously) before encoding again.
 */
export function encodeRecords(records: readonly AgentRecord[]): Buffer {
  if (scratch.length > RETAINED) scratch = Buffer.allocUnsafeSlow(INITIAL);
  let offset = 0;
  const put = (text: string): void => {
    // UTF-8 takes at most 3 bytes a UTF-16 unit; room is made before writing, never after.
    if (scratch.length - offset < text.length * 3) {
      const grown = Buffer.allocUnsafeSlow(Math.max(scratch.length * 2, offset + text.length * 3));
      scratch.copy(grown, 0, 0, offset);
      scratch = grown;
    }
    offset += scratch.write(text, offset, 'utf8');
  };
  put('[');
  for (let i = 0; i < records.length; i++) {
    if (i > 0) put(',');
    const record = records[i]!;
    let json = recordJson.get(record);
    if (json === undefined) {
      json = JSON.stringify(record) ?? 'null';
      recordJson.set(record, json);
    }
    put(json);
  }
  put(']');
  return scratch.subarray(0, offset);
}

/** Records from spool bytes, with their Date fields restored. */
export function decodeRecords(payload: Buffer): AgentRecord[] {
  // Most spooled JSON is plain ASCII, which reads as Latin-1 many times faster than as UTF-8.
  const text = isAscii(payload) ? payload.toString('latin1') : payload.toString('utf8');
  const records = JSON.parse(text) as Record<string, unknown>[];
  for (const record of records) {
    for (const field of DATE_FIELDS) {
      const value = record[field];
      if (typeof value === 'string') record[field] = new Date(value);
    }
    if (record.type === 'span' && Array.isArray(record.events)) {
      for (const event of record.events as { time: unknown }[]) {
        if (typeof event.time === 'string') event.time = new Date(event.time);
      }
    }
  }
  return records as unknown as AgentRecord[];
}

/** How many records a spool payload holds (for counting a dropped batch); 0 when it does not decode. */
export function recordCount(payload: Buffer): number {
  try {
    const parsed = JSON.parse(payload.toString('utf8')) as unknown;
    return Array.isArray(parsed) ? parsed.length : 0;
  } catch {
    return 0;
  }
}
