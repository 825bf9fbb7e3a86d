// A user's agent on OpenTelemetry JS SDK 3 with its own tracer provider: the exporter is added to it.
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { PostgresExporter } from '@mini-agent/exporter-postgres';
import { runAgentSession } from './agent-session.mjs';

const databaseUrl = process.env.DATABASE_URL;
const exporter = new PostgresExporter(databaseUrl ? { databaseUrl } : { dataDir: process.env.PGLITE_DIR });
const provider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter })] });
trace.setGlobalTracerProvider(provider);
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));

await exporter.ready;
await runAgentSession();
await provider.shutdown();
console.log(JSON.stringify({ provider: provider.constructor.name, stats: exporter.stats() }));
