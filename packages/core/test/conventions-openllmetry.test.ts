import { OpenLlmetryAttributes as T } from '@mini-agent/semconv';
import { describe, expect, it } from 'vitest';
import { kindOf, oneOf, spanWith } from './convention-spans.js';

describe('OpenLLMetry (Traceloop) spans', () => {
  it('a traceloop tool span becomes a tool execution from traceloop.entity.*', async () => {
    const span = await spanWith(
      {
        [T.SPAN_KIND]: 'tool',
        [T.ENTITY_NAME]: 'fetch_page',
        [T.ENTITY_INPUT]: '{"args":[],"kwargs":{"url":"https://example.com"}}',
        [T.ENTITY_OUTPUT]: '"<html>"',
      },
      { name: 'fetch_page.tool', nested: true },
    );
    expect(oneOf(span, 'tool')).toMatchObject({
      toolName: 'fetch_page',
      category: 'other',
      input: { args: [], kwargs: { url: 'https://example.com' } },
      output: '<html>',
    });
  });

  it('a tool span of OpenLLMetry’s MCP instrumentation is category mcp', async () => {
    const span = await spanWith({ [T.SPAN_KIND]: 'tool', [T.ENTITY_NAME]: 'search', [T.MCP_REQUEST_ID]: '7' }, { nested: true });
    expect(oneOf(span, 'tool')).toMatchObject({ toolName: 'search', category: 'mcp' });
  });

  it('a workflow span is the session: association properties give session and user, the workflow name the trace name', async () => {
    const span = await spanWith({
      [T.SPAN_KIND]: 'workflow',
      [T.WORKFLOW_NAME]: 'joke_generator',
      [T.ENTITY_NAME]: 'joke_generator',
      [`${T.ASSOCIATION_PROPERTIES_PREFIX}session_id`]: 'sess-77',
      [`${T.ASSOCIATION_PROPERTIES_PREFIX}user_id`]: 'user-8',
      [T.ENTITY_OUTPUT]: '"a joke"',
    });
    expect(kindOf(span)).toBe('session');
    expect(oneOf(span, 'trace')).toMatchObject({ name: 'joke_generator', sessionId: 'sess-77', userId: 'user-8', output: 'a joke' });
  });

  it('an agent span is the session named after its entity; a task span is a step', async () => {
    const agent = await spanWith({ [T.SPAN_KIND]: 'agent', [T.ENTITY_NAME]: 'researcher' });
    expect(oneOf(agent, 'trace')).toMatchObject({ complete: true, agentName: 'researcher' });
    expect(kindOf(await spanWith({ [T.SPAN_KIND]: 'task' }, { nested: true }))).toBe('step');
  });

  it('an LLM span: indexed gen_ai.prompt/completion messages and the older usage names', async () => {
    const span = await spanWith({
      [T.LLM_REQUEST_TYPE]: 'chat',
      'gen_ai.system': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.prompt.0.role': 'user',
      'gen_ai.prompt.0.content': 'tell a joke',
      'gen_ai.completion.0.role': 'assistant',
      'gen_ai.completion.0.content': 'knock knock',
      'gen_ai.usage.prompt_tokens': 5,
      'gen_ai.usage.completion_tokens': 4,
      [T.LLM_USAGE_TOTAL_TOKENS]: 10,
      [T.USAGE_CACHE_READ_INPUT_TOKENS]: 2,
      [T.USAGE_CACHE_CREATION_INPUT_TOKENS]: 3,
      [T.USAGE_REASONING_TOKENS]: 1,
    });
    expect(oneOf(span, 'generation')).toMatchObject({
      model: 'gpt-4o',
      provider: 'openai',
      input: [{ role: 'user', content: 'tell a joke' }],
      output: [{ role: 'assistant', content: 'knock knock' }],
      // The explicit total wins over input + output.
      usage: { input: 5, output: 4, total: 10, cached: 2, cacheCreation: 3, reasoning: 1 },
    });
  });
});
