import type { AttributeValue, Attributes, HrTime, SpanContext } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';

/**
 * A corpus of hostile spans for robustness tests: what a buggy instrumentation, a fuzzer or an
 * attacker can put in a span. Most are made by the real SDK (hostile attribute values, names,
 * times, events, resources); a few are hand-made `ReadableSpan`s with what the SDK would never
 * produce (invalid ids, times of the wrong type, object attribute values) — what a broken
 * processor or a decoder may still hand an exporter. Deterministic for a given seed.
 */
export interface HostileCorpus {
  readonly spans: ReadableSpan[];
  /** Spans whose ids are invalid: an exporter must reject these (counted), never store them. */
  readonly invalidIds: number;
}

/** The attributes of the mini-agent contract (and the GenAI ones it reads), each fed wrong types. */
const CONTRACT_ATTRIBUTES = [
  'mini_agent.span.kind', 'mini_agent.session.id', 'mini_agent.agent.name', 'mini_agent.agent.version', 'mini_agent.user.id',
  'mini_agent.user.context', 'mini_agent.tool.name', 'mini_agent.tool.category', 'mini_agent.tool.input', 'mini_agent.tool.output',
  'mini_agent.decision.type', 'mini_agent.decision.options', 'mini_agent.decision.chosen', 'mini_agent.decision.reasoning',
  'mini_agent.session.input', 'mini_agent.session.output', 'mini_agent.session.tags',
  'gen_ai.operation.name', 'gen_ai.request.model', 'gen_ai.usage.input_tokens', 'gen_ai.usage.output_tokens', 'gen_ai.input.messages',
  'gen_ai.output.messages', 'gen_ai.tool.name', 'gen_ai.tool.call.arguments', 'langfuse.observation.type', 'openinference.span.kind',
] as const;
const METRIC = { event: 'mini_agent.metric', type: 'mini_agent.metric.type', value: 'mini_agent.metric.value', unit: 'mini_agent.metric.unit' };
const DECISION_EVENT = 'mini_agent.decision';

/** A deterministic generator of numbers in [0, 1) (mulberry32), so a failing input can be made again from its seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Builds hostile values from one random source. */
class Hostility {
  constructor(readonly random: () => number) {}

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  /** Random code points from every plane, lone surrogates and NULs included. */
  unicode(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) {
      const roll = this.random();
      if (roll < 0.05) out += '\u0000';
      else if (roll < 0.1) out += String.fromCharCode(0xd800 + Math.floor(this.random() * 0x800)); // lone surrogate
      else if (roll < 0.2) out += String.fromCodePoint(0x1f300 + Math.floor(this.random() * 0x300)); // emoji
      else if (roll < 0.25) out += this.pick(['\u202e', '\u200b', '\ufeff', '\u0301', '\uffff', '\ufffe']); // RTL, zero-width, BOM, combining, non-characters
      else out += String.fromCodePoint(Math.floor(this.random() * 0xd7ff));
    }
    return out;
  }

  /** A string meant to break something. */
  string(): string {
    const r = this.random();
    if (r < 0.005) return 'x'.repeat(2 * 1024 * 1024 + Math.floor(this.random() * 1000)); // over the 1 MiB limit
    if (r < 0.1) return '';
    if (r < 0.2) return `a\u0000b\u0000${this.unicode(8)}`;
    if (r < 0.3) return `\uD800${this.unicode(4)}\uDFFF`;
    if (r < 0.4) return '['.repeat(5_000) + ']'.repeat(5_000); // nested far past any limit
    if (r < 0.45) return `{"deep":${'{"a":'.repeat(200)}1${'}'.repeat(200)}}`;
    if (r < 0.5) return '{"broken": "json", ';
    if (r < 0.55) return '{"nan": NaN, "inf": Infinity}';
    if (r < 0.6) return JSON.stringify({ nul: 'a\u0000b', lone: '\uDC00', key: { '\u0000k': 1 } });
    if (r < 0.65) return '   \t\n  ';
    if (r < 0.7) return '"just a json string"';
    if (r < 0.75) return 'null';
    return this.unicode(1 + Math.floor(this.random() * 200));
  }

  number(): number {
    return this.pick([Number.NaN, Infinity, -Infinity, -0, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, -1, 0, 3.14159, 2 ** 53, 1e-320]);
  }

  /** Any value the API lets through `setAttribute`, with a bias to the nasty ones. */
  attributeValue(): AttributeValue {
    const r = this.random();
    if (r < 0.45) return this.string();
    if (r < 0.65) return this.number();
    if (r < 0.72) return this.random() < 0.5;
    if (r < 0.8) return Array.from({ length: Math.floor(this.random() * 5) }, () => this.string().slice(0, 100));
    if (r < 0.85) return Array.from({ length: Math.floor(this.random() * 5) }, () => this.number());
    if (r < 0.86) return Array.from({ length: 12_000 }, (_, i) => i); // longer than the array limit
    if (r < 0.92) return [null, undefined, 'x'] as unknown as string[];
    return [];
  }

  attributes(count: number): Attributes {
    const out: Attributes = {};
    for (let i = 0; i < count; i++) out[this.random() < 0.2 ? this.unicode(6) : `attr.${i}`] = this.attributeValue();
    return out;
  }

  /** An end time: often fine, sometimes before the start, far in the future, or not a number at all. */
  time(base: number): number | Date {
    const r = this.random();
    if (r < 0.7) return base + Math.floor(this.random() * 1000);
    if (r < 0.75) return new Date(Number.NaN);
    if (r < 0.8) return base - 10_000_000; // before the start
    if (r < 0.85) return 1e20; // past the year 9999
    if (r < 0.9) return -5;
    return new Date(8.64e15); // the last representable Date
  }
}

