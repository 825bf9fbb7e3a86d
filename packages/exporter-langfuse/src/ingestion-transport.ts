import { LangfuseClient } from '@langfuse/client';
import { LangfuseAPIError, LangfuseAPITimeoutError, type IngestionEvent as ClientIngestionEvent } from '@langfuse/core';
import { DeliveryError, type JsonValue } from '@mini-agent/core';
import { MAX_REQUEST_BYTES, splitBySize } from './batching.js';
import { toIngestionEvents, type IngestionEvent } from './ingestion-events.js';
import { truncateJson, utf8Bytes } from './limits.js';
import type { LangfuseBatch } from './model.js';
import type { ResolvedLangfuseOptions } from './options.js';
import { deliverWithRetry, isRetryableStatus, parseRetryAfter, type AttemptOutcome } from './retry.js';
import type { DeliveryCounts, LangfuseTransportClient, SendOutcome } from './transport.js';

/** What a Langfuse v4 server (and Langfuse Cloud) answers per trace or observation event on the legacy API. */
const NOT_ACCEPTED = 'Event type not accepted';

/** The one line a user needs when the server is a v4 one. */
export const OTLP_ONLY_HINT = "this server takes OTLP only: use transport 'otlp' (LANGFUSE_TRANSPORT=otlp)";

let deprecationWarned = false;

/** Says once per process that the ingestion transport is for old servers only. */
function warnDeprecatedOnce(): void {
  if (deprecationWarned) return;
  deprecationWarned = true;
  console.warn(
    "@mini-agent/exporter-langfuse: transport 'ingestion' uses Langfuse's legacy batch ingestion API, kept for self-hosted " +
      "Langfuse v2 and v3 servers. Langfuse Cloud no longer serves it and Langfuse v4 refuses traces and observations there: " +
      "use transport 'otlp' (the default) for those.",
  );
}

/** A per-event failure from a 207 answer. */
interface EventFailure {
  readonly id: string;
  readonly status: number;
  readonly message: string;
}

/**
 * The legacy transport: `POST /api/public/ingestion` through `@langfuse/client`'s
 * `api.ingestion.batch`, for Langfuse v2 servers. The client's own retries are turned off
 * (`maxRetries: 0`) so the one retry policy of this package applies; its answer exposes the 207
 * body, so only the events that failed with a retryable status are sent again.
 */
export class IngestionTransport implements LangfuseTransportClient {
  private readonly client: LangfuseClient;
  private otlpOnlyReported = false;

  constructor(
    private readonly options: ResolvedLangfuseOptions,
    private readonly counts: DeliveryCounts,
  ) {
    warnDeprecatedOnce();
    this.client = new LangfuseClient({
      publicKey: options.publicKey,
      secretKey: options.secretKey,
      baseUrl: options.baseUrl,
      timeout: Math.ceil(options.timeoutMillis / 1000),
    });
  }

  async send(batch: LangfuseBatch): Promise<SendOutcome> {
    const events = toIngestionEvents(batch, { legacyObservationTypes: this.options.legacyObservationTypes }).map(fitEvent);
    const rejected: EventFailure[] = [];
    const refused: { ids: string[]; error?: DeliveryError } = { ids: [] };
    const unsent: { ids: string[]; error?: DeliveryError } = { ids: [] };
    // One request at a time: a rate-limited server gets no burst, and memory holds one request body.
    for (const request of splitBySize(events, eventBytes, MAX_REQUEST_BYTES)) {
      const result = await deliverWithRetry(request, (pending) => this.attempt(pending, rejected), this.options.retry, {
        onRetry: () => (this.counts.retries += 1),
      });
      if (result.delivered) continue;
      const target = result.error.retryable ? unsent : refused;
      target.ids.push(...result.remaining.map(bodyId));
      target.error ??= result.error;
    }
    const byEventId = new Map(events.map((event) => [event.id, event]));
    const rejectedIds = [...refused.ids, ...rejected.map((r) => (byEventId.has(r.id) ? bodyId(byEventId.get(r.id)!) : r.id))];
    this.counts.rejected += rejectedIds.length;
    this.counts.failedRetryable += unsent.ids.length;
    const rejectedError = refused.error
      ? new DeliveryError(`${refused.error.message} (${refused.ids.length} of ${events.length} events not stored)`, false, { cause: refused.error, reason: refused.error.reason })
      : rejected.length > 0
        ? this.rejectionError(rejected, events.length)
        : undefined;
    return {
      retryable: unsent.error ? { ids: unsent.ids, error: unsent.error } : null,
      rejected: rejectedError ? { ids: rejectedIds, error: rejectedError } : null,
    };
  }

  async shutdown(): Promise<void> {}

  /**
   * Events refused for good. A v4 server refusing the event types themselves is not a problem with
   * these events but with the transport: said once, plainly, and never retried (a 400 is not).
   */
  private rejectionError(rejected: EventFailure[], total: number): DeliveryError {
    const otlpOnly = rejected.some((r) => r.message.startsWith(NOT_ACCEPTED));
    if (!otlpOnly) return new DeliveryError(describeRejections(rejected, total), false, { reason: 'event_rejected' });
    const message = `Langfuse refused ${rejected.length} of ${total} events: ${OTLP_ONLY_HINT}`;
    if (!this.otlpOnlyReported) {
      this.otlpOnlyReported = true;
      console.warn(`@mini-agent/exporter-langfuse: ${message}. The server said: ${rejected.find((r) => r.message.startsWith(NOT_ACCEPTED))!.message}`);
    }
    return new DeliveryError(message, false, { reason: 'otlp_only' });
  }

