import { LangfuseExporter } from '@mini-agent/exporter-langfuse';
import { startLangfuseTestServer, type LangfuseTestServer } from '@mini-agent/test-support';

const KEYS = { publicKey: 'pk-lf-instrumentations', secretKey: 'sk-lf-instrumentations' } as const;

/** A local server that behaves like Langfuse's API, and the exporter (default OTLP transport) pointed at it. */
export interface LocalLangfuse {
  readonly server: LangfuseTestServer;
  readonly exporter: LangfuseExporter;
}

/** Starts {@link LocalLangfuse}; `server.close()` stops it. */
export async function startLocalLangfuse(): Promise<LocalLangfuse> {
  const server = await startLangfuseTestServer(KEYS);
  const exporter = new LangfuseExporter({ ...KEYS, baseUrl: server.baseUrl, timeoutMillis: 5_000 });
  return { server, exporter };
}
