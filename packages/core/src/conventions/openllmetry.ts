import { OpenLlmetryAssociationKeys as Assoc, OpenLlmetryAttributes as T, OpenLlmetrySpanKinds } from '@mini-agent/semconv';
import { defined, hasAny, num, str, usageOf, type ConventionAdapter, type SpanFacts } from './facts.js';
import { unflattenList } from './flattened.js';

/** Attributes of which at least one is on every span this adapter has something to say about. */
const MARKERS = [
  T.SPAN_KIND,
  T.ENTITY_NAME,
  T.LLM_REQUEST_TYPE,
  `${T.ASSOCIATION_PROPERTIES_PREFIX}${Assoc.SESSION_ID}`,
  `${T.ASSOCIATION_PROPERTIES_PREFIX}${Assoc.USER_ID}`,
  T.LLM_USAGE_TOTAL_TOKENS,
  T.USAGE_TOTAL_TOKENS,
  T.USAGE_CACHE_READ_INPUT_TOKENS,
  T.USAGE_CACHE_CREATION_INPUT_TOKENS,
  T.USAGE_REASONING_TOKENS,
];
const MESSAGE_MARKERS = [`${T.PROMPT_PREFIX}.0.role`, `${T.PROMPT_PREFIX}.0.content`, `${T.COMPLETION_PREFIX}.0.role`, `${T.COMPLETION_PREFIX}.0.content`];

/**
 * OpenLLMetry (Traceloop): `traceloop.span.kind` from its decorators (`tool`, `workflow`, `agent`,
 * `task`) with `traceloop.entity.name/input/output`; association properties for the session and
 * user; and, on its LLM spans, the indexed `gen_ai.prompt.<i>.*` / `gen_ai.completion.<i>.*`
 * messages and older usage names. Model and the standard counts come from the GenAI adapter.
 */
export const openLlmetryAdapter: ConventionAdapter = {
  name: 'openllmetry',
  read({ attributes: a }): SpanFacts {
    const association = (key: string) => str(a, `${T.ASSOCIATION_PROPERTIES_PREFIX}${key}`);
    // Rebuilding messages walks every attribute: only where indexed messages can be.
    const hasMessages = hasAny(a, MESSAGE_MARKERS);
    if (!hasMessages && !hasAny(a, MARKERS)) return {};
    const given = str(a, T.SPAN_KIND);
    const kind = given !== undefined ? OpenLlmetrySpanKinds[given as keyof typeof OpenLlmetrySpanKinds] : str(a, T.LLM_REQUEST_TYPE) ? 'llm' : undefined;
    const entity = str(a, T.ENTITY_NAME);
    const input = a[T.ENTITY_INPUT];
    const output = a[T.ENTITY_OUTPUT];
    return defined<SpanFacts>({
      kind,
      sessionId: association(Assoc.SESSION_ID),
      userId: association(Assoc.USER_ID),
      agentName: given === 'agent' ? entity : undefined,
      sessionName: kind === 'session' ? str(a, T.WORKFLOW_NAME) : undefined,
      sessionInput: kind === 'session' ? input : undefined,
      sessionOutput: kind === 'session' ? output : undefined,
      toolName: kind === 'tool' ? entity : undefined,
      toolInput: kind === 'tool' ? input : undefined,
      toolOutput: kind === 'tool' ? output : undefined,
      toolCategory: kind === 'tool' && a[T.MCP_REQUEST_ID] !== undefined ? 'mcp' : undefined,
      llmInput: hasMessages ? unflattenList(a, T.PROMPT_PREFIX) : undefined,
      llmOutput: hasMessages ? unflattenList(a, T.COMPLETION_PREFIX) : undefined,
      usage: usageOf({
        total: num(a, T.LLM_USAGE_TOTAL_TOKENS) ?? num(a, T.USAGE_TOTAL_TOKENS),
        cached: num(a, T.USAGE_CACHE_READ_INPUT_TOKENS),
        cacheCreation: num(a, T.USAGE_CACHE_CREATION_INPUT_TOKENS),
        reasoning: num(a, T.USAGE_REASONING_TOKENS),
      }),
    });
  },
};
