import { interpret } from '@mini-agent/core';
import { startLangfuseTestServer, type LangfuseTestServer } from '@mini-agent/test-support';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MASK_FAILED } from '../src/index.js';
import { recordAgentRun } from './agent-run.js';
import { KEYS, recordsOf, requestsOf, sinkFor, TRANSPORTS, writeTo, BOTH_TRANSPORTS_SERVER } from './server.js';

const TEN_MB = 10 * 1024 * 1024;
const REQUEST_LIMIT = 3_500_000;
let server: LangfuseTestServer;

beforeAll(async () => {
  server = await startLangfuseTestServer(BOTH_TRANSPORTS_SERVER);
});
afterAll(() => server.close());
beforeEach(async () => {
  await server.settled();
  server.reset();
  server.clearFaults();
});

describe.each(TRANSPORTS)('size limits over the %s transport', (transport) => {
  it('truncates a 10 MB tool output with a visible marker, keeps every request under 3.5 MB, and the server accepts it', async () => {
    const run = await recordAgentRun({ toolOutput: 'x'.repeat(TEN_MB) });
    const sink = sinkFor(server, transport);
    const error = await writeTo(sink, recordsOf(run.spans));
    expect(error).toBeUndefined();
    const output = server.observation(run.id('read_file'))?.output as string;
    expect(output).toContain('truncated by mini-agent');
    expect(Buffer.byteLength(output)).toBeLessThanOrEqual(1_000_000);
    expect(requestsOf(server, transport).every((r) => r.bytes <= REQUEST_LIMIT && r.status < 300)).toBe(true);
    expect(sink.stats().truncatedFields).toBeGreaterThanOrEqual(1);
  });

  it('splits a batch of large observations into several requests, each under 3.5 MB, losing none', async () => {
    const runs = await Promise.all([1, 2, 3, 4].map(() => recordAgentRun({ toolOutput: 'y'.repeat(900_000) })));
    const error = await writeTo(sinkFor(server, transport), runs.flatMap((run) => recordsOf(run.spans)));
    expect(error).toBeUndefined();
    const requests = requestsOf(server, transport);
    expect(requests.length).toBeGreaterThan(1);
    expect(requests.every((r) => r.bytes <= REQUEST_LIMIT && r.status < 300)).toBe(true);
    expect(server.observations()).toHaveLength(runs.length * (runs[0]!.spans.length + 1));
  });

  it('still fits one request when maxFieldBytes is raised above what a request can carry', async () => {
    const run = await recordAgentRun({ toolOutput: 'z'.repeat(6_000_000) });
    const records = run.spans.flatMap((span) => interpret(span, { limits: { maxStringLength: 8_000_000 } }));
    const error = await writeTo(sinkFor(server, transport, { maxFieldBytes: 8_000_000 }), records);
    expect(error).toBeUndefined();
    expect(requestsOf(server, transport).every((r) => r.bytes <= REQUEST_LIMIT && r.status < 300)).toBe(true);
    expect(server.observation(run.id('read_file'))?.output).toEqual(expect.stringContaining('truncated by mini-agent'));
  });
});

describe.each(TRANSPORTS)('the mask option over the %s transport', (transport) => {
  it('rewrites inputs, outputs and metadata before anything leaves the process', async () => {
    const card = '4111111111111111';
    const run = await recordAgentRun({ toolInput: { card, path: 'orders/123.json' } });
    const seen = new Set<string>();
    const mask = ({ data, field }: { data: unknown; field: string }) => {
      seen.add(field);
      return JSON.parse(JSON.stringify(data).replaceAll(card, '[card]'));
    };
    const server2 = await startLangfuseTestServer({ ...BOTH_TRANSPORTS_SERVER, keepBodies: true });
    try {
      const error = await writeTo(sinkFor(server2, transport, { mask }), recordsOf(run.spans));
      expect(error).toBeUndefined();
      expect(server2.observation(run.id('read_file'))?.input).toEqual({ card: '[card]', path: 'orders/123.json' });
      expect(server2.requests.some((r) => r.body?.includes(card))).toBe(false);
      expect(seen).toEqual(new Set(['input', 'output', 'metadata']));
    } finally {
      await server2.close();
    }
  });

  it('withholds a value when the mask throws, rather than sending it unmasked', async () => {
    const run = await recordAgentRun();
    const sink = sinkFor(server, transport, {
      mask: ({ data, field }) => {
        if (field === 'input') throw new Error('mask bug');
        return data;
      },
    });
    const error = await writeTo(sink, recordsOf(run.spans));
    expect(error).toBeUndefined();
    expect(server.observation(run.id('read_file'))?.input).toBe(MASK_FAILED);
    expect(sink.stats().maskFailures).toBeGreaterThan(0);
  });
});
