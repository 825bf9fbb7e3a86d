import { InterpretingExporter } from '@mini-agent/core';
import { createPostgresSink } from '@mini-agent/exporter-postgres';
import { ATTR_SPAN_KIND, ATTR_TOOL_CATEGORY, ATTR_TOOL_INPUT, ATTR_TOOL_NAME, ATTR_TOOL_OUTPUT } from '@mini-agent/semconv';
import { createTestDatabase, hasPostgres, recordSpans } from '@mini-agent/test-support';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { createBridge, decodeTraceRequest } from '../src/index.js';
import { sendWithOtlpExporter, type Encoding } from './helpers.js';

const SPANS = 5_000;
const SPANS_PER_REQUEST = 512; // the BatchSpanProcessor's default batch size
const CONCURRENT_REQUESTS = 4;

/** Realistic tool spans: ten attributes, about 1 KB of JSON input and output. */
async function toolSpans(count: number) {
  const payload = JSON.stringify({ rows: Array.from({ length: 12 }, (_, i) => ({ id: i, text: 'lorem ipsum dolor sit amet' })) });
  return recordSpans((tracer) => {
    tracer.startActiveSpan('throughput session', (root) => {
      root.setAttribute(ATTR_SPAN_KIND, 'session');
      for (let i = 1; i < count; i++) {
        const span = tracer.startSpan(`tool ${i}`, {
          attributes: {
            [ATTR_SPAN_KIND]: 'tool',
            [ATTR_TOOL_NAME]: `tool_${i % 13}`,
            [ATTR_TOOL_CATEGORY]: 'core',
            [ATTR_TOOL_INPUT]: payload,
            [ATTR_TOOL_OUTPUT]: payload,
            'step.index': i,
            'http.status_code': 200,
            'cache.hit': i % 2 === 0,
            'retry.count': 0,
            'region': 'eu-west-1',
          },
        });
        span.end();
      }
      root.end();
    });
  });
}

/** The request bodies the real exporter sends for these spans, captured once so timing covers only the bridge. */
async function encodeBodies(spans: Awaited<ReturnType<typeof toolSpans>>, encoding: Encoding): Promise<{ body: Buffer; type: string }[]> {
  const bodies: { body: Buffer; type: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push({ body: Buffer.concat(chunks), type: req.headers['content-type']! });
      res.writeHead(200, { 'content-type': req.headers['content-type']! }).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
  for (let i = 0; i < spans.length; i += SPANS_PER_REQUEST) {
    await sendWithOtlpExporter(url, spans.slice(i, i + SPANS_PER_REQUEST), { encoding });
  }
  server.close();
  return bodies;
}

function postBody(url: string, body: Buffer, type: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': type, 'content-length': body.byteLength } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Posts every body, a few at a time, and returns the statuses. */
async function postAll(url: string, bodies: { body: Buffer; type: string }[]): Promise<number[]> {
  const queue = [...bodies];
  const statuses: number[] = [];
  await Promise.all(
    Array.from({ length: CONCURRENT_REQUESTS }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) statuses.push(await postBody(url, next.body, next.type));
    }),
  );
  return statuses;
}

const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;
const rate = (n: number, s: number) => `${Math.round(n / s).toLocaleString('en-US')} spans/s`;
const micros = (s: number) => ((s / SPANS) * 1e6).toFixed(0);
function cpuSeconds(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

describe('throughput (measured and printed, not asserted)', () => {
  it.skipIf(!hasPostgres())('spans per second through the bridge into PostgreSQL, protobuf and JSON', { timeout: 300_000 }, async () => {
    const spans = await toolSpans(SPANS);
    for (const encoding of ['protobuf', 'json'] as const) {
      const bodies = await encodeBodies(spans, encoding);
      const megabytes = bodies.reduce((sum, b) => sum + b.body.byteLength, 0) / 1024 ** 2;

      // 1. Decoding alone, then interpreting alone, in this process (CPU time: the machine is shared).
      let cpu = process.cpuUsage();
      const decoded = bodies.flatMap(({ body, type }) => decodeTraceRequest(body, type).spans);
      const decodeCpu = cpuSeconds(cpu);
      cpu = process.cpuUsage();
      new InterpretingExporter({ sinks: [] }).interpretAll(decoded);
      const interpretCpu = cpuSeconds(cpu);

      // 2. The bridge's own ceiling: decode + interpret, records thrown away.
      const discard = await createBridge({ sinks: [{ name: 'discard', write: async () => {}, shutdown: async () => {} }], port: 0 });
      const t1 = process.hrtime.bigint();
      const discardStatuses = await postAll(discard.tracesUrl, bodies);
      await discard.flush();
      const interpretOnly = seconds(t1);
      await discard.close();

      // 3. Into PostgreSQL: all six tables, idempotent writes.
      const database = await createTestDatabase('bridge_bench');
      const sink = createPostgresSink({ databaseUrl: database.url });
      await sink.ready;
      const bridge = await createBridge({ sinks: [sink], port: 0 });
      const t2 = process.hrtime.bigint();
      const statuses = await postAll(bridge.tracesUrl, bodies);
      const accepted = seconds(t2);
      await bridge.flush();
      const stored = seconds(t2);
      await bridge.close();
      const sql = postgres(database.url, { max: 1, onnotice: () => {} });
      const [{ n }] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM mini_agent_observability.spans`;
      await sql.end();
      await database.drop();

      expect([...discardStatuses, ...statuses].every((s) => s === 200)).toBe(true);
      expect(n).toBe(SPANS);
      console.log(
        `[bridge throughput] ${encoding}, ${SPANS} tool spans (10 attributes, ~1 KB JSON input and output each; ${megabytes.toFixed(1)} MB in ` +
          `${bodies.length} requests of ${SPANS_PER_REQUEST}, ${CONCURRENT_REQUESTS} at a time):\n` +
          `  decode only: ${rate(SPANS, decodeCpu)} per CPU-second (${micros(decodeCpu)} µs a span); interpret only: ${rate(SPANS, interpretCpu)} per CPU-second (${micros(interpretCpu)} µs a span)\n` +
          `  bridge with a sink that discards (decode + interpret): ${rate(SPANS, interpretOnly)}\n` +
          `  into PostgreSQL: all accepted (200) at ${rate(SPANS, accepted)}; all stored at ${rate(SPANS, stored)} end to end`,
      );
    }
  });
});
