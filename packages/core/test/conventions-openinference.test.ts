import { OpenInferenceAttributes as OI } from '@mini-agent/semconv';
import { describe, expect, it } from 'vitest';
import { failed, kindOf, oneOf, spanWith } from './convention-spans.js';

describe('OpenInference spans', () => {
  it('a TOOL span becomes a tool execution: tool.name, input.value, output.value', async () => {
    const span = await spanWith(
      {
        [OI.SPAN_KIND]: 'TOOL',
        [OI.TOOL_NAME]: 'lookup_order',
        [OI.INPUT_VALUE]: '{"order_id":"A-17"}',
        [OI.OUTPUT_VALUE]: 'shipped',
        [OI.TOOL_PARAMETERS]: '{"type":"object"}',
      },
      { status: failed('timeout') },
    );
    expect(oneOf(span, 'tool')).toMatchObject({
      toolName: 'lookup_order',
      input: { order_id: 'A-17' },
      output: 'shipped',
      success: false,
      errorMessage: 'timeout',
    });
  });

  it('an LLM span becomes a generation: flattened messages rebuilt, model, provider, parameters and every token count', async () => {
    const span = await spanWith({
      [OI.SPAN_KIND]: 'LLM',
      [OI.LLM_MODEL_NAME]: 'gpt-4o-mini-2024-07-18',
      [OI.LLM_PROVIDER]: 'openai',
      [OI.LLM_INVOCATION_PARAMETERS]: '{"model":"gpt-4o-mini","temperature":0}',
      'llm.input_messages.0.message.role': 'system',
      'llm.input_messages.0.message.content': 'be brief',
      'llm.input_messages.1.message.role': 'user',
      'llm.input_messages.1.message.content': 'weather in Paris?',
      'llm.output_messages.0.message.role': 'assistant',
      'llm.output_messages.0.message.tool_calls.0.tool_call.function.name': 'get_weather',
      'llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments': '{"city":"Paris"}',
      [OI.LLM_TOKEN_COUNT_PROMPT]: 50,
      [OI.LLM_TOKEN_COUNT_COMPLETION]: 12,
      [OI.LLM_TOKEN_COUNT_TOTAL]: 62,
      [OI.LLM_TOKEN_COUNT_PROMPT_CACHE_READ]: 32,
      [OI.LLM_TOKEN_COUNT_PROMPT_CACHE_WRITE]: 6,
      [OI.LLM_TOKEN_COUNT_COMPLETION_REASONING]: 4,
    });
    expect(oneOf(span, 'generation')).toMatchObject({
      model: 'gpt-4o-mini-2024-07-18',
      provider: 'openai',
      modelParameters: { model: 'gpt-4o-mini', temperature: 0 },
      input: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'weather in Paris?' },
      ],
      output: [{ role: 'assistant', tool_calls: [{ function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] }],
      usage: { input: 50, output: 12, total: 62, cached: 32, cacheCreation: 6, reasoning: 4 },
    });
  });

  it('an LLM span without flattened messages keeps input.value / output.value', async () => {
    const span = await spanWith({ [OI.SPAN_KIND]: 'LLM', [OI.INPUT_VALUE]: 'raw prompt', [OI.OUTPUT_VALUE]: 'raw answer' });
    expect(oneOf(span, 'generation')).toMatchObject({ input: 'raw prompt', output: 'raw answer' });
  });

  it('an AGENT span is the session: session.id, user.id, agent.name, tags, input and output', async () => {
    const span = await spanWith({
      [OI.SPAN_KIND]: 'AGENT',
      [OI.SESSION_ID]: 'thread-4',
      [OI.USER_ID]: 'ada',
      [OI.AGENT_NAME]: 'travel-planner',
      [OI.TAG_TAGS]: ['prod'],
      [OI.INPUT_VALUE]: 'plan a trip',
      [OI.OUTPUT_VALUE]: '{"days":3}',
    });
    expect(kindOf(span)).toBe('session');
    expect(oneOf(span, 'trace')).toMatchObject({
      complete: true,
      sessionId: 'thread-4',
      userId: 'ada',
      agentName: 'travel-planner',
      tags: ['prod'],
      input: 'plan a trip',
      output: { days: 3 },
    });
  });

  it('CHAIN and RETRIEVER spans are steps', async () => {
    expect(kindOf(await spanWith({ [OI.SPAN_KIND]: 'CHAIN' }))).toBe('step');
    expect(kindOf(await spanWith({ [OI.SPAN_KIND]: 'RETRIEVER' }))).toBe('step');
  });
});
