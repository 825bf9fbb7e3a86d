import type { Attributes, HrTime, Link, SpanContext, SpanKind, SpanStatus } from '@opentelemetry/api';
import { hrTimeDuration, type InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@mini-agent/core';

/** The fields of a span decoded from OTLP; see {@link OtlpSpan}. */
export interface OtlpSpanFields {
  readonly name: string;
  readonly kind: SpanKind;
  readonly context: SpanContext;
  readonly parentSpanContext: SpanContext | undefined;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly status: SpanStatus;
  readonly attributes: Attributes;
  readonly events: TimedEvent[];
  readonly links: Link[];
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
  readonly droppedAttributesCount: number;
  readonly droppedEventsCount: number;
  readonly droppedLinksCount: number;
}

/**
 * A finished span received over OTLP, in the SDK's `ReadableSpan` shape: what `interpret()` reads,
 * and what any standard `SpanExporter` accepts. Ids are lowercase hex, times `HrTime`, OTLP's span
 * kind mapped to the API's `SpanKind`, as if the span had ended in this process.
 */
export class OtlpSpan implements ReadableSpan {
  readonly name: string;
  readonly kind: SpanKind;
  readonly parentSpanContext: SpanContext | undefined;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly status: SpanStatus;
  readonly attributes: Attributes;
  readonly events: TimedEvent[];
  readonly links: Link[];
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
  readonly droppedAttributesCount: number;
  readonly droppedEventsCount: number;
  readonly droppedLinksCount: number;
  readonly ended = true;
  private readonly context: SpanContext;

  constructor(fields: OtlpSpanFields) {
    this.name = fields.name;
    this.kind = fields.kind;
    this.context = fields.context;
    this.parentSpanContext = fields.parentSpanContext;
    this.startTime = fields.startTime;
    this.endTime = fields.endTime;
    this.status = fields.status;
    this.attributes = fields.attributes;
    this.events = fields.events;
    this.links = fields.links;
    this.resource = fields.resource;
    this.instrumentationScope = fields.instrumentationScope;
    this.droppedAttributesCount = fields.droppedAttributesCount;
    this.droppedEventsCount = fields.droppedEventsCount;
    this.droppedLinksCount = fields.droppedLinksCount;
  }

  spanContext(): SpanContext {
    return this.context;
  }

  /** End minus start, as the SDK computes it for its own spans. */
  get duration(): HrTime {
    return hrTimeDuration(this.startTime, this.endTime);
  }
}
