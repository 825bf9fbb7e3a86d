// The known dataset the dashboard suites read: agent sessions emitted as real OpenTelemetry spans
// (SDK provider, mini_agent.* attributes, the GenAI attributes for LLM calls) and stored by the real
// PostgresExporter, so the pages are checked on rows exactly as the exporter writes them.
import {
  ATTR_AGENT_NAME, ATTR_AGENT_VERSION, ATTR_DECISION_CHOSEN, ATTR_DECISION_OPTIONS, ATTR_DECISION_REASONING, ATTR_DECISION_TYPE,
  ATTR_METRIC_TYPE, ATTR_METRIC_UNIT, ATTR_METRIC_VALUE, ATTR_SESSION_ID, ATTR_SPAN_KIND, ATTR_TOOL_CATEGORY, ATTR_TOOL_INPUT,
  ATTR_TOOL_NAME, ATTR_TOOL_OUTPUT, ATTR_USER_ID, EVENT_DECISION, EVENT_METRIC, GenAiAttributes as G,
} from '@mini-agent/semconv';
import { PostgresExporter, type PostgresExporterOptions } from '@mini-agent/exporter-postgres';
import { context, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

/** What a tool call of the dataset does. */
interface ToolCall {
  name: string;
  category: string;
  ms: number;
  input?: unknown;
  output?: unknown;
  fails?: string;
}

/** One session of the dataset. */
interface SessionPlan {
  key: string;
  name: string;
  agent: string;
  user: string;
  /** Minutes before "now" the session started. */
  minutesAgo: number;
  fails?: string;
  /** Leave the session span out: the trace is still running (or its root was lost). */
  running?: boolean;
  tools: ToolCall[];
  memoryPct?: number;
  /** One LLM call after the tools, with GenAI usage (priced by the exporter as it stores it). */
  llm?: { model: string; provider: string; input: number; output: number; cached?: number; firstChunkS?: number };
}

/** A hostile tool input: if the pages ever render data as markup, this runs. */
export const HOSTILE_INPUT = {
  query: '<script>window.__pwned = 1</script>',
  note: '"><img src=x onerror="window.__pwned=2">',
  // Ends a <script> block the page's own chart data sits in, if that data is ever embedded unescaped.
  closing: '</script><script>window.__pwned = 3</script>',
  link: 'javascript:window.__pwned=4',
};

/** The sessions of the last day: 10 complete (3 failed), 1 still running; 3 tool failures; two slow searches. Three more are 3, 20 and 90 days old; a trace without a session span is 2 days old. */
export const PLANS: readonly SessionPlan[] = [
  { key: 'fix', name: 'fix the failing test', agent: 'coder', user: 'alice', minutesAgo: 50, tools: [], memoryPct: 42 },
  {
    key: 'refactor', name: 'refactor the parser', agent: 'coder', user: 'bob', minutesAgo: 45, fails: 'gave up after a permission error', memoryPct: 86,
    tools: [
      { name: 'read_file', category: 'file', ms: 22, input: { path: 'src/parser.ts' }, output: { lines: 310 } },
      { name: 'write_file', category: 'file', ms: 31, input: { path: 'src/generated/parser.ts' }, fails: "EACCES: permission denied, open 'src/generated/parser.ts'" },
    ],
  },
  {
    key: 'papers', name: 'find papers on rounding', agent: 'researcher', user: 'carol', minutesAgo: 40,
    tools: [
      { name: 'web_search', category: 'mcp', ms: 6_500, input: { q: 'banker rounding' }, output: [{ title: 'IEEE 754' }] },
      { name: 'parse_pdf', category: 'document', ms: 310, input: HOSTILE_INPUT, output: 'plain text <b>not bold</b>' },
    ],
  },
  {
    key: 'summary', name: 'summarize the thread', agent: 'researcher', user: 'carol', minutesAgo: 35, fails: 'search backend down',
    tools: [{ name: 'web_search', category: 'mcp', ms: 7_200, input: { q: 'thread 42' }, fails: 'timeout after 7s' }],
  },
  { key: 'tests', name: 'run the test suite', agent: 'coder', user: 'alice', minutesAgo: 30, tools: [{ name: 'run_tests', category: 'core', ms: 910, output: { passed: 40 } }] },
  { key: 'lint', name: 'lint the repo', agent: 'coder', user: 'bob', minutesAgo: 27, tools: [{ name: 'run_tests', category: 'core', ms: 640 }, { name: 'read_file', category: 'file', ms: 12 }] },
  { key: 'docs', name: 'update the docs', agent: 'coder', user: 'alice', minutesAgo: 24, tools: [{ name: 'read_file', category: 'file', ms: 15 }, { name: 'write_file', category: 'file', ms: 28 }] },
  {
    key: 'deploy', name: 'deploy preview', agent: 'coder', user: 'bob', minutesAgo: 20, fails: 'deploy rejected',
    tools: [{ name: 'shell', category: 'core', ms: 1_500, input: { cmd: 'deploy --preview' }, fails: 'exit code 1' }],
  },
  {
    key: 'cite', name: 'check citations', agent: 'researcher', user: 'dave', minutesAgo: 15, tools: [{ name: 'web_search', category: 'mcp', ms: 420 }, { name: 'summarize', category: 'skill', ms: 95 }],
    llm: { model: 'gpt-4o-mini', provider: 'openai', input: 1000, output: 500, cached: 400, firstChunkS: 0.3 },
  },
  {
    key: 'answer', name: 'answer a question', agent: 'researcher', user: 'dave', minutesAgo: 10, tools: [{ name: 'summarize', category: 'skill', ms: 120 }],
    llm: { model: 'claude-sonnet-4-20250514', provider: 'anthropic', input: 2000, output: 300 },
  },
  { key: 'live', name: 'still running', agent: 'coder', user: 'alice', minutesAgo: 5, running: true, tools: [{ name: 'read_file', category: 'file', ms: 18 }] },
  // Older than a day, so the 7-day, 30-day and all-time windows each hold more than the last one.
  { key: 'weekly', name: 'weekly report', agent: 'researcher', user: 'erin', minutesAgo: 3 * 1_440, tools: [{ name: 'web_search', category: 'mcp', ms: 900, input: { q: 'weekly numbers' } }] },
  {
    key: 'monthly', name: 'monthly cleanup', agent: 'coder', user: 'erin', minutesAgo: 20 * 1_440, fails: 'disk full',
    tools: [{ name: 'shell', category: 'core', ms: 2_400, input: { cmd: 'rm -rf build' }, fails: 'ENOSPC' }],
  },
  { key: 'ancient', name: 'first ever run', agent: 'coder', user: 'erin', minutesAgo: 90 * 1_440, tools: [{ name: 'read_file', category: 'file', ms: 40 }] },
];

/** Ids the suites look things up by. */
export interface SeededDataset {
  /** Session key → trace id. */
  readonly traces: Readonly<Record<string, string>>;
  /** Span ids of the `fix` session, by role. */
  readonly fix: Readonly<Record<string, string>>;
  /** The `fix` session's spans in waterfall order (parent before children, siblings by start): names. */
  readonly fixWaterfall: readonly string[];
  /** The failing write_file of the `refactor` session. */
  readonly failedWrite: { readonly traceId: string; readonly spanId: string };
  /** When the dataset's "now" was. */
  readonly now: Date;
}

/** Emits the dataset as spans and stores them through a real PostgresExporter into the database `target` names. */
export async function seedDataset(target: PostgresExporterOptions): Promise<SeededDataset> {
  const now = new Date();
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'dataset-agent', 'service.version': '2.0.0' }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('dashboard-dataset');
  const traces: Record<string, string> = {};
  let fix: Record<string, string> = {};
  let failedWrite = { traceId: '', spanId: '' };
  for (const plan of PLANS) {
    const start = now.getTime() - plan.minutesAgo * 60_000;
    if (plan.key === 'fix') {
      fix = emitFixSession(tracer, start);
      traces[plan.key] = fix.traceId!;
      continue;
    }
    const result = emitSession(tracer, plan, start);
    traces[plan.key] = result.traceId;
    if (plan.key === 'refactor') failedWrite = { traceId: result.traceId, spanId: result.toolSpans[1]! };
  }
  traces.chain = emitChainTrace(tracer, now.getTime() - 2 * 86_400_000);
  await provider.forceFlush();
  const spans = memory.getFinishedSpans();
  await provider.shutdown();

  const exporter = new PostgresExporter(target);
  const result = await new Promise<ExportResult>((resolve) => exporter.export(spans, resolve));
  await exporter.shutdown();
  if (result.code !== ExportResultCode.SUCCESS) throw result.error ?? new Error('the exporter did not store the dataset');
  return {
    traces,
    fix,
    fixWaterfall: ['fix the failing test', 'plan the fix', 'investigate', 'read_file', 'run_tests', 'chat demo-model', 'apply', 'write_file', 'run_tests'],
    failedWrite,
    now,
  };
}

