import { isAscii } from 'node:buffer';
import type { AgentRecord } from '../records.js';

// Record fields that hold Dates; JSON turns them into ISO strings, and replay turns them back.
const DATE_FIELDS = ['startTime', 'endTime', 'decidedAt', 'recordedAt', 'completionStartTime', 'createdAt'] as const;

/** Bytes already made for a batch: every sink's pipeline is handed the same batch, and spools it. */
const encoded = new WeakMap<readonly AgentRecord[], Buffer>();

/**
 * Records as bytes for the spool. Already sanitized and redacted, so secrets never reach the disk.
 * Made once per batch, however many sinks spool it (batches are never changed once handed over).
 */
export function encodeRecords(records: readonly AgentRecord[]): Buffer {
  let payload = encoded.get(records);
  if (payload === undefined) {
    payload = Buffer.from(JSON.stringify(records), 'utf8');
    encoded.set(records, payload);
  }
  return payload;
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
