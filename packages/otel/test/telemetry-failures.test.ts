import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { recordDecision, recordMetric, withLlmCall, withSession, withTool } from '../src/index.js';
import { useInMemoryTracing } from './in-memory-tracing.js';

/** A span processor that breaks on demand: what a buggy exporter or vendor processor does. */
const broken = { onStart: false, onEnd: false, exporter: false };
const brokenProcessor: SpanProcessor = {
  onStart() {
    if (broken.onStart) throw new Error('processor exploded on start');
  },
  onEnd() {
    if (broken.onEnd) throw new Error('processor exploded on end');
  },
  forceFlush: async () => {},
  shutdown: async () => {},
};

/** An exporter that throws from export() itself, instead of reporting a failed result. */
const throwingExporter: SpanExporter = {
  export(_spans, resultCallback) {
    if (broken.exporter) throw new Error('exporter exploded');
    resultCallback({ code: 0 });
  },
  shutdown: async () => {},
};

const tracing = useInMemoryTracing([brokenProcessor, new SimpleSpanProcessor(throwingExporter)]);

const warnings: string[] = [];
const collectingLogger: DiagLogger = {
  error: () => {},
  warn: (message) => void warnings.push(message),
  info: () => {},
  debug: () => {},
  verbose: () => {},
};

afterEach(() => {
  broken.onStart = false;
  broken.onEnd = false;
  broken.exporter = false;
  warnings.length = 0;
  diag.disable();
});

describe('telemetry that breaks never breaks the agent', () => {
  it('a processor that throws when spans start: every helper still runs the agent code and returns its value', async () => {
    diag.setLogger(collectingLogger, DiagLogLevel.WARN);
    broken.onStart = true;
    const result = await withSession({ name: 'session' }, async () => {
      recordDecision({ type: 'plan', chosen: 'go' });
      recordMetric({ type: 'tokens', value: 3 });
      const tool = withTool({ name: 'sync_tool', category: 'core' }, () => 'sync');
      const llm = await withLlmCall({ model: 'm' }, async (call) => {
        call.setUsage({ inputTokens: 1 });
        return 'llm';
      });
      return `${tool}+${llm}`;
    });
    expect(result).toBe('sync+llm');
    expect(warnings.some((w) => w.includes('starting a span failed'))).toBe(true);
  });

  it('a processor that throws when spans end: the value still comes back and the agent error still wins', async () => {
    broken.onEnd = true;
    expect(await withTool({ name: 'ok_tool', category: 'file' }, async () => 'value')).toBe('value');
    const agentError = new Error('the agent failed, not telemetry');
    await expect(
      withTool({ name: 'bad_tool', category: 'file' }, async () => {
        throw agentError;
      }),
    ).rejects.toBe(agentError);
    // The SDK's own exporter (first processor) still got both spans before the broken one threw.
    expect(tracing.spans().map((s) => s.name)).toEqual(['execute_tool ok_tool', 'execute_tool bad_tool']);
  });

  it('an exporter that throws inside export() never reaches the agent', async () => {
    broken.exporter = true;
    const result = await withSession({ name: 'exporting' }, async () => {
      recordMetric({ type: 'tokens', value: 1 });
      return withTool({ name: 'exported_tool', category: 'core' }, () => 'value');
    });
    expect(result).toBe('value');
    expect(tracing.spans().map((s) => s.name)).toEqual(['execute_tool exported_tool', 'exporting']);
  });

  it('a diag logger that throws while reporting a telemetry failure is swallowed too', () => {
    diag.setLogger({ ...collectingLogger, warn: () => { throw new Error('logger down'); } }, DiagLogLevel.WARN);
    broken.onStart = true;
    expect(withTool({ name: 't', category: 'core' }, () => 42)).toBe(42);
  });

  it('input that cannot be serialized at all never reaches the agent as an error', () => {
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('no keys');
        },
      },
    );
    expect(withSession({ name: 's', input: hostile, userContext: hostile }, () => withTool({ name: 'x', input: hostile }, () => 'ran'))).toBe(
      'ran',
    );
    expect(tracing.span('execute_tool x').attributes['mini_agent.tool.input']).toBe('[unserializable: no keys]');
  });
});
