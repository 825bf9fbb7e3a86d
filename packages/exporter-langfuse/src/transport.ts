import type { LangfuseBatch } from './model.js';

/** Sends a mapped batch to Langfuse; rejects with a `DeliveryError` saying whether a retry can help. */
export interface LangfuseTransportClient {
  send(batch: LangfuseBatch): Promise<void>;
  shutdown(): Promise<void>;
}

/** Delivery counters a transport updates as it goes (items: ingestion events or OTLP spans). */
export interface DeliveryCounts {
  /** Items the server accepted. */
  delivered: number;
  /** Items the server refused for good (4xx): not sent again. */
  rejected: number;
  /** Items still failing with retryable errors when the attempts ran out. */
  failedRetryable: number;
  /** Retries made (one per repeated request). */
  retries: number;
}
