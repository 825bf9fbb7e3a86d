import { context, type Attributes, type Context } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type Span, type SpanLimits, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { getPropagatedAttributes, PropagatedAttributesProcessor, setPropagatedAttributes } from '../src/index.js';

/** What the hand-written write replaces: the SDK's own `setAttribute`, for each key the span does not have. */
class SetAttributeProcessor implements SpanProcessor {
  onStart(span: Span, parent: Context): void {
    const attributes = getPropagatedAttributes(parent);
    for (const key of Object.keys(attributes)) if (span.attributes[key] === undefined) span.setAttribute(key, attributes[key]!);
  }
  onEnd(): void {}
  forceFlush = () => Promise.resolve();
  shutdown = () => Promise.resolve();
}

/**
 * Two spans made alike through a real SDK provider with `limits`, inside a context propagating
 * `propagated`: the span starts with `own`, then gets `later` one by one, and ends.
 */
async function made(processor: SpanProcessor, limits: SpanLimits, propagated: Attributes, own: Attributes, later: Attributes): Promise<ReadableSpan[]> {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanLimits: limits, spanProcessors: [processor, new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('test');
  // The parent context given explicitly: no context manager needed.
  const inSession = setPropagatedAttributes(context.active(), propagated);
  for (let i = 0; i < 2; i++) {
    const span = tracer.startSpan('work', { attributes: own }, inSession);
    for (const [key, value] of Object.entries(later)) span.setAttribute(key, value!);
    span.end();
  }
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  await provider.shutdown();
  return spans;
}

const SESSION: Attributes = {
  'mini_agent.session.id': 'chat-42',
  'mini_agent.user.id': 'user-7',
  'mini_agent.agent.name': 'support-bot',
  'mini_agent.session.tags': ['demo', 'beta'],
  'step.index': 3,
  'cache.hit': true,
};
const LATER: Attributes = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`later.${i}`, `value ${i}`]));

const CASES: [string, SpanLimits, Attributes, Attributes][] = [
  ['default limits, a span started bare', {}, SESSION, {}],
  ['the span’s own value of a key wins', {}, SESSION, { 'mini_agent.user.id': 'someone-else', 'http.method': 'GET' }],
  ['a count limit reached by the attributes set after start', { attributeCountLimit: 9 }, SESSION, { 'http.method': 'GET' }],
  ['a count limit the propagated set does not fit in', { attributeCountLimit: 4 }, SESSION, { 'http.method': 'GET' }],
  ['a length limit that truncates (strings and array elements)', { attributeValueLengthLimit: 4 }, SESSION, {}],
  ['a length limit every value fits in', { attributeValueLengthLimit: 64 }, SESSION, {}],
  ['values the SDK refuses or copies', {}, { ...SESSION, 'bad.object': { a: 1 } as never, 'bad.mixed': ['a', 1] as never, 'empty.list': [], 'not.number': Number.NaN }, {}],
];

describe('the propagated attributes’ hand-written write, against the SDK’s setAttribute', () => {
  for (const [name, limits, propagated, own] of CASES) {
    it(`stores what setAttribute would: ${name}`, async () => {
      const fast = await made(new PropagatedAttributesProcessor(), limits, propagated, own, LATER);
      const reference = await made(new SetAttributeProcessor(), limits, propagated, own, LATER);
      expect(fast[0]!.attributes).toHaveProperty(['mini_agent.session.id']);
      expect(fast.map((s) => s.attributes)).toEqual(reference.map((s) => s.attributes));
      expect(fast.map((s) => s.droppedAttributesCount)).toEqual(reference.map((s) => s.droppedAttributesCount));
      // Key order too: exporters write attributes in it.
      expect(fast.map((s) => Object.keys(s.attributes))).toEqual(reference.map((s) => Object.keys(s.attributes)));
      // Each span has its own copy of an array value, as setAttribute makes one.
      const tags = fast.map((s) => s.attributes['mini_agent.session.tags']);
      if (Array.isArray(tags[0])) expect(tags[0]).not.toBe(tags[1]);
    });
  }
});
