import type { AgentRecord, RecordSink } from '@mini-agent/core';
import {
  ATTR_AGENT_NAME,
  ATTR_DECISION_CHOSEN,
  ATTR_DECISION_OPTIONS,
  ATTR_DECISION_REASONING,
  ATTR_DECISION_TYPE,
  ATTR_METRIC_TYPE,
  ATTR_METRIC_UNIT,
  ATTR_METRIC_VALUE,
  ATTR_SESSION_ID,
  ATTR_SPAN_KIND,
  ATTR_TOOL_CATEGORY,
  ATTR_TOOL_INPUT,
  ATTR_TOOL_NAME,
  ATTR_TOOL_OUTPUT,
  ATTR_USER_ID,
  EVENT_DECISION,
  EVENT_METRIC,
} from '@mini-agent/semconv';
import { recordSpans } from '@mini-agent/test-support';
import { SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as OtlpHttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** The two OTLP/HTTP encodings, as the real exporters speak them. */
export const ENCODINGS = ['protobuf', 'json'] as const;
export type Encoding = (typeof ENCODINGS)[number];

/** Options for {@link sendWithOtlpExporter}. */
export interface SendOptions {
  readonly encoding: Encoding;
  readonly gzip?: boolean;
  readonly headers?: Record<string, string>;
}

/**
 * Sends spans to a URL with the real OTLP/HTTP exporter of the chosen encoding — the same code any
 * Node service (or, on the wire, a Collector's otlphttp exporter) uses — and returns its result.
 */
export async function sendWithOtlpExporter(url: string, spans: ReadableSpan[], options: SendOptions): Promise<ExportResult> {
  const config = { url, headers: options.headers ?? {}, compression: options.gzip ? ('gzip' as never) : ('none' as never) };
  const exporter = options.encoding === 'protobuf' ? new OtlpProtoExporter(config) : new OtlpHttpJsonExporter(config);
  try {
    return await new Promise<ExportResult>((resolve) => exporter.export(spans, resolve));
  } finally {
    await exporter.shutdown();
  }
}

/** A sink that keeps every record it is given, for comparing what two paths produce. */
export function memorySink(): RecordSink & { readonly records: AgentRecord[] } {
  const records: AgentRecord[] = [];
  return {
    name: 'memory',
    records,
    async write(batch) {
      records.push(...batch);
    },
    async shutdown() {},
  };
}

/** Records in a stable order (by type, then id), so two runs compare with one `toEqual`. */
export function sortRecords(records: readonly AgentRecord[]): AgentRecord[] {
  const key = (r: AgentRecord) => `${r.type}:${'id' in r ? r.id : r.spanId}:${r.spanId}:${r.type === 'trace' ? String(r.complete) : ''}`;
  return [...records].sort((a, b) => key(a).localeCompare(key(b)));
}

/**
 * One agent run with everything the contract covers: a session span, a tool that works, a tool
 * that fails, a decision span, decision and metric events, an LLM call, a step, and attributes of
 * every type the SDK allows (strings, integers, doubles, booleans, arrays, empty strings).
 */
export async function agentRun(tag = 'run'): Promise<ReadableSpan[]> {
  return recordSpans(async (tracer: Tracer) => {
    await tracer.startActiveSpan(`${tag}: answer question`, { kind: SpanKind.SERVER }, async (session) => {
      session.setAttributes({
        [ATTR_SPAN_KIND]: 'session',
        [ATTR_SESSION_ID]: `session-${tag}`,
        [ATTR_AGENT_NAME]: 'bridge-test-agent',
        [ATTR_USER_ID]: 'user-7',
        'custom.count': 42,
        'custom.ratio': 0.25,
        'custom.flag': true,
        'custom.empty': '',
        'custom.words': ['alpha', 'beta'],
        'custom.numbers': [1, 2.5, 3],
        'custom.bools': [true, false],
      });
      await tracer.startActiveSpan('read_file', async (tool) => {
        tool.setAttributes({
          [ATTR_SPAN_KIND]: 'tool',
          [ATTR_TOOL_NAME]: 'read_file',
          [ATTR_TOOL_CATEGORY]: 'file',
          [ATTR_TOOL_INPUT]: JSON.stringify({ path: 'README.md' }),
          [ATTR_TOOL_OUTPUT]: JSON.stringify({ bytes: 1234, text: 'héllo ✓ 🚀' }),
        });
        tool.addEvent(EVENT_METRIC, { [ATTR_METRIC_TYPE]: 'latency', [ATTR_METRIC_VALUE]: 12.5, [ATTR_METRIC_UNIT]: 'ms' });
        tool.end();
      });
      await tracer.startActiveSpan('web_search', async (tool) => {
        tool.setAttributes({ [ATTR_SPAN_KIND]: 'tool', [ATTR_TOOL_NAME]: 'web_search', [ATTR_TOOL_CATEGORY]: 'mcp' });
        tool.recordException(new Error('search backend timed out'));
        tool.setStatus({ code: SpanStatusCode.ERROR, message: 'search backend timed out' });
        tool.end();
      });
      await tracer.startActiveSpan('pick next tool', async (decision) => {
        decision.setAttributes({
          [ATTR_SPAN_KIND]: 'decision',
          [ATTR_DECISION_TYPE]: 'tool_selection',
          [ATTR_DECISION_OPTIONS]: JSON.stringify(['read_file', 'web_search']),
          [ATTR_DECISION_CHOSEN]: 'read_file',
          [ATTR_DECISION_REASONING]: 'the answer is local',
        });
        decision.end();
      });
      await tracer.startActiveSpan('chat gpt-4o', { kind: SpanKind.CLIENT }, async (llm) => {
        llm.setAttributes({
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.usage.input_tokens': 120,
          'gen_ai.usage.output_tokens': 30,
        });
        llm.end();
      });
      session.addEvent(EVENT_DECISION, { [ATTR_DECISION_TYPE]: 'stop', [ATTR_DECISION_CHOSEN]: 'answer' });
      session.addEvent(EVENT_METRIC, { [ATTR_METRIC_TYPE]: 'memory', [ATTR_METRIC_VALUE]: 61.5, [ATTR_METRIC_UNIT]: 'percent' });
      session.setStatus({ code: SpanStatusCode.OK });
      session.end();
    });
  });
}

/** `count` small spans in one trace, for volume tests. */
export async function manySpans(count: number, tag = 'bulk'): Promise<ReadableSpan[]> {
  return recordSpans((tracer) => {
    tracer.startActiveSpan(`${tag}: session`, (root) => {
      root.setAttribute(ATTR_SPAN_KIND, 'session');
      for (let i = 1; i < count; i++) {
        const span = tracer.startSpan(`step ${i}`, { attributes: { [ATTR_SPAN_KIND]: 'tool', [ATTR_TOOL_NAME]: `tool_${i % 7}`, 'step.index': i } });
        span.end();
      }
      root.end();
    });
  });
}
