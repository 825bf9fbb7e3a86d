import { hostileSpans, startLangfuseTestServer, type LangfuseTestServer } from '@mini-agent/test-support';
import { isSpanContextValid } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exporterFor, KEYS, TRANSPORTS, BOTH_TRANSPORTS_SERVER } from './server.js';

const CORPUS = hostileSpans(1_000, 4242);
let server: LangfuseTestServer;

beforeAll(async () => {
  server = await startLangfuseTestServer(BOTH_TRANSPORTS_SERVER);
});
afterAll(() => server.close());

describe.each(TRANSPORTS)('a hostile corpus to Langfuse over the %s transport', (transport) => {
  it(`${CORPUS.spans.length} hostile spans: the exporter never throws, each span arrives or is rejected with a reason, the counters add up`, async () => {
    await server.settled();
    server.reset();
    const exporter = exporterFor(server, transport, { delivery: { retry: { initialDelayMs: 20, maxDelayMs: 200 } }, flushTimeoutMs: 60_000 });
    for (let i = 0; i < CORPUS.spans.length; i += 100) await exporter.exportSpans(CORPUS.spans.slice(i, i + 100));
    await exporter.forceFlush();
    const stats = exporter.stats();
    await exporter.shutdown();

    const sink = stats.sinks.langfuse!;
    const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
    const valid = CORPUS.spans.filter((s) => isSpanContextValid(s.spanContext()));
    const arrived = valid.filter((s) => server.observation(s.spanContext().spanId)).length;
    console.log(
      `[reliability] hostile corpus to Langfuse (${transport}): ${stats.spans.received} spans, ${arrived} arrived as observations, ` +
        `${stats.spans.rejected} rejected before the sink (${JSON.stringify(stats.spans.rejectedBy)}); sink: ${sink.delivered} records delivered, ` +
        `rejected ${JSON.stringify(sink.rejected)}, dropped ${JSON.stringify(sink.dropped)}${sink.lastRejection ? `; last refusal: ${sink.lastRejection.slice(0, 160)}` : ''}`,
    );
    expect(stats.spans.received).toBe(CORPUS.spans.length);
    expect(stats.spans.interpreted + stats.spans.rejected).toBe(stats.spans.received);
    expect(stats.spans.rejectedBy).toEqual({ invalid_id: CORPUS.invalidIds });
    // Every record handed to the sink is accounted for: delivered, refused with a reason, or dropped with one.
    expect(sink.delivered + sum(sink.rejected) + sum(sink.dropped)).toBe(sink.accepted);
    expect(sink.dropped).toEqual({});
    // Nothing had to be refused: every span with valid ids became an observation.
    expect(sink.rejected).toEqual({});
    expect(arrived).toBe(valid.length);
  }, 180_000);
});