const at = (ms: number) => new Date(ms);
const under = (parent: Span) => trace.setSpan(context.active(), parent);

function sessionSpan(tracer: Tracer, plan: Pick<SessionPlan, 'key' | 'name' | 'agent' | 'user'>, start: number): Span {
  return tracer.startSpan(plan.name, {
    startTime: at(start),
    attributes: {
      [ATTR_SPAN_KIND]: 'session', [ATTR_SESSION_ID]: `conversation-${plan.user}`, [ATTR_AGENT_NAME]: plan.agent,
      [ATTR_AGENT_VERSION]: '2.0.0', [ATTR_USER_ID]: plan.user,
    },
  });
}

function toolSpan(tracer: Tracer, parent: Span, call: ToolCall, start: number): string {
  const span = tracer.startSpan(call.name, {
    startTime: at(start),
    attributes: {
      [ATTR_SPAN_KIND]: 'tool', [ATTR_TOOL_NAME]: call.name, [ATTR_TOOL_CATEGORY]: call.category,
      ...(call.input !== undefined ? { [ATTR_TOOL_INPUT]: JSON.stringify(call.input) } : {}),
      ...(call.output !== undefined ? { [ATTR_TOOL_OUTPUT]: typeof call.output === 'string' ? call.output : JSON.stringify(call.output) } : {}),
    },
  }, under(parent));
  if (call.fails) {
    span.recordException(new Error(call.fails), at(start + call.ms));
    span.setStatus({ code: SpanStatusCode.ERROR, message: call.fails });
  }
  span.end(at(start + call.ms));
  return span.spanContext().spanId;
}

