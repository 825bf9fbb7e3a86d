import type { Attributes, Context, HrTime, Link, Span, SpanContext, SpanKind, SpanStatus } from '@opentelemetry/api';
import type { ExportResult, InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';

// The trace SDK's export interfaces live in `@opentelemetry/sdk-trace-base` on the 2.x line and in
// `@opentelemetry/sdk-trace` on 3.x; an application has one of them, not both. These are the same
// interfaces, written against what both lines share (`api`, `core`, `resources`), so nothing here
// names a package the application may not have. Both SDKs' objects fit them and ours fit theirs.

/** A timed event of a span: `TimedEvent` of the OpenTelemetry trace SDK (2.x and 3.x). */
export interface TimedEvent {
  readonly time: HrTime;
  readonly name: string;
  readonly attributes?: Attributes;
  readonly droppedAttributesCount?: number;
}

/** A finished span as the SDK hands it to exporters: `ReadableSpan` of the trace SDK (2.x and 3.x). */
export interface ReadableSpan {
  readonly name: string;
  readonly kind: SpanKind;
  readonly spanContext: () => SpanContext;
  readonly parentSpanContext?: SpanContext;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly status: SpanStatus;
  readonly attributes: Attributes;
  readonly links: Link[];
  readonly events: TimedEvent[];
  readonly duration: HrTime;
  readonly ended: boolean;
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
  readonly droppedAttributesCount: number;
  readonly droppedEventsCount: number;
  readonly droppedLinksCount: number;
}

/** What a span processor hands finished spans to: `SpanExporter` of the trace SDK (2.x and 3.x). */
export interface SpanExporter {
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
  forceFlush?(): Promise<void>;
}

/** A span processor: `SpanProcessor` of the trace SDK (2.x and 3.x). */
export interface SpanProcessor {
  forceFlush(): Promise<void>;
  onStart(span: Span, parentContext: Context): void;
  onEnd(span: ReadableSpan): void;
  shutdown(): Promise<void>;
}
