import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll } from 'vitest';

/** A real SDK provider registered globally for one test file, with the spans it finished. */
export interface InMemoryTracing {
  readonly exporter: InMemorySpanExporter;
  /** Finished spans so far, in end order. */
  spans(): ReadableSpan[];
  /** The one finished span called `name`. */
  span(name: string): ReadableSpan;
}

/**
 * Registers a BasicTracerProvider + InMemorySpanExporter as the global provider for the test
 * file (the helpers only use the global API, like they would in an agent), and clears the
 * spans after each test. `extraProcessors` lets a test add a misbehaving processor.
 */
export function useInMemoryTracing(extraProcessors: SpanProcessor[] = []): InMemoryTracing {
  const exporter = new InMemorySpanExporter();
  let provider: BasicTracerProvider | undefined;
  beforeAll(() => {
    provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'helpers-test' }),
      spanProcessors: [new SimpleSpanProcessor(exporter), ...extraProcessors],
    });
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(provider);
  });
  afterEach(() => exporter.reset());
  afterAll(async () => {
    await provider?.shutdown();
    trace.disable();
    context.disable();
  });
  return {
    exporter,
    spans: () => exporter.getFinishedSpans(),
    span(name) {
      const found = exporter.getFinishedSpans().filter((s) => s.name === name);
      if (found.length !== 1) throw new Error(`expected one span named ${name}, found ${found.length}`);
      return found[0] as ReadableSpan;
    },
  };
}
