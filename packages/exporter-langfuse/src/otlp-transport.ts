import { DeliveryError } from '@mini-agent/core';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { MAX_REQUEST_BYTES, splitBySize } from './batching.js';
import type { LangfuseBatch } from './model.js';
import type { ResolvedLangfuseOptions } from './options.js';
import { LangfuseOtlpSpanExporter } from './otlp-exporter.js';
import type { OtlpSpanData } from './otlp-protobuf.js';
import { spanBytes, toOtlpSpans } from './otlp-spans.js';
import { deliverWithRetry, isRetryableStatus, type AttemptOutcome } from './retry.js';
import type { DeliveryCounts, LangfuseTransportClient, SendOutcome } from './transport.js';
import { EXPORTER_NAME, EXPORTER_VERSION } from './version.js';

/**
 * The headers of every OTLP request besides auth. `x-langfuse-ingestion-version: 4` puts the spans on
 * Langfuse v4's real-time write path (without it a server that routes per request, Langfuse Cloud
 * among them, writes them on the path that shows them up to ~10 minutes late); the SDK headers name
 * this exporter in Langfuse's ingestion attribution.
 */
export function langfuseOtlpHeaders(publicKey: string): Record<string, string> {
  return {
    'x-langfuse-ingestion-version': '4',
    'x-langfuse-sdk-name': EXPORTER_NAME,
    'x-langfuse-sdk-version': EXPORTER_VERSION,
    'x-langfuse-public-key': publicKey,
  };
}

/** Langfuse's OTLP/HTTP trace endpoint under a base URL. */
export function langfuseOtlpEndpoint(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/api/public/otel/v1/traces`;
}

/**
 * The default transport: observations as spans in Langfuse's attribute names (`otlp-spans.ts`),
 * encoded to protobuf (`otlp-protobuf.ts`) and sent by the standard OTLP/HTTP exporter parts,
 * with Basic auth, to `${baseUrl}/api/public/otel/v1/traces`. The exporter retries 429/502/503/504
 * itself within `timeoutMillis` (honouring `Retry-After`); what is still failing after that, and
 * 500s, go through this package's retry policy.
 */
export class OtlpTransport implements LangfuseTransportClient {
  private readonly exporter: LangfuseOtlpSpanExporter;

  constructor(
    private readonly options: ResolvedLangfuseOptions,
    private readonly counts: DeliveryCounts,
  ) {
    const credentials = Buffer.from(`${options.publicKey}:${options.secretKey}`).toString('base64');
    this.exporter = new LangfuseOtlpSpanExporter({
      url: langfuseOtlpEndpoint(options.baseUrl),
      headers: { ...langfuseOtlpHeaders(options.publicKey), Authorization: `Basic ${credentials}` },
      timeoutMillis: options.timeoutMillis,
    });
  }

  async send(batch: LangfuseBatch): Promise<SendOutcome> {
    const spans = toOtlpSpans(batch);
    const unsent: { ids: string[]; error?: DeliveryError } = { ids: [] };
    const refused: { ids: string[]; error?: DeliveryError } = { ids: [] };
    for (const request of splitBySize(spans, spanBytes, MAX_REQUEST_BYTES)) {
      const result = await deliverWithRetry(request, (pending) => this.attempt(pending), this.options.retry, {
        onRetry: () => (this.counts.retries += 1),
      });
      if (result.delivered) {
        this.counts.delivered += request.length;
        continue;
      }
      const target = result.error.retryable ? unsent : refused;
      target.ids.push(...request.map((span) => span.spanId));
      target.error ??= result.error;
    }
    this.counts.failedRetryable += unsent.ids.length;
    this.counts.rejected += refused.ids.length;
    return {
      retryable: unsent.error ? { ids: unsent.ids, error: unsent.error } : null,
      rejected: refused.error ? { ids: refused.ids, error: refused.error } : null,
    };
  }

  shutdown(): Promise<void> {
    return this.exporter.shutdown();
  }

  private async attempt(spans: OtlpSpanData[]): Promise<AttemptOutcome<OtlpSpanData[]>> {
    let result: ExportResult;
    try {
      result = await new Promise<ExportResult>((resolve) => this.exporter.export(spans, resolve));
    } catch (error) {
      // The encoder refused the spans (an id that is not hex): the same spans would fail again.
      const message = `Langfuse OTLP request could not be encoded: ${error instanceof Error ? error.message : String(error)}`;
      return { done: false, remaining: spans, error: new DeliveryError(message, false, { cause: error, reason: 'encode_error' }) };
    }
    if (result.code === ExportResultCode.SUCCESS) return { done: true };
    return { done: false, remaining: spans, error: classify(result.error) };
  }
}

/** The exporter's error as a DeliveryError. It carries the HTTP status (`code`) and body (`data`) when the server answered. */
function classify(error: Error | undefined): DeliveryError {
  const { code, data } = (error ?? {}) as { code?: unknown; data?: unknown };
  if (typeof code === 'number') {
    const message = `Langfuse OTLP endpoint refused the spans (HTTP ${code}): ${serverMessage(data) ?? error?.message ?? ''}`;
    return new DeliveryError(message, isRetryableStatus(code), { cause: error, reason: `http_${code}` });
  }
  // No status: the network, a timeout, or the exporter's own retries running out on 429/502/503/504.
  return new DeliveryError(`Langfuse OTLP export failed: ${error?.message ?? 'unknown error'}`, true, { cause: error });
}

function serverMessage(data: unknown): string | undefined {
  if (typeof data !== 'string' || data === '') return undefined;
  try {
    // The OTLP route answers `{ error }`; the rest of Langfuse's API `{ message }`.
    const parsed = JSON.parse(data) as { message?: unknown; error?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // Not JSON: the text is the message.
  }
  return data;
}
