import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabase, hasPostgres, type TestDatabase } from '@mini-agent/test-support';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildCli } from './bridge-process.js';
import { collectorPorts, describeWithCollector, loopbackOverrides, startCollector, type CollectorProcess } from './otelcol.js';
import { agentTraces, sendPaced, startStack, storedSpanKeys, waitUntil, type Stack } from './stack.js';

describeWithCollector('two bridges behind the load_balancing gateway of examples/scaling (routing by trace id)', (otelcol) => {
  const databases: TestDatabase[] = [];
  const pods: Stack[] = [];
  let gateway: CollectorProcess | undefined;
  let gatewayUrl = '';

  beforeAll(async () => {
    if (!hasPostgres()) return;
    await buildCli();
    // Two bridge pods, each its own database (so a row tells which bridge wrote it) and its sidecar
    // Collector running otel-collector.yaml; the gateway resolves them by a static list here,
    // where a cluster resolves them by DNS (the file's resolver).
    for (const name of ['pod_a', 'pod_b']) {
      const database = await createTestDatabase(`collector_lb_${name}`);
      databases.push(database);
      pods.push(await startStack(otelcol, database.url));
    }
    const ports = await collectorPorts();
    gateway = await startCollector(otelcol, {
      configs: ['examples/scaling/gateway.yaml'],
      env: { MINI_AGENT_BRIDGE_PODS: 'bridge-pods.invalid' },
      set: loopbackOverrides(ports),
      yaml: ['exporters::load_balancing::resolver::dns: null', `exporters::load_balancing::resolver::static::hostnames: [${pods.map((p) => `"127.0.0.1:${p.ports.grpc}"`).join(', ')}]`],
    });
    gatewayUrl = `http://127.0.0.1:${ports.http}/v1/traces`;
  }, 600_000);
  afterAll(async () => {
    await gateway?.stop();
    for (const pod of pods) await pod.close();
    for (const database of databases) await database.drop();
  });

  it.skipIf(!hasPostgres())("every trace's spans are stored once, each trace by one bridge, and both bridges get traces", async () => {
    // 300 traces of 10 spans, interleaved in requests of 300 spans: every request mixes traces.
    const spans = await agentTraces(300, 10, 'lb');
    const { acknowledged, failedChunks } = await sendPaced('http', gatewayUrl, spans, { chunk: 300, everyMs: 200 });
    expect(failedChunks).toBe(0);
    const all = async () => (await Promise.all(databases.map((d) => storedSpanKeys(d.url)))).flat().length;
    expect(await waitUntil(async () => (await all()) >= acknowledged.size, 60_000, 500)).toBe(true);
    await sleep(2_000);

    const byBridge = await Promise.all(databases.map((d) => storedSpanKeys(d.url)));
    const tracesOf = (keys: string[]) => new Set(keys.map((k) => k.split(':')[0]!));
    const [a, b] = byBridge.map(tracesOf) as [Set<string>, Set<string>];
    const split = [...a].filter((t) => b.has(t));
    const stored = byBridge.flat();
    const distinct = new Set(stored);
    console.log(
      `[collector load balancing] ${acknowledged.size} spans in 300 traces through the gateway: bridge A stored ${byBridge[0]!.length} spans of ${a.size} traces, ` +
        `bridge B ${byBridge[1]!.length} of ${b.size}; traces split across bridges: ${split.length}; spans stored twice: ${stored.length - distinct.size}`,
    );
    expect(split).toEqual([]);
    expect(stored.length).toBe(acknowledged.size);
    expect(distinct).toEqual(acknowledged);
    expect(a.size + b.size).toBe(300);
    // Both pods take a fair share (consistent hashing of random trace ids: far from all-or-nothing).
    expect(Math.min(a.size, b.size)).toBeGreaterThan(60);
  });
});
