import type { SpanFacts } from './conventions/index.js';
import type { InterpretableSpan, SpanCategory } from './records.js';

/**
 * Words in an instrumentation scope's name that say the scope is about AI: OpenInference
 * (`@arizeai/openinference-instrumentation-openai`, `openinference.instrumentation.*`), OpenLLMetry
 * (`@traceloop/instrumentation-*`, `opentelemetry.instrumentation.openai.*`), the OTel GenAI
 * instrumentations, Langfuse's SDKs, this project's own helpers, LLM framework tracers.
 */
const AI_SCOPE_WORDS = [
  'openinference', 'traceloop', 'openllmetry', 'langfuse', 'mini-agent', 'mini_agent', 'openai', 'anthropic',
  'bedrock', 'vertexai', 'gemini', 'cohere', 'mistral', 'ollama', 'langchain', 'langgraph', 'llamaindex',
  'llama_index', 'genai', 'gen_ai', 'gen-ai', 'ai-sdk', 'mcp', 'modelcontextprotocol',
];
/** Scope names that are AI instrumentation as a whole word: the Vercel AI SDK's tracer is called `ai`. */
const AI_SCOPE_NAMES = new Set(['ai', 'ai-sdk']);

const HTTP_KEYS = ['http.request.method', 'http.method', 'url.full', 'http.url', 'http.response.status_code', 'http.status_code'];
const DB_KEYS = ['db.system', 'db.system.name', 'db.statement', 'db.query.text', 'db.operation.name', 'db.namespace'];
const INFRA_KEYS = ['rpc.system', 'messaging.system', 'faas.trigger'];
/** Scope names of OpenTelemetry's own auto-instrumentations (JS and Python), minus the AI ones above. */
const INFRA_SCOPE_PREFIXES = ['@opentelemetry/instrumentation-', 'opentelemetry.instrumentation.', 'io.opentelemetry.'];

/**
 * What a span is about, for filters. A span an adapter recognized (session, tool, LLM, decision,
 * explicit step) is `agent`; else one made by a known AI instrumentation scope is `ai`; else its
 * OTel semantic-convention attributes say `http` or `db`; another OpenTelemetry auto-instrumentation
 * (by its scope, or RPC/messaging attributes) is `infra`; anything else is `other`.
 */
export function categoryOf(span: InterpretableSpan, facts: SpanFacts): SpanCategory {
  if (facts.kind !== undefined) return 'agent';
  if (isAiScope(span.instrumentationScope.name)) return 'ai';
  const a = span.attributes;
  for (const key of HTTP_KEYS) if (a[key] !== undefined) return 'http';
  for (const key of DB_KEYS) if (a[key] !== undefined) return 'db';
  for (const key of INFRA_KEYS) if (a[key] !== undefined) return 'infra';
  const scope = span.instrumentationScope.name ?? '';
  for (const prefix of INFRA_SCOPE_PREFIXES) if (scope.startsWith(prefix)) return 'infra';
  return 'other';
}

/** True for the scope names of known AI instrumentations (see {@link AI_SCOPE_WORDS}). */
export function isAiScope(name: string | undefined): boolean {
  if (!name) return false;
  const lower = name.toLowerCase();
  if (AI_SCOPE_NAMES.has(lower)) return true;
  for (const word of AI_SCOPE_WORDS) if (lower.includes(word)) return true;
  return false;
}
