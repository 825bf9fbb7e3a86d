// A user's agent on OpenTelemetry JS SDK 2 with its own tracer provider: the exporter is added to it.
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { PostgresExporter } from '@mini-agent/exporter-postgres';
import { runAgentSession } from './agent-session.mjs';

const databaseUrl = process.env.DATABASE_URL;
const exporter = new PostgresExporter(databaseUrl ? { databaseUrl } : { dataDir: process.env.PGLITE_DIR });
const provider = new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
provider.register();

await exporter.ready;
await runAgentSession();
await provider.shutdown();
console.log(JSON.stringify({ provider: provider.constructor.name, stats: exporter.stats() }));
