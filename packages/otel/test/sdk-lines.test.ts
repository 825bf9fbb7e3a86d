import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, diag, propagation, trace, type Context } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InterpretingExporter, MissingPeerError, type ReadableSpan, type SpanExporter } from '@mini-agent/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerMiniAgentTracing, withSession, withTool } from '../src/index.js';
import { selectTraceSdk, unsupportedCombination } from '../src/sdk/index.js';
import { sdk3 } from '../src/sdk/sdk-3.js';
import type { SdkTracerProvider } from '../src/sdk/types.js';
import { MemorySink } from './memory-sink.js';

// The workspace builds on SDK 2.12, whose `@opentelemetry/sdk-trace` 2.12 already has the 3.x
// interface (TracerProvider without register(), processors taking one options object): the SDK-3
// code path runs here on it; the real 3.x packages run in examples/consumer-apps on Node 24.
const otelRequire = createRequire(import.meta.url);
const installed = { '@opentelemetry/sdk-trace': otelRequire('@opentelemetry/sdk-trace/package.json').version as string };

let provider: SdkTracerProvider | undefined;
afterEach(async () => {
  await provider?.shutdown();
  provider = undefined;
  trace.disable();
  context.disable();
  propagation.disable();
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

/** Keeps the size of every batch it is handed. */
class BatchSizes implements SpanExporter {
  readonly sizes: number[] = [];
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.sizes.push(spans.length);
    done({ code: ExportResultCode.SUCCESS });
  }
  async shutdown(): Promise<void> {}
}

describe('the TracerProvider line (SDK 3.x, no register())', () => {
  it('registers the provider, an async-local-storage context manager and the W3C propagators, as register() did', async () => {
    const sdk = sdk3(otelRequire, installed, 'hint');
    const sink = new MemorySink();
    const exporter = new InterpretingExporter({ sinks: [sink] });
    provider = sdk.registerTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'line-3' }), spanProcessors: [sdk.simpleSpanProcessor(exporter)] });

    const headers: Record<string, string> = {};
    await withSession({ name: 'on-sdk-3', sessionId: 's-3' }, async () => {
      await withTool({ name: 'lookup', category: 'core', input: { id: 1 } }, async () => {
        const withBaggage: Context = propagation.setBaggage(context.active(), propagation.createBaggage({ tenant: { value: 'acme' } }));
        propagation.inject(withBaggage, headers);
        return 'ok';
      });
    });
    await provider.forceFlush();
    await exporter.forceFlush();

    const session = sink.of('trace').find((record) => record.sessionId === 's-3');
    const [tool] = sink.of('tool');
    expect(session).toBeDefined();
    // Same trace: the tool's span started inside the session's context, carried across the awaits.
    expect(tool?.traceId).toBe(session?.traceId);
    expect(headers.traceparent).toMatch(new RegExp(`^00-${session?.traceId}-[0-9a-f]{16}-01$`));
    expect(headers.baggage).toBe('tenant=acme');
  });

  it('honours the OTEL_BSP_* variables the 3.x BatchSpanProcessor no longer reads; options in code win', async () => {
    vi.stubEnv('OTEL_BSP_MAX_EXPORT_BATCH_SIZE', '2');
    const sdk = sdk3(otelRequire, installed, 'hint');
    const fromEnv = new BatchSizes();
    const fromCode = new BatchSizes();
    provider = sdk.registerTracerProvider({
      resource: resourceFromAttributes({}),
      spanProcessors: [sdk.batchSpanProcessor(fromEnv, {}), sdk.batchSpanProcessor(fromCode, { maxExportBatchSize: 5 })],
    });
    const tracer = trace.getTracer('bsp');
    for (let i = 0; i < 5; i++) tracer.startSpan(`span-${i}`).end();
    await provider.forceFlush();
    expect(fromEnv.sizes).toEqual([2, 2, 1]);
    expect(fromCode.sizes).toEqual([5]);
  });

  it('honours OTEL_TRACES_SAMPLER and its ratio, which the 3.x TracerProvider no longer reads', async () => {
    const exported = async (sampler: string, arg?: string) => {
      vi.stubEnv('OTEL_TRACES_SAMPLER', sampler);
      if (arg !== undefined) vi.stubEnv('OTEL_TRACES_SAMPLER_ARG', arg);
      const sdk = sdk3(otelRequire, installed, 'hint');
      const spans: ReadableSpan[] = [];
      const keep: SpanExporter = { export: (batch, done) => (spans.push(...batch), done({ code: ExportResultCode.SUCCESS })), shutdown: async () => {} };
      const made = sdk.registerTracerProvider({ resource: resourceFromAttributes({}), spanProcessors: [sdk.simpleSpanProcessor(keep)] });
      for (let i = 0; i < 20; i++) trace.getTracer('sampled').startSpan(`span-${i}`).end();
      await made.forceFlush();
      await made.shutdown();
      trace.disable();
      vi.unstubAllEnvs();
      return spans.length;
    };
    expect(await exported('always_off')).toBe(0);
    expect(await exported('parentbased_always_off')).toBe(0);
    expect(await exported('traceidratio', '0')).toBe(0);
    expect(await exported('parentbased_traceidratio', '0')).toBe(0);
    expect(await exported('always_on')).toBe(20);
    expect(await exported('traceidratio')).toBe(20); // no ratio given: 1
    const warned = vi.spyOn(diag, 'warn');
    expect(await exported('traceidratio', 'half')).toBe(20); // not a ratio: 1, and said so
    expect(await exported('no_such_sampler')).toBe(20); // unknown: the default, and said so
    expect(warned.mock.calls.map((call) => String(call[0]))).toEqual([
      'mini-agent: OTEL_TRACES_SAMPLER_ARG=half is not a ratio from 0 to 1; using 1',
      'mini-agent: OTEL_TRACES_SAMPLER=no_such_sampler is not a sampler this SDK has; using parentbased_always_on',
    ]);
  });

  it('honours the span limit variables the 3.x TracerProvider no longer reads, the general ones as fallback', async () => {
    vi.stubEnv('OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', '2');
    vi.stubEnv('OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT', '4');
    vi.stubEnv('OTEL_ATTRIBUTE_COUNT_LIMIT', '50'); // the span-specific variable wins
    vi.stubEnv('OTEL_SPAN_EVENT_COUNT_LIMIT', '1');
    const sdk = sdk3(otelRequire, installed, 'hint');
    const spans: ReadableSpan[] = [];
    const keep: SpanExporter = {
      export: (batch, done) => (spans.push(...batch), done({ code: ExportResultCode.SUCCESS })),
      shutdown: async () => {},
    };
    provider = sdk.registerTracerProvider({ resource: resourceFromAttributes({}), spanProcessors: [sdk.simpleSpanProcessor(keep)] });
    const span = trace.getTracer('limits').startSpan('limited', { attributes: { a: 'abcdefgh', b: 1, c: 2 } });
    span.addEvent('first');
    span.addEvent('second');
    span.end();
    await provider.forceFlush();
    expect(spans[0]?.attributes).toEqual({ a: 'abcd', b: 1 });
    expect(spans[0]?.events.map((event) => event.name)).toEqual(['second']); // the SDK keeps the newest
  });
});

