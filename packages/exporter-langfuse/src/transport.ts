import type { DeliveryError } from '@mini-agent/core';
import type { LangfuseBatch } from './model.js';

/** Items (by trace or observation id) that did not reach Langfuse, and the error that says why. */
export interface FailedItems {
  readonly ids: readonly string[];
  readonly error: DeliveryError;
}

/** What one send achieved: everything not listed was delivered. */
export interface SendOutcome {
  /** Still failing with retryable errors after the transport's own attempts. */
  readonly retryable: FailedItems | null;
  /** Refused for good (4xx): sending them again cannot help. */
  readonly rejected: FailedItems | null;
}

/** Sends a mapped batch to Langfuse. Never throws for a delivery problem: it reports it. */
export interface LangfuseTransportClient {
  send(batch: LangfuseBatch): Promise<SendOutcome>;
  shutdown(): Promise<void>;
}

/** Delivery counters a transport updates as it goes (items: ingestion events or OTLP spans). */
export interface DeliveryCounts {
  /** Items the server accepted. */
  delivered: number;
  /** Items the server refused for good (4xx): not sent again. */
  rejected: number;
  /** Items still failing with retryable errors when the transport's attempts ran out. */
  failedRetryable: number;
  /** Retries made by the transport (one per repeated request). */
  retries: number;
}
