import { InterpretingExporter } from '@mini-agent/core';
import { createLangfuseSink, type LangfuseTransport } from '@mini-agent/exporter-langfuse';
import { startLangfuseTestServer, type LangfuseTestServer } from '@mini-agent/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBridge } from '../src/index.js';
import { agentRun, sendWithOtlpExporter } from './helpers.js';

const KEYS = { publicKey: 'pk-lf-bridge-test', secretKey: 'sk-lf-bridge-test' };
const byId = <T extends { id: string }>(items: readonly T[]) => [...items].sort((a, b) => a.id.localeCompare(b.id));
/** What Langfuse shows, without which endpoint delivered it (the same in both paths anyway). */
const shown = (server: LangfuseTestServer) => ({ traces: byId(server.traces()), observations: byId(server.observations()) });

describe.each<LangfuseTransport>(['otlp', 'ingestion'])('Langfuse sees the same traces and observations through the bridge (%s transport)', (transport) => {
  // One server per path: the store merges the defined fields of repeated events, so a second
  // encoding sent to the same server would only show what the first one wrote.
  let inProcessServer: LangfuseTestServer;
  let protobufServer: LangfuseTestServer;
  let jsonServer: LangfuseTestServer;
  beforeAll(async () => {
    // v3: the server line both transports serve (a v4 server refuses the ingestion API's traces).
    inProcessServer = await startLangfuseTestServer({ ...KEYS, langfuseVersion: 3 });
    protobufServer = await startLangfuseTestServer({ ...KEYS, langfuseVersion: 3 });
    jsonServer = await startLangfuseTestServer({ ...KEYS, langfuseVersion: 3 });
  });
  afterAll(async () => {
    await Promise.all([inProcessServer, protobufServer, jsonServer].map((server) => server?.close()));
  });

  it('same ids, same observations, for the protobuf and the JSON exporter', async () => {
    const spans = await agentRun(`langfuse-${transport}`);

    const inProcess = new InterpretingExporter({ sinks: [createLangfuseSink({ ...KEYS, baseUrl: inProcessServer.baseUrl, transport })] });
    expect((await inProcess.exportSpans(spans)).code).toBe(0);
    await inProcess.shutdown();
    const expected = shown(inProcessServer);
    expect(expected.observations.length).toBe(spans.length + 1); // each span, plus the decision event inside the session
    expect(expected.observations.map((o) => o.id)).toEqual(expect.arrayContaining(spans.map((s) => s.spanContext().spanId)));

    for (const [server, send] of [
      [protobufServer, { encoding: 'protobuf', gzip: true }],
      [jsonServer, { encoding: 'json' }],
    ] as const) {
      const bridge = await createBridge({ sinks: [createLangfuseSink({ ...KEYS, baseUrl: server.baseUrl, transport })], port: 0 });
      try {
        expect((await sendWithOtlpExporter(bridge.tracesUrl, spans, send)).code).toBe(0);
        await bridge.flush();
      } finally {
        await bridge.close();
      }
      expect(shown(server), `what the ${send.encoding} path showed`).toEqual(expected);
    }
  });
});
