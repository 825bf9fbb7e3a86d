import { randomBytes } from 'node:crypto';
import type { SpanRecord, ToolExecutionRecord, TraceRecord } from '@mini-agent/core';

/** Random OTel-shaped ids, so tests sharing a database never see each other's rows. */
export const newTraceId = (): string => randomBytes(16).toString('hex');
export const newSpanId = (): string => randomBytes(8).toString('hex');

const START = new Date('2026-11-25T10:00:00.000Z');
const END = new Date('2026-11-25T10:00:00.250Z');

/** A tool record as interpret() would hand it to a sink; override what the test is about. */
export function toolRecord(traceId: string, overrides: Partial<ToolExecutionRecord> = {}): ToolExecutionRecord {
  return {
    type: 'tool', traceId, spanId: newSpanId(), parentSpanId: null, name: 'fetch', toolName: 'fetch', category: 'core',
    callId: null, toolType: null, input: null, output: null, success: true, errorMessage: null, startTime: START, endTime: END, durationMs: 250, metadata: {},
    ...overrides,
  };
}

/** The partial trace record every non-session span yields. */
export function partialTrace(traceId: string, spanId = newSpanId()): TraceRecord {
  return {
    type: 'trace', traceId, spanId, complete: false, root: false, sessionId: null, agentName: null, agentVersion: null, userId: null,
    userContext: null, name: null, status: 'unset', statusMessage: null, startTime: null, endTime: null, input: null,
    output: null, tags: [], environment: null, attributes: {}, resource: {},
  };
}

/** A span record for `spans`. */
export function spanRecord(traceId: string, overrides: Partial<SpanRecord> = {}): SpanRecord {
  return {
    type: 'span', traceId, spanId: newSpanId(), parentSpanId: null, name: 'step', kind: 'step', otelKind: 'internal',
    status: 'unset', statusMessage: null, startTime: START, endTime: END, durationMs: 250, attributes: {}, events: [],
    links: [], resource: {}, scope: { name: 'test', version: null },
    ...overrides,
  };
}
