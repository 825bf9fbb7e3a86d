// A user's agent on OpenTelemetry JS SDK 3 set up with NodeSDK: the exporter is one of its span processors.
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace';
import { PostgresExporter } from '@mini-agent/exporter-postgres';
import { runAgentSession } from './agent-session.mjs';

const databaseUrl = process.env.DATABASE_URL;
const exporter = new PostgresExporter(databaseUrl ? { databaseUrl } : { dataDir: process.env.PGLITE_DIR });
const sdk = new NodeSDK({ spanProcessors: [new BatchSpanProcessor({ exporter })] });
sdk.start();

await exporter.ready;
await runAgentSession();
await sdk.shutdown();
console.log(JSON.stringify({ provider: 'NodeSDK', stats: exporter.stats() }));
