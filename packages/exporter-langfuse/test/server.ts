import type { LangfuseTestServer } from '@mini-agent/test-support';
import { LangfuseExporter, type LangfuseExporterOptions, type LangfuseTransport } from '../src/index.js';

/** Keys the test server accepts. */
export const KEYS = { publicKey: 'pk-lf-test-public', secretKey: 'sk-lf-test-secret' } as const;

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
