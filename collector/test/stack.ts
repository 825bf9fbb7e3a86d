import { setTimeout as sleep } from 'node:timers/promises';
import { ATTR_SESSION_ID, ATTR_SPAN_KIND, ATTR_TOOL_INPUT, ATTR_TOOL_NAME } from '@mini-agent/semconv';
import { freePort, recordSpans } from '@mini-agent/test-support';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as OtlpGrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import postgres from 'postgres';
import { BRIDGE_TOKEN, startBridge, type BridgeProcess } from './bridge-process.js';
import { collectorPorts, loopbackOverrides, startCollector, tempDir, type CollectorPorts, type CollectorProcess } from './otelcol.js';

/** The environment otel-collector.yaml reads, pointing at a bridge. */
export function collectorEnv(bridgeUrl: string): Record<string, string> {
  return { MINI_AGENT_BRIDGE_URL: bridgeUrl, MINI_AGENT_BRIDGE_TOKEN: BRIDGE_TOKEN };
}

/** One Collector running the shipped otel-collector.yaml in front of one bridge. */
export interface Stack {
  bridge: BridgeProcess;
  collector: CollectorProcess;
  readonly ports: CollectorPorts;
  readonly bridgePort: number;
  readonly storageDir: string;
  readonly spoolDir: string;
  /** OTLP/HTTP traces URL of the Collector. */
  readonly httpUrl: string;
  /** OTLP/gRPC address of the Collector. */
  readonly grpcUrl: string;
  /** Starts the Collector again (same ports, same storage directory). */
  restartCollector(): Promise<void>;
  /** Starts the bridge again (same port, same database, same spool). */
  restartBridge(): Promise<void>;
  /** Stops both (Collector first, so it can still deliver) and removes their directories. */
  close(): Promise<void>;
}

/** Starts a bridge on `databaseUrl` and the shipped Collector in front of it, on loopback ports. */
export async function startStack(otelcol: string, databaseUrl: string): Promise<Stack> {
  const storage = tempDir('otelcol-queue');
  const spool = tempDir('bridge-spool');
  const ports = await collectorPorts();
  const bridgePort = await freePort();
  const runBridge = () => startBridge({ port: bridgePort, databaseUrl, spoolDir: spool.path });
  const runCollector = () =>
    startCollector(otelcol, { configs: ['otel-collector.yaml'], env: collectorEnv(`http://127.0.0.1:${bridgePort}`), set: loopbackOverrides(ports, storage.path) });
  const stack: Stack = {
    bridge: await runBridge(),
    collector: await runCollector(),
    ports,
    bridgePort,
    storageDir: storage.path,
    spoolDir: spool.path,
    httpUrl: `http://127.0.0.1:${ports.http}/v1/traces`,
    grpcUrl: `http://127.0.0.1:${ports.grpc}`,
    async restartCollector() {
      stack.collector = await runCollector();
    },
    async restartBridge() {
      stack.bridge = await runBridge();
    },
    async close() {
      await stack.collector.stop();
      await stack.bridge.stop();
      storage.remove();
      spool.remove();
    },
  };
  return stack;
}

/** Exports spans with a real OTLP exporter (`http`: protobuf over HTTP, `grpc`: OTLP/gRPC) and returns its result. */
export async function exportSpans(protocol: 'http' | 'grpc', url: string, spans: ReadableSpan[]): Promise<ExportResult> {
  const exporter = protocol === 'http' ? new OtlpProtoExporter({ url }) : new OtlpGrpcExporter({ url });
  try {
    return await new Promise<ExportResult>((resolve) => exporter.export(spans, resolve));
  } finally {
    await exporter.shutdown();
  }
}

type Row = Record<string, unknown>;
/** The tables one session's spans become. */
export const TABLES = ['traces', 'spans', 'tool_executions', 'generations', 'decisions', 'performance_metrics'] as const;

/** Runs `fn` with a short-lived connection. */
export async function withSql<T>(url: string, fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return await fn(sql);
  } finally {
    await sql.end();
  }
}

