import { createHash } from 'node:crypto';

/**
 * A 16-hex observation id for a decision recorded as an event inside a span (`${spanId}:${index}`).
 * OTLP needs a span id of that shape; deriving it by hash keeps it the same on every export, so a
 * retried or repeated export upserts the same observation instead of adding one.
 */
export function derivedObservationId(recordId: string): string {
  return createHash('sha256').update(`mini-agent:${recordId}`).digest('hex').slice(0, 16);
}

/** The id of an ingestion event: one per body and event type, the same on every retry. */
export function ingestionEventId(bodyId: string, eventType: string): string {
  return `${bodyId}-${eventType}`;
}
