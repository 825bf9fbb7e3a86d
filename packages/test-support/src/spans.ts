import { context, trace, type Tracer } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';

let contextManagerInstalled = false;

/**
 * Runs `fn` with a tracer of a real SDK provider and returns the spans it finished, in end order.
 * Nothing is registered globally, so suites do not interfere with each other. `processors` run
 * before the one that records (e.g. a processor that sets attributes when spans start).
 */
export async function recordSpans(
  fn: (tracer: Tracer) => unknown | Promise<unknown>,
  resource: Record<string, string> = { 'service.name': 'test-agent', 'service.version': '1.2.3' },
  processors: readonly SpanProcessor[] = [],
): Promise<ReadableSpan[]> {
  if (!contextManagerInstalled) {
    // Parent/child links across awaits need a context manager; install one once, like the SDK does.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    contextManagerInstalled = true;
  }
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes(resource),
    spanProcessors: [...processors, new SimpleSpanProcessor(exporter)],
  });
  await fn(provider.getTracer('test-support'));
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  await provider.shutdown();
  return spans;
}

/** Returns the tracer of the active global provider, for tests that go through `registerMiniAgentTracing`. */
export function globalTracer(name = 'test'): Tracer {
  return trace.getTracer(name);
}
