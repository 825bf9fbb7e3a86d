import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';

let contextManager: AsyncLocalStorageContextManager | undefined;

/** A real SDK provider, like an agent's, that sends each finished span to `exporters` and keeps a copy. */
export interface AgentTracing {
  readonly provider: BasicTracerProvider;
  /** Every finished span so far, in end order. */
  spans(): ReadableSpan[];
  /** The one finished span called `name`. */
  span(name: string): ReadableSpan;
  /** Resolves when a span called `name` ends (for libraries that end spans after returning). */
  ended(name: string): Promise<ReadableSpan>;
  /** Flushes and shuts the provider down (and with it the exporters). */
  shutdown(): Promise<void>;
}

/** Sets up {@link AgentTracing} (`first`: processors placed before the exporters'); parent/child links across awaits use the SDK's async-hooks context manager. */
export function agentTracing(exporters: SpanExporter[], serviceName = 'instrumented-agent', first: SpanProcessor[] = []): AgentTracing {
  if (!contextManager) {
    contextManager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(contextManager);
  }
  const memory = new InMemorySpanExporter();
  const waiters: { name: string; resolve(span: ReadableSpan): void }[] = [];
  const notifier: SpanProcessor = {
    onStart: () => {},
    onEnd(span) {
      for (const waiter of waiters.filter((w) => w.name === span.name)) waiter.resolve(span);
    },
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    // The notifier runs last, so a span it announces is already with every exporter.
    // `first` (e.g. the PropagatedAttributesProcessor) sees each span start before the exporters' processors.
    spanProcessors: [...first, ...[memory, ...exporters].map((exporter) => new SimpleSpanProcessor(exporter)), notifier],
  });
  return {
    provider,
    spans: () => memory.getFinishedSpans(),
    span(name) {
      const found = memory.getFinishedSpans().filter((s) => s.name === name);
      if (found.length !== 1) throw new Error(`expected one span named ${name}, found ${found.map((s) => s.name).join(', ')}`);
      return found[0]!;
    },
    ended(name) {
      const done = memory.getFinishedSpans().find((s) => s.name === name);
      return done ? Promise.resolve(done) : new Promise((resolve) => waiters.push({ name, resolve }));
    },
    async shutdown() {
      await provider.forceFlush();
      await provider.shutdown();
    },
  };
}