function emitSession(tracer: Tracer, plan: SessionPlan, start: number): { traceId: string; toolSpans: string[] } {
  const session = sessionSpan(tracer, plan, start);
  let t = start + 100;
  const toolSpans: string[] = [];
  for (const call of plan.tools) {
    toolSpans.push(toolSpan(tracer, session, call, t));
    t += call.ms + 50;
  }
  if (plan.llm) {
    const { model, provider, input, output, cached, firstChunkS } = plan.llm;
    tracer.startSpan(`chat ${model}`, {
      startTime: at(t),
      attributes: {
        [G.OPERATION_NAME]: 'chat', [G.REQUEST_MODEL]: model, [G.PROVIDER_NAME]: provider, [G.USAGE_INPUT_TOKENS]: input, [G.USAGE_OUTPUT_TOKENS]: output,
        ...(cached !== undefined ? { [G.USAGE_CACHE_READ_INPUT_TOKENS]: cached } : {}),
        ...(firstChunkS !== undefined ? { [G.RESPONSE_TIME_TO_FIRST_CHUNK]: firstChunkS } : {}),
      },
    }, under(session)).end(at(t + 800));
    t += 850;
  }
  if (plan.memoryPct !== undefined) session.addEvent(EVENT_METRIC, { [ATTR_METRIC_TYPE]: 'memory', [ATTR_METRIC_VALUE]: plan.memoryPct, [ATTR_METRIC_UNIT]: '%' }, at(t));
  if (plan.fails) session.setStatus({ code: SpanStatusCode.ERROR, message: plan.fails });
  else session.setStatus({ code: SpanStatusCode.OK });
  // A running session's root span never ends, so it is never exported: its trace has only tools.
  if (!plan.running) session.end(at(t + 100));
  return { traceId: session.spanContext().traceId, toolSpans };
}

/** The name of the dataset's trace that has no session span. */
export const CHAIN_NAME = 'rag pipeline';

