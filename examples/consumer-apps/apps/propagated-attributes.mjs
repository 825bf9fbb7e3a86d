// Spans another library starts inside a session (an HTTP client, an LLM SDK) get the session's
// attributes from the onStart processor registerMiniAgentTracing() adds. On the app's own SDK line,
// this reports whether they were written the fast way (straight into the span, no setAttribute
// call: the SDK's Span fields have the names the processor expects) and whether the span's
// attribute count still agrees with its attributes (the SDK's count limit depends on it).
// With OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT set low, the processor must leave the limit to setAttribute.
import { trace } from '@opentelemetry/api';
import { registerMiniAgentTracing, withSession } from '@mini-agent/otel';

const tracing = registerMiniAgentTracing({
  serviceName: 'consumer-app',
  postgres: false,
  langfuse: false,
  otlp: false,
  exitHooks: false,
});
await tracing.ready;

const library = trace.getTracer('some-http-client', '1.0.0');
// The SDK's Span class, whichever line: every call to its setAttribute(s) is counted.
const probe = library.startSpan('probe');
const spanClass = Object.getPrototypeOf(probe);
probe.end();
let calls = 0;
for (const method of ['setAttribute', 'setAttributes']) {
  const original = spanClass[method];
  spanClass[method] = function (...args) {
    calls += 1;
    return original.apply(this, args);
  };
}

/** Starts the library's span; returns it and how many setAttribute(s) calls its start made. */
const startCounted = () => {
  calls = 0;
  const span = library.startSpan('GET /orders/42', { attributes: { 'http.request.method': 'GET' } });
  return { span, calls };
};
// Outside a session: what the SDK's own start calls (the span's initial attributes).
const outside = startCounted();
outside.span.end();

const seen = await withSession({ name: 'consumer-session', sessionId: process.env.SESSION_ID, userId: 'user-1', agentName: 'consumer-agent' }, async () => {
  const { span, calls: inside } = startCounted();
  const attributes = { ...span.attributes };
  const counted = span._attributesCount;
  span.end();
  // 0: the processor wrote the session's attributes without a call of its own.
  return { processorCalls: inside - outside.calls, attributes, counted, keys: Object.keys(attributes).length };
});
await tracing.shutdown();
console.log(JSON.stringify(seen));
