import { startLangfuseTestServer, type LangfuseTestServer } from '@mini-agent/test-support';
import { ExportResultCode } from '@opentelemetry/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAgentRun } from './agent-run.js';
import { exporterFor, KEYS, TRANSPORTS, BOTH_TRANSPORTS_SERVER } from './server.js';

let server: LangfuseTestServer;
beforeAll(async () => {
  server = await startLangfuseTestServer({ ...BOTH_TRANSPORTS_SERVER, keepBodies: true });
});
afterAll(() => server.close());

describe.each(TRANSPORTS)('secrets over the %s transport', (transport) => {
  it('never sends a Langfuse secret key or a bearer token found in a tool input', async () => {
    const langfuseKey = 'sk-lf-0a1b2c3d-4e5f-6789-abcd-ef0123456789';
    const bearer = 'eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXBheWxvYWQ.s1gnatur3-value';
    const run = await recordAgentRun({
      toolInput: { path: 'config.json', note: `connect with ${langfuseKey}`, headers: { Authorization: `Bearer ${bearer}` } },
    });
    await server.settled();
    server.reset();
    const exporter = exporterFor(server, transport);
    const result = await exporter.exportSpans(run.spans);
    await exporter.shutdown();

    expect(result.code).toBe(ExportResultCode.SUCCESS);
    expect(server.observation(run.id('read_file'))?.input).toMatchObject({ path: 'config.json' });
    const bodies = server.requests.map((r) => r.body?.toString('latin1') ?? '');
    expect(bodies.length).toBeGreaterThan(0);
    for (const body of bodies) {
      expect(body).not.toContain(langfuseKey);
      expect(body).not.toContain(bearer);
    }
  });
});