/** A trace with no session span, two days old: an OpenInference CHAIN root over a tool call, as OpenInference instrumentations emit it. */
function emitChainTrace(tracer: Tracer, start: number): string {
  const chain = tracer.startSpan(CHAIN_NAME, { startTime: at(start), attributes: { 'openinference.span.kind': 'CHAIN', 'input.value': 'what is banker rounding?' } });
  const tool = tracer.startSpan('search', {
    startTime: at(start + 20),
    attributes: { 'openinference.span.kind': 'TOOL', 'tool.name': 'search', 'input.value': '{"q":"banker rounding"}' },
  }, under(chain));
  tool.end(at(start + 220));
  chain.setStatus({ code: SpanStatusCode.OK });
  chain.end(at(start + 300));
  return chain.spanContext().traceId;
}

/** The richest session: nested steps, a decision span and a decision event, an LLM call, metrics over time. */
function emitFixSession(tracer: Tracer, start: number): Record<string, string> {
  const session = sessionSpan(tracer, { key: 'fix', name: 'fix the failing test', agent: 'coder', user: 'alice' }, start);
  const decide = tracer.startSpan('plan the fix', {
    startTime: at(start + 10),
    attributes: {
      [ATTR_SPAN_KIND]: 'decision', [ATTR_DECISION_TYPE]: 'plan',
      [ATTR_DECISION_OPTIONS]: JSON.stringify(['read the failing test first', 'run the whole suite']),
      [ATTR_DECISION_CHOSEN]: 'read the failing test first',
      [ATTR_DECISION_REASONING]: 'the test name points at one module',
    },
  }, under(session));
  decide.end(at(start + 20));
  const investigate = tracer.startSpan('investigate', { startTime: at(start + 30), attributes: { [ATTR_SPAN_KIND]: 'step' } }, under(session));
  const read = toolSpan(tracer, investigate, { name: 'read_file', category: 'file', ms: 25, input: { path: 'src/math.ts' }, output: { lines: 42 } }, start + 40);
  const test1 = toolSpan(tracer, investigate, { name: 'run_tests', category: 'core', ms: 700, input: { cmd: 'npm test' }, output: { failed: 1 } }, start + 80);
  investigate.end(at(start + 800));
  const llm = tracer.startSpan('chat demo-model', {
    startTime: at(start + 820),
    attributes: {
      [G.OPERATION_NAME]: 'chat', [G.REQUEST_MODEL]: 'demo-model', [G.PROVIDER_NAME]: 'simulated',
      [G.USAGE_INPUT_TOKENS]: 812, [G.USAGE_OUTPUT_TOKENS]: 64,
      [G.INPUT_MESSAGES]: JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'propose a patch' }] }]),
      [G.OUTPUT_MESSAGES]: JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'use Math.sign' }] }]),
    },
  }, under(session));
  llm.end(at(start + 1_040));
  const apply = tracer.startSpan('apply', { startTime: at(start + 1_050), attributes: { [ATTR_SPAN_KIND]: 'step' } }, under(session));
  const write = toolSpan(tracer, apply, { name: 'write_file', category: 'file', ms: 30, input: { path: 'src/math.ts' }, output: { bytes: 1187 } }, start + 1_060);
  const test2 = toolSpan(tracer, apply, { name: 'run_tests', category: 'core', ms: 650, output: { passed: 12 } }, start + 1_100);
  apply.addEvent(EVENT_DECISION, { [ATTR_DECISION_TYPE]: 'stop', [ATTR_DECISION_OPTIONS]: JSON.stringify(['stop', 'keep going']), [ATTR_DECISION_CHOSEN]: 'stop', [ATTR_DECISION_REASONING]: 'all tests pass' }, at(start + 1_760));
  apply.end(at(start + 1_770));
  for (const [i, pct] of [35, 42, 39].entries()) {
    session.addEvent(EVENT_METRIC, { [ATTR_METRIC_TYPE]: 'memory', [ATTR_METRIC_VALUE]: pct, [ATTR_METRIC_UNIT]: '%' }, at(start + 500 * (i + 1)));
  }
  session.setStatus({ code: SpanStatusCode.OK });
  session.end(at(start + 1_800));
  const id = (s: Span) => s.spanContext().spanId;
  return {
    traceId: session.spanContext().traceId, session: id(session), decide: id(decide), investigate: id(investigate),
    read, test1, llm: id(llm), apply: id(apply), write, test2,
  };
}
