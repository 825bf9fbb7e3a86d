// The agent workload every throughput benchmark uses: traces shaped like a real agent session.
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
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
  ATTR_SESSION_INPUT,
  ATTR_SESSION_OUTPUT,
  ATTR_SPAN_KIND,
  ATTR_TOOL_CATEGORY,
  ATTR_TOOL_INPUT,
  ATTR_TOOL_NAME,
  ATTR_TOOL_OUTPUT,
  ATTR_USER_CONTEXT,
  ATTR_USER_ID,
  EVENT_DECISION,
  EVENT_METRIC,
} from '@mini-agent/semconv';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';

/** Spans in one trace of {@link emitTrace}: a session, 5 tools, 2 LLM calls, a decision, a step. */
export const SPANS_PER_TRACE = 10;

/** The resource of the benchmark agent: what a NodeTracerProvider with a service name carries. */
export const AGENT_RESOURCE = {
  'service.name': 'bench-agent',
  'service.version': '1.4.0',
  'deployment.environment.name': 'bench',
  'telemetry.sdk.language': 'nodejs',
  'telemetry.sdk.name': 'opentelemetry',
  'telemetry.sdk.version': '2.12.0',
  'process.pid': 4242,
  'process.runtime.name': 'nodejs',
  'process.runtime.version': '20.20.2',
  'host.name': 'bench-host',
};

const TOOLS = [
  ['read_file', 'file'], ['write_file', 'file'], ['web_search', 'mcp'], ['query_db', 'mcp'], ['summarize', 'skill'],
  ['parse_pdf', 'document'], ['shell', 'core'], ['python', 'core'], ['grep', 'core'], ['vector_search', 'mcp'],
];
const LOREM = 'The quarterly report lists revenue by region, with notes on churn, pricing and the new onboarding flow';

// About 400 bytes of arguments and 600 of result: the ~1 KB of JSON a real tool call carries.
const toolInput = (n) =>
  JSON.stringify({ path: `/srv/data/project-${n % 97}/notes-${n}.md`, query: `${LOREM} (${n})`, options: { limit: 20 + (n % 30), recursive: n % 2 === 0, encoding: 'utf8' }, filters: ['region:eu', 'year:2026', `tag:${n % 13}`] });
const toolOutput = (n) =>
  JSON.stringify({ ok: true, bytes: 1000 + (n % 9000), lines: [`${LOREM}.`, `Second paragraph ${n}: ${LOREM}.`, `Third paragraph: ${LOREM}.`], matches: [{ line: 3, score: 0.91 }, { line: 17, score: 0.74 }, { line: n % 40, score: 0.5 }] });
const llmInput = (n) =>
  JSON.stringify([
    { role: 'system', parts: [{ type: 'text', content: `You are a careful assistant. ${LOREM}.` }] },
    { role: 'user', parts: [{ type: 'text', content: `Question ${n}: summarize the findings, ${LOREM}, and list the risks.` }] },
    { role: 'assistant', parts: [{ type: 'tool_call', id: `call_${n}`, name: 'read_file', arguments: { path: `/srv/data/notes-${n}.md` } }] },
    { role: 'tool', parts: [{ type: 'tool_call_response', id: `call_${n}`, response: `${LOREM}. ${LOREM}.` }] },
  ]);
const llmOutput = (n) =>
  JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: `Answer ${n}: ${LOREM}; risks: pricing, churn.` }], finish_reason: 'stop' }]);

/**
 * Emits one agent trace through `tracer`, synchronously: a session span (user context, input and
 * output, two metric events and a decision event), five tool spans of ten attributes with ~1 KB of
 * JSON (one in ten fails with an exception), two LLM calls with GenAI attributes and messages, a
 * decision span and a plain step with a metric event. `n` makes every trace's ids and values differ.
 */
