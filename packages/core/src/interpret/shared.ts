import type { AttributeValue, HrTime } from '@opentelemetry/api';
import type { SanitizeCounters } from '../counters.js';
import type { InterpretableSpan, JsonValue, SpanOutcome, ToolExecutionRecord } from '../records.js';
import type { Sanitizer } from '../sanitize.js';

/**
 * What every record builder needs from the {@link Interpreter} that runs it: the sanitizer, the
 * counters, and the two conversions whose rules (allowed keys, invalid times) it holds.
 */
export interface RecordContext {
  readonly sanitizer: Sanitizer;
  readonly counters: SanitizeCounters;
  /** A raw value as storable JSON (see `Interpreter.value`). */
  value(raw: unknown, span: InterpretableSpan | undefined, field: string): JsonValue | null;
  /** An event's time; an invalid one is counted and replaced by now. */
  date(time: HrTime): Date;
}

/** What the tool and generation records share with the span they come from. */
export type Common = Pick<
  ToolExecutionRecord,
  'traceId' | 'spanId' | 'parentSpanId' | 'sessionId' | 'userId' | 'startTime' | 'endTime' | 'durationMs' | 'success' | 'errorMessage'
>;

/** How a span ended, as the records tell it. */
export interface Outcome {
  readonly status: SpanOutcome;
  readonly failed: boolean;
  readonly message: string | undefined;
}

export function optionalString(v: AttributeValue | undefined): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A name or id (indexed, grouped by): held to the shorter name limit. */
export function nullableName(v: string | undefined, s: Sanitizer): string | null {
  return v === undefined || v === null ? null : s.name(v);
}

export function nullable(v: string | undefined, s: Sanitizer): string | null {
  return v === undefined ? null : s.string(v);
}