/**
 * `count` hostile spans (at least 1,000 makes a useful corpus). Every contract attribute gets
 * wrong types; names, events, statuses, times and resources are hostile too; about 2% are
 * hand-made spans with invalid ids or fields of the wrong type.
 */
export function hostileSpans(count = 1_000, seed = 42): HostileCorpus {
  const h = new Hostility(seeded(seed));
  const spans: ReadableSpan[] = [];
  const resources = [
    { 'service.name': 'hostile-agent' },
    { 'service.name': h.unicode(10), 'service.version': 'a\u0000b', 'deployment.environment.name': 'LANGFUSE-not-allowed' },
    { 'service.name': '', 'mini_agent.agent.name': '\uD800', 'process.pid': Number.NaN as unknown as string },
  ];
  const providers = resources.map(
    (attributes) => {
      const memory = new InMemorySpanExporter();
      const provider = new BasicTracerProvider({ resource: resourceFromAttributes(attributes as Attributes), spanProcessors: [new SimpleSpanProcessor(memory)] });
      return { memory, provider, tracer: provider.getTracer(h.unicode(5), '\u0000') };
    },
  );
  const handMade = Math.max(5, Math.floor(count / 50));
  let invalidIds = 0;

  for (let i = 0; i < count - handMade; i++) {
    const { tracer } = h.pick(providers);
    const base = Date.now() - 60_000;
    const attributes: Attributes = {};
    // Every contract attribute, with a value of a random (usually wrong) type.
    for (const name of CONTRACT_ATTRIBUTES) if (h.random() < 0.5) attributes[name] = h.attributeValue();
    if (h.random() < 0.3) attributes['mini_agent.span.kind'] = h.pick(['tool', 'llm', 'decision', 'session', 'step', 'bogus', '']);
    Object.assign(attributes, h.attributes(Math.floor(h.random() * 8)));
    const span = tracer.startSpan(h.random() < 0.5 ? h.string().slice(0, 300) : `hostile ${i}`, {
      attributes,
      startTime: h.random() < 0.9 ? base : h.pick([new Date(Number.NaN), -1, 1e20]),
      kind: h.pick([0, 1, 2, 3, 4, 7 as 0]),
    });
    const events = h.random() < 0.03 ? 100 : Math.floor(h.random() * 4);
    for (let e = 0; e < events; e++) {
      const r = h.random();
      if (r < 0.3) span.addEvent(METRIC.event, { [METRIC.type]: h.attributeValue(), [METRIC.value]: h.attributeValue(), [METRIC.unit]: h.attributeValue() });
      else if (r < 0.5) span.addEvent(DECISION_EVENT, { 'mini_agent.decision.type': h.attributeValue(), 'mini_agent.decision.options': h.attributeValue() });
      else if (r < 0.6) span.addEvent('exception', { 'exception.message': h.attributeValue(), 'exception.type': h.attributeValue() });
      else span.addEvent(h.string().slice(0, 50), h.attributes(3), h.time(base));
    }
    if (h.random() < 0.3) span.setStatus({ code: h.pick([0, 1, 2]), message: h.string().slice(0, 2000) });
    if (h.random() < 0.05) span.addLink({ context: { traceId: 'not-hex\u0000', spanId: '\uD800', traceFlags: 1 } as SpanContext, attributes: h.attributes(2) });
    span.end(h.time(base));
  }
  for (const { memory } of providers) spans.push(...memory.getFinishedSpans());
  for (let i = 0; i < handMade; i++) {
    const invalid = i % 2 === 0;
    if (invalid) invalidIds += 1;
    spans.push(handMadeSpan(h, invalid));
  }
  for (const { provider } of providers) void provider.shutdown();
  return { spans, invalidIds };
}

/** A span the SDK would never make: invalid ids, or times and attributes of the wrong type. */
function handMadeSpan(h: Hostility, invalidIds: boolean): ReadableSpan {
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(h.random() * 16).toString(16)).join('');
  const context: SpanContext = invalidIds
    ? { traceId: h.pick(['0'.repeat(32), 'zz', '', hex(31)]), spanId: h.pick(['0'.repeat(16), 'not-a-span-id']), traceFlags: 1 }
    : { traceId: hex(32), spanId: hex(16), traceFlags: 1 };
  const circular: Record<string, unknown> = { name: 'loop' };
  circular.self = circular;
  const attributes = {
    'mini_agent.span.kind': 'tool',
    'mini_agent.tool.name': { not: 'a string' },
    'mini_agent.tool.input': circular,
    'mini_agent.tool.output': () => 'a function',
    'mini_agent.tool.category': Symbol('category'),
    'gen_ai.usage.input_tokens': BigInt('12345678901234567890'),
    weird: new Map([['k', 'v']]),
  } as unknown as Attributes;
  return {
    name: 'hand made',
    kind: 99 as 0,
    spanContext: () => context,
    parentSpanContext: { traceId: 'bad', spanId: 'bad', traceFlags: 0 },
    startTime: [Number.NaN, 0] as HrTime,
    endTime: ['soon', 'later'] as unknown as HrTime,
    status: { code: 42 as 0, message: 'a\u0000b' },
    attributes,
    links: [],
    events: [{ name: 'e', time: [1e20, 0] as HrTime, attributes: undefined }],
    duration: [Number.NaN, Number.NaN] as HrTime,
    ended: true,
    resource: resourceFromAttributes({ 'service.name': 'hand-made' }),
    instrumentationScope: { name: 'hand-made' },
    droppedAttributesCount: -1,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}
