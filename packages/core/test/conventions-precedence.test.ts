import * as sc from '@mini-agent/semconv';
import { GenAiAttributes as G, LangfuseAttributes as L, OpenInferenceAttributes as OI, OpenLlmetryAttributes as T, VercelAiAttributes as V } from '@mini-agent/semconv';
import { describe, expect, it } from 'vitest';
import { ADAPTERS } from '../src/conventions/index.js';
import { kindOf, oneOf, recordsOf, spanWith } from './convention-spans.js';

// When one span carries several conventions, the earlier one in this order wins each fact.
describe('precedence between conventions on one span', () => {
  it('the order is mini_agent, langfuse, openinference, gen_ai (with mcp), vercel_ai, openllmetry', () => {
    expect(ADAPTERS.map((a) => a.name)).toEqual(['mini_agent', 'langfuse', 'openinference', 'gen_ai', 'mcp', 'vercel_ai', 'openllmetry']);
  });

  it('explicit mini_agent.* wins over GenAI: tool name, category, input', async () => {
    const span = await spanWith({
      [sc.ATTR_SPAN_KIND]: 'tool',
      [sc.ATTR_TOOL_NAME]: 'read_file',
      [sc.ATTR_TOOL_CATEGORY]: 'file',
      [sc.ATTR_TOOL_INPUT]: '{"path":"a.txt"}',
      [G.OPERATION_NAME]: 'execute_tool',
      [G.TOOL_NAME]: 'fs.read',
      [G.TOOL_CALL_ARGUMENTS]: '{"p":"a.txt"}',
      [G.TOOL_CALL_RESULT]: '"contents"',
    });
    // A fact only GenAI gave (the result) still lands.
    expect(oneOf(span, 'tool')).toMatchObject({ toolName: 'read_file', category: 'file', input: { path: 'a.txt' }, output: 'contents' });
  });

  it('an explicit mini_agent kind wins even when another convention says tool', async () => {
    const span = await spanWith({ [sc.ATTR_SPAN_KIND]: 'step', [OI.SPAN_KIND]: 'TOOL', [OI.TOOL_NAME]: 'x' });
    expect(kindOf(span)).toBe('step');
    expect(recordsOf(span, 'tool')).toEqual([]);
  });

  it('Langfuse wins over OpenInference on the model; token counts merge count by count', async () => {
    const span = await spanWith({
      [L.OBSERVATION_TYPE]: 'generation',
      [L.OBSERVATION_MODEL]: 'gpt-4o',
      [L.OBSERVATION_USAGE_DETAILS]: '{"input":10,"output":5}',
      [OI.SPAN_KIND]: 'LLM',
      [OI.LLM_MODEL_NAME]: 'gpt-4o-2024-08-06',
      [OI.LLM_TOKEN_COUNT_PROMPT]: 999,
      [OI.LLM_TOKEN_COUNT_PROMPT_CACHE_READ]: 4,
    });
    expect(oneOf(span, 'generation')).toMatchObject({ model: 'gpt-4o', usage: { input: 10, output: 5, cached: 4, total: 15 } });
  });

  it('the Langfuse observation type wins the kind over a GenAI chat operation', async () => {
    const span = await spanWith({ [L.OBSERVATION_TYPE]: 'tool', [G.OPERATION_NAME]: 'chat', [G.REQUEST_MODEL]: 'm' }, { name: 'lookup' });
    expect(kindOf(span)).toBe('tool');
    expect(recordsOf(span, 'generation')).toEqual([]);
  });

  it('OpenInference wins over GenAI on the tool name and the session id', async () => {
    const span = await spanWith({
      [OI.SPAN_KIND]: 'TOOL',
      [OI.TOOL_NAME]: 'oi_name',
      [OI.SESSION_ID]: 'oi-session',
      [G.OPERATION_NAME]: 'execute_tool',
      [G.TOOL_NAME]: 'genai_name',
      [G.CONVERSATION_ID]: 'genai-conversation',
    });
    expect(oneOf(span, 'tool').toolName).toBe('oi_name');
    expect(oneOf(span, 'trace').sessionId).toBe('oi-session');
  });

  it('GenAI wins over the Vercel names on a doGenerate span, which carries both', async () => {
    const span = await spanWith(
      {
        [V.OPERATION_ID]: 'ai.generateText.doGenerate',
        [V.RESPONSE_MODEL]: 'vercel-model',
        [V.USAGE_INPUT_TOKENS]: 1,
        [V.USAGE_OUTPUT_TOKENS]: 2,
        [V.USAGE_CACHED_INPUT_TOKENS]: 1,
        [G.RESPONSE_MODEL]: 'genai-model',
        [G.USAGE_INPUT_TOKENS]: 10,
        [G.USAGE_OUTPUT_TOKENS]: 20,
      },
      { nested: true },
    );
    expect(oneOf(span, 'generation')).toMatchObject({ model: 'genai-model', usage: { input: 10, output: 20, total: 30, cached: 1 } });
  });

  it('Vercel metadata wins over OpenLLMetry association properties for the session', async () => {
    const span = await spanWith(
      {
        [V.OPERATION_ID]: 'ai.toolCall',
        [`${V.METADATA_PREFIX}sessionId`]: 'vercel-session',
        [`${T.ASSOCIATION_PROPERTIES_PREFIX}session_id`]: 'traceloop-session',
        [T.SPAN_KIND]: 'tool',
        [T.ENTITY_NAME]: 'traceloop-tool',
        [V.TOOL_CALL_NAME]: 'vercel-tool',
      },
      { nested: true },
    );
    expect(oneOf(span, 'trace').sessionId).toBe('vercel-session');
    expect(oneOf(span, 'tool').toolName).toBe('vercel-tool');
  });

  it('an explicit total from a later convention wins over the sum of an earlier one’s counts', async () => {
    const span = await spanWith({
      [G.OPERATION_NAME]: 'chat',
      [G.USAGE_INPUT_TOKENS]: 3,
      [G.USAGE_OUTPUT_TOKENS]: 4,
      [T.LLM_USAGE_TOTAL_TOKENS]: 12, // e.g. includes tokens the provider counts elsewhere
    });
    expect(oneOf(span, 'generation').usage).toMatchObject({ input: 3, output: 4, total: 12 });
  });
});