  private async attempt(events: IngestionEvent[], rejected: EventFailure[]): Promise<AttemptOutcome<IngestionEvent[]>> {
    let response: { data: unknown; rawResponse: { headers: Headers } };
    try {
      // The 207 body's event types include agent-create/tool-create, which current servers take and this client's types predate.
      response = await this.client.api.ingestion
        .batch({ batch: events as unknown as ClientIngestionEvent[] }, { maxRetries: 0, timeoutInSeconds: this.options.timeoutMillis / 1000 })
        .withRawResponse();
    } catch (error) {
      throw classify(error);
    }
    const { successes, errors } = parseBatchResponse(response.data);
    this.counts.delivered += successes;
    const byId = new Map(events.map((event) => [event.id, event]));
    const retry: IngestionEvent[] = [];
    for (const error of errors) {
      const event = byId.get(error.id);
      if (event && isRetryableStatus(error.status)) retry.push(event);
      else rejected.push(error);
    }
    if (retry.length === 0) return { done: true };
    const retryAfterMs = parseRetryAfter(response.rawResponse.headers.get('retry-after'));
    const statuses = [...new Set(errors.filter((e) => byId.has(e.id) && isRetryableStatus(e.status)).map((e) => e.status))].join(', ');
    return {
      done: false,
      remaining: retry,
      error: new DeliveryError(`Langfuse ingestion: ${retry.length} of ${events.length} events failed with ${statuses}`, true, { retryAfterMs }),
    };
  }
}

/** The 207 body: `{ successes: [{ id, status }], errors: [{ id, status, message, error }] }`. */
function parseBatchResponse(data: unknown): { successes: number; errors: EventFailure[] } {
  const body = (data ?? {}) as { successes?: unknown; errors?: unknown };
  const successes = Array.isArray(body.successes) ? body.successes.length : 0;
  const errors = Array.isArray(body.errors)
    ? body.errors.map((raw): EventFailure => {
        const e = raw as { id?: unknown; status?: unknown; message?: unknown; error?: unknown };
        const detail = e.error === undefined || e.error === null ? '' : `: ${typeof e.error === 'string' ? e.error : JSON.stringify(e.error)}`;
        return { id: String(e.id), status: Number(e.status), message: `${typeof e.message === 'string' ? e.message : 'error'}${detail}` };
      })
    : [];
  return { successes, errors };
}

/** An HTTP-level failure as a DeliveryError: retryable for timeouts, network errors, 408/429/5xx. */
function classify(error: unknown): DeliveryError {
  if (error instanceof LangfuseAPITimeoutError) return new DeliveryError(`Langfuse ingestion: ${error.message}`, true, { cause: error });
  if (error instanceof LangfuseAPIError && error.statusCode !== undefined) {
    const message = `Langfuse ingestion rejected the request (HTTP ${error.statusCode}): ${serverMessage(error.body)}`;
    const retryAfterMs = parseRetryAfter(error.rawResponse?.headers?.get?.('retry-after'));
    return new DeliveryError(message, isRetryableStatus(error.statusCode), { cause: error, retryAfterMs, reason: `http_${error.statusCode}` });
  }
  return new DeliveryError(`Langfuse ingestion: request failed: ${(error as Error)?.message ?? String(error)}`, true, { cause: error });
}

function serverMessage(body: unknown): string {
  if (typeof body === 'string') return body;
  const message = (body as { message?: unknown } | undefined)?.message;
  if (typeof message === 'string') {
    const detail = (body as { error?: unknown }).error;
    return detail === undefined ? message : `${message}: ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`;
  }
  return JSON.stringify(body) ?? 'no message';
}

function describeRejections(rejected: EventFailure[], total: number): string {
  const first = rejected.slice(0, 3).map((r) => `${r.id} [${r.status}] ${r.message}`);
  const more = rejected.length > 3 ? `; and ${rejected.length - 3} more` : '';
  return `Langfuse rejected ${rejected.length} of ${total} events: ${first.join('; ')}${more}`;
}

/** The trace or observation id an event writes. */
function bodyId(event: IngestionEvent): string {
  return String(event.body.id);
}

function eventBytes(event: IngestionEvent): number {
  return utf8Bytes(JSON.stringify(event)) + 1;
}

/**
 * An event above the request limit on its own (possible when `maxFieldBytes` is set high) gets its
 * payload fields cut further, so every request stays under {@link MAX_REQUEST_BYTES}.
 */
function fitEvent(event: IngestionEvent): IngestionEvent {
  if (eventBytes(event) <= MAX_REQUEST_BYTES) return event;
  const share = Math.floor((MAX_REQUEST_BYTES - 64 * 1024) / 3);
  const body: Record<string, unknown> = { ...event.body };
  for (const key of ['input', 'output', 'metadata'] as const) {
    if (body[key] !== undefined) body[key] = truncateJson(body[key] as JsonValue, share).value;
  }
  return { ...event, body };
}