/** Every row of the six tables for some traces, without insertion times, in a stable order. */
export function snapshot(url: string, traceIds: readonly string[]): Promise<Record<string, Row[]>> {
  return withSql(url, async (sql) => {
    const out: Record<string, Row[]> = {};
    for (const table of TABLES) {
      const key = table === 'traces' ? 'id' : 'trace_id';
      const rows = await sql.unsafe<{ row: Row }[]>(
        `SELECT to_jsonb(t) - 'inserted_at' - 'updated_at' AS row FROM mini_agent_observability.${table} t WHERE ${key} = ANY($1) ORDER BY (to_jsonb(t) - 'inserted_at' - 'updated_at')::text`,
        [traceIds as string[]],
      );
      out[table] = rows.map((r) => r.row);
    }
    return out;
  });
}

/** `trace_id:span_id` of every stored span (duplicates included, if a table let any through). */
export function storedSpanKeys(url: string): Promise<string[]> {
  return withSql(url, async (sql) => (await sql<{ k: string }[]>`SELECT trace_id || ':' || span_id AS k FROM mini_agent_observability.spans`).map((r) => r.k));
}

/** Polls `probe` until it returns true or `timeoutMs` passes; returns whether it did. */
export async function waitUntil(probe: () => Promise<boolean>, timeoutMs: number, everyMs = 250): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() > deadline) return false;
    await sleep(everyMs);
  }
}

/** The number of span rows in a database. */
export function countSpans(url: string): Promise<number> {
  return withSql(url, async (sql) => (await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM mini_agent_observability.spans`)[0]!.n);
}

/** `traces` traces of `spansPerTrace` spans each (a session span and its tool calls), as an agent records them. */
export function agentTraces(traces: number, spansPerTrace: number, tag: string): Promise<ReadableSpan[]> {
  return recordSpans((tracer) => {
    for (let t = 0; t < traces; t++) {
      tracer.startActiveSpan(`${tag} session ${t}`, (root) => {
        root.setAttributes({ [ATTR_SPAN_KIND]: 'session', [ATTR_SESSION_ID]: `${tag}-${t}` });
        for (let i = 1; i < spansPerTrace; i++) {
          tracer
            .startSpan(`${tag} tool ${i}`, {
              attributes: { [ATTR_SPAN_KIND]: 'tool', [ATTR_TOOL_NAME]: `tool_${i % 7}`, [ATTR_TOOL_INPUT]: JSON.stringify({ step: i, query: `question ${t}` }) },
            })
            .end();
        }
        root.end();
      });
    }
  });
}

/** `trace_id:span_id` of a span, the key the ledger and the database are compared by. */
export const spanKey = (span: ReadableSpan): string => `${span.spanContext().traceId}:${span.spanContext().spanId}`;

/**
 * Sends spans in chunks at a steady pace with the real exporter and keeps the ledger: the keys of
 * every span whose export the Collector acknowledged. `onChunk` runs before each chunk (faults).
 */
export async function sendPaced(
  protocol: 'http' | 'grpc',
  url: string,
  spans: readonly ReadableSpan[],
  options: { chunk: number; everyMs: number; onChunk?: (index: number, elapsedMs: number) => Promise<void> },
): Promise<{ acknowledged: Set<string>; failedChunks: number }> {
  const acknowledged = new Set<string>();
  let failedChunks = 0;
  const started = Date.now();
  for (let i = 0, n = 0; i < spans.length; i += options.chunk, n++) {
    await options.onChunk?.(n, Date.now() - started);
    const chunk = spans.slice(i, i + options.chunk);
    const result = await exportSpans(protocol, url, chunk);
    if (result.code === ExportResultCode.SUCCESS) for (const s of chunk) acknowledged.add(spanKey(s));
    else failedChunks++;
    const due = started + (n + 1) * options.everyMs - Date.now();
    if (due > 0) await sleep(due);
  }
  return { acknowledged, failedChunks };
}