describe('choosing the line', () => {
  it('with sdk-trace-node 2.x installed (this workspace), registerMiniAgentTracing() uses NodeTracerProvider.register() as before', async () => {
    const tracing = registerMiniAgentTracing({ postgres: false, langfuse: false, otlp: false, exitHooks: false, sinks: [new MemorySink()] });
    try {
      expect(tracing.provider.constructor.name).toBe('NodeTracerProvider');
    } finally {
      await tracing.shutdown();
    }
  });

  it('an unsupported API warns once, naming the versions found; no SDK at all is an error saying what to install', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sdk-line-'));
    try {
      const api = join(dir, 'node_modules', '@opentelemetry', 'api');
      mkdirSync(api, { recursive: true });
      writeFileSync(join(api, 'package.json'), JSON.stringify({ name: '@opentelemetry/api', version: '1.8.0', main: 'index.js' }));
      writeFileSync(join(api, 'index.js'), 'module.exports = {};');
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      // An application with only this API installed. A stand-in for `require`, since the test
      // runner's NODE_PATH would find the workspace's own SDK from any directory.
      const notFound = (name: string) => Object.assign(new Error(`Cannot find module '${name}'`), { code: 'MODULE_NOT_FOUND' });
      const installedHere = (name: string) => {
        const entry = join(dir, 'node_modules', name, 'index.js');
        if (existsSync(entry)) return entry;
        throw notFound(name);
      };
      const from = Object.assign((name: string) => otelRequire(installedHere(name)), { resolve: installedHere }) as unknown as NodeJS.Require;

      expect(() => selectTraceSdk(from)).toThrow(MissingPeerError);
      expect(() => selectTraceSdk(from)).toThrow(/npm install @opentelemetry\/sdk-trace-node@2 .*@opentelemetry\/sdk-trace@3/);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0]?.[0]).toMatch(/unsupported OpenTelemetry versions \(@opentelemetry\/api 1\.8\.0\): this package needs @opentelemetry\/api \^1\.9\.0/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [{ '@opentelemetry/api': '1.9.1', '@opentelemetry/sdk-trace-base': '2.12.1', '@opentelemetry/sdk-trace': '2.12.1' }, undefined],
    [{ '@opentelemetry/api': '1.10.0', '@opentelemetry/sdk-trace': '3.1.1' }, undefined],
    [{ '@opentelemetry/api': '1.9.1', '@opentelemetry/sdk-trace': '3.1.1' }, /sdk-trace 3\.1\.1\): the 3\.x SDK needs @opentelemetry\/api \^1\.10\.0/],
    [{ '@opentelemetry/api': '1.10.0', '@opentelemetry/sdk-trace-node': '2.12.1' }, /the 2\.x SDK supports @opentelemetry\/api below 1\.10/],
  ])('versions %j: %s', (packages, expected) => {
    const message = unsupportedCombination(packages);
    if (expected) expect(message).toMatch(expected);
    else expect(message).toBeUndefined();
  });
});