export function emitTrace(tracer, n) {
  const session = tracer.startSpan('support session', {
    attributes: {
      [ATTR_SPAN_KIND]: 'session',
      [ATTR_SESSION_ID]: `session-${n % 5000}`,
      [ATTR_AGENT_NAME]: 'bench-agent',
      [ATTR_USER_ID]: `user-${n % 700}`,
      [ATTR_USER_CONTEXT]: JSON.stringify({ plan: 'team', locale: 'en-GB', seats: 5 + (n % 20) }),
      [ATTR_SESSION_INPUT]: `Please look into ticket ${n}: ${LOREM}.`,
    },
  });
  const ctx = trace.setSpan(context.active(), session);
  for (let t = 0; t < 5; t++) {
    const i = n * 5 + t;
    const [name, category] = TOOLS[i % TOOLS.length];
    const tool = tracer.startSpan(`tool ${name}`, {}, ctx);
    tool.setAttribute(ATTR_SPAN_KIND, 'tool');
    tool.setAttribute(ATTR_TOOL_NAME, name);
    tool.setAttribute(ATTR_TOOL_CATEGORY, category);
    tool.setAttribute(ATTR_TOOL_INPUT, toolInput(i));
    tool.setAttribute(ATTR_TOOL_OUTPUT, toolOutput(i));
    tool.setAttribute('step.index', t);
    tool.setAttribute('http.response.status_code', 200);
    tool.setAttribute('cache.hit', i % 3 === 0);
    tool.setAttribute('retry.count', i % 4 === 0 ? 1 : 0);
    tool.setAttribute('cloud.region', 'eu-west-1');
    if (i % 10 === 9) {
      tool.recordException(new Error(`ENOENT: no such file or directory, open '/srv/data/notes-${i}.md'`));
      tool.setStatus({ code: SpanStatusCode.ERROR, message: 'ENOENT' });
    }
    tool.end();
  }
  for (let l = 0; l < 2; l++) {
    const i = n * 2 + l;
    const llm = tracer.startSpan('chat gpt-5-mini', {}, ctx);
    llm.setAttribute('gen_ai.operation.name', 'chat');
    llm.setAttribute('gen_ai.provider.name', 'openai');
    llm.setAttribute('gen_ai.request.model', 'gpt-5-mini');
    llm.setAttribute('gen_ai.response.model', 'gpt-5-mini-2026-08-07');
    llm.setAttribute('gen_ai.request.temperature', 0.2);
    llm.setAttribute('gen_ai.usage.input_tokens', 800 + (i % 400));
    llm.setAttribute('gen_ai.usage.output_tokens', 120 + (i % 200));
    llm.setAttribute('gen_ai.input.messages', llmInput(i));
    llm.setAttribute('gen_ai.output.messages', llmOutput(i));
    llm.setAttribute('gen_ai.response.finish_reasons', ['stop']);
    llm.end();
  }
  const decision = tracer.startSpan('choose next step', {}, ctx);
  decision.setAttribute(ATTR_SPAN_KIND, 'decision');
  decision.setAttribute(ATTR_DECISION_TYPE, 'tool_selection');
  decision.setAttribute(ATTR_DECISION_OPTIONS, JSON.stringify(['read_file', 'web_search', 'ask_user']));
  decision.setAttribute(ATTR_DECISION_CHOSEN, n % 2 ? 'read_file' : 'web_search');
  decision.setAttribute(ATTR_DECISION_REASONING, 'The ticket names a file; reading it answers the question fastest.');
  decision.end();
  const step = tracer.startSpan('format answer', { attributes: { 'step.index': 9, 'answer.chars': 640 + (n % 100) } }, ctx);
  step.addEvent(EVENT_METRIC, { [ATTR_METRIC_TYPE]: 'latency', [ATTR_METRIC_VALUE]: 12.5 + (n % 50), [ATTR_METRIC_UNIT]: 'ms' });
  step.end();
  session.addEvent(EVENT_METRIC, { [ATTR_METRIC_TYPE]: 'memory', [ATTR_METRIC_VALUE]: 180_000_000 + n, [ATTR_METRIC_UNIT]: 'bytes' });
  session.addEvent(EVENT_METRIC, { [ATTR_METRIC_TYPE]: 'tokens', [ATTR_METRIC_VALUE]: 1900 + (n % 500), [ATTR_METRIC_UNIT]: 'tokens' });
  session.addEvent(EVENT_DECISION, { [ATTR_DECISION_TYPE]: 'stop', [ATTR_DECISION_CHOSEN]: 'answer', [ATTR_DECISION_REASONING]: 'enough evidence' });
  session.setAttribute(ATTR_SESSION_OUTPUT, `Ticket ${n} answered: ${LOREM}.`);
  session.setStatus({ code: SpanStatusCode.OK });
  session.end();
}

/**
 * `count` finished spans (rounded up to whole traces) from a real SDK provider with the agent's
 * resource, in end order, ready to hand to any exporter. `offset` shifts the values.
 */
export function recordWorkload(count, offset = 0) {
  const spans = [];
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes(AGENT_RESOURCE),
    spanProcessors: [new SimpleSpanProcessor({ export: (batch, done) => (spans.push(...batch), done({ code: 0 })), shutdown: async () => {} })],
  });
  const tracer = provider.getTracer('bench-agent', '1.4.0');
  for (let n = 0; spans.length < count; n++) emitTrace(tracer, offset + n);
  return spans;
}

/** Splits `items` into arrays of `size`. */
export function chunk(items, size) {
  const out = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
