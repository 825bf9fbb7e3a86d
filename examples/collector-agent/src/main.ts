import { runAgent } from './agent.js';
import { startTracing } from './tracing.js';

// Tracing first, so every span of the run goes through the OTLP exporter.
const provider = startTracing(process.env.OTEL_SERVICE_NAME ?? 'folder-agent');

try {
  const result = await runAgent(process.argv[2] ?? 'What is in this folder?');
  console.log(result.answer);
  console.log(`trace ${result.traceId}`);
} finally {
  // Shutting down flushes the batch: the process exits only after the spans were sent.
  await provider.shutdown();
}
