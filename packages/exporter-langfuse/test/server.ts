import type { LangfuseTestServer } from '@mini-agent/test-support';
import { interpret, type AgentRecord } from '@mini-agent/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createLangfuseSink, LangfuseExporter, type LangfuseExporterOptions, type LangfuseOptions, type LangfuseSink, type LangfuseTransport } from '../src/index.js';

/** Keys the test server accepts. */
export const KEYS = { publicKey: 'pk-lf-test-public', secretKey: 'sk-lf-test-secret' } as const;

/**
 * A server both transports can be tested against: Langfuse v3, the last line whose batch ingestion
 * API takes traces and observations (a v4 server refuses them; see `langfuse-v4.test.ts`).
 */
export const BOTH_TRANSPORTS_SERVER = { ...KEYS, langfuseVersion: 3 } as const;

/** Both transports, for `describe.each`. */
export const TRANSPORTS: readonly LangfuseTransport[] = ['otlp', 'ingestion'];

/** An exporter pointed at the test server, with retries short enough for tests. */
export function exporterFor(server: LangfuseTestServer, transport: LangfuseTransport, options: LangfuseExporterOptions = {}): LangfuseExporter {
  return new LangfuseExporter({
    ...KEYS,
    baseUrl: server.baseUrl,
    transport,
    timeoutMillis: 5_000,
    ...options,
    retry: { initialDelayMillis: 20, maxDelayMillis: 3_000, ...options.retry },
  });
}

/** The requests that reached the endpoint of a transport. */
export function requestsOf(server: LangfuseTestServer, transport: LangfuseTransport) {
  const path = transport === 'otlp' ? '/api/public/otel/v1/traces' : '/api/public/ingestion';
  return server.requests.filter((r) => r.path === path);
}

/** The sink alone, pointed at the test server: what it does without the delivery pipeline in front. */
export function sinkFor(server: LangfuseTestServer, transport: LangfuseTransport, options: LangfuseOptions = {}): LangfuseSink {
  return createLangfuseSink({
    ...KEYS,
    baseUrl: server.baseUrl,
    transport,
    timeoutMillis: 5_000,
    ...options,
    retry: { initialDelayMillis: 20, maxDelayMillis: 3_000, ...options.retry },
  });
}

/** Records of spans, as the exporter hands them to sinks. */
export function recordsOf(spans: readonly ReadableSpan[]): AgentRecord[] {
  return spans.flatMap((span) => interpret(span));
}

/** Writes records and returns the error the sink rejected with, if any. */
export async function writeTo(sink: LangfuseSink, records: readonly AgentRecord[]): Promise<Error | undefined> {
  try {
    await sink.write(records);
    return undefined;
  } catch (error) {
    return error as Error;
  } finally {
    await sink.shutdown();
  }
}
