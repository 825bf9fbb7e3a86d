import { recordSpans } from '@mini-agent/test-support';
import { SpanStatusCode, type Attributes, type SpanStatus } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { interpret, type AgentRecord } from '../src/index.js';

/** How to build one hand-made span: its attributes exactly as a convention documents them. */
export interface SpanSpec {
  readonly name?: string;
  /** Start the span under a parent span (a nested call rather than the start of a trace). */
  readonly nested?: boolean;
  readonly status?: SpanStatus;
}

/** One real SDK span carrying `attributes`, finished, as an exporter would receive it. */
export async function spanWith(attributes: Attributes, spec: SpanSpec = {}): Promise<ReadableSpan> {
  const spans = await recordSpans((tracer) => {
    const build = () => {
      const span = tracer.startSpan(spec.name ?? 'span', { attributes });
      if (spec.status) span.setStatus(spec.status);
      span.end();
    };
    if (spec.nested) tracer.startActiveSpan('parent', (parent) => (build(), parent.end()));
    else build();
  });
  return spans.find((s) => s.name === (spec.name ?? 'span'))!;
}

/** The records of one record type that `interpret()` made from `span`. */
export function recordsOf<T extends AgentRecord['type']>(span: ReadableSpan, type: T): Extract<AgentRecord, { type: T }>[] {
  return interpret(span).filter((r): r is Extract<AgentRecord, { type: T }> => r.type === type);
}

/** The one record of a type, failing the test when there is not exactly one. */
export function oneOf<T extends AgentRecord['type']>(span: ReadableSpan, type: T): Extract<AgentRecord, { type: T }> {
  const found = recordsOf(span, type);
  if (found.length !== 1) throw new Error(`expected one ${type} record, found ${found.length}`);
  return found[0]!;
}

/** The agent span kind `interpret()` gave the span. */
export function kindOf(span: ReadableSpan): string {
  return oneOf(span, 'span').kind;
}

export const failed = (message: string): SpanStatus => ({ code: SpanStatusCode.ERROR, message });
