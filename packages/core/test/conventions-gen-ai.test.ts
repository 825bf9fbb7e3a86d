import { GenAiAttributes as G, McpAttributes } from '@mini-agent/semconv';
import { describe, expect, it } from 'vitest';
import { kindOf, oneOf, recordsOf, spanWith } from './convention-spans.js';

describe('OTel GenAI spans', () => {
  it('an execute_tool span becomes a tool execution with its arguments and result', async () => {
    const span = await spanWith({
      [G.OPERATION_NAME]: 'execute_tool',
      [G.TOOL_NAME]: 'get_weather',
      [G.TOOL_CALL_ID]: 'call_1',
      [G.TOOL_CALL_ARGUMENTS]: '{"location":"Paris"}',
      [G.TOOL_CALL_RESULT]: '{"conditions":"sunny"}',
    });
    expect(oneOf(span, 'tool')).toMatchObject({
      toolName: 'get_weather',
      category: 'other',
      input: { location: 'Paris' },
      output: { conditions: 'sunny' },
    });
  });

  it('an MCP tools/call span is a tool of category mcp', async () => {
    const span = await spanWith(
      {
        [McpAttributes.METHOD_NAME]: 'tools/call',
        [McpAttributes.SESSION_ID]: 'mcp-sess-1',
        [G.TOOL_NAME]: 'read_file',
        [G.TOOL_CALL_ARGUMENTS]: '{"path":"README.md"}',
      },
      { name: 'tools/call read_file' },
    );
    expect(oneOf(span, 'tool')).toMatchObject({
      toolName: 'read_file',
      category: 'mcp',
      input: { path: 'README.md' },
      metadata: { mcp_session_id: 'mcp-sess-1' },
    });
  });

  it('other MCP methods (tools/list) are steps', async () => {
    const span = await spanWith({ [McpAttributes.METHOD_NAME]: 'tools/list' });
    expect(kindOf(span)).toBe('step');
    expect(recordsOf(span, 'tool')).toEqual([]);
  });

  it('an invoke_agent span is the session: conversation id, agent name and version, messages as input/output', async () => {
    const span = await spanWith({
      [G.OPERATION_NAME]: 'invoke_agent',
      [G.CONVERSATION_ID]: 'conv_5j66',
      [G.AGENT_NAME]: 'Math Tutor',
      [G.AGENT_VERSION]: '2025-05-01',
      [G.INPUT_MESSAGES]: '[{"role":"user","parts":[{"type":"text","content":"2+2?"}]}]',
      [G.OUTPUT_MESSAGES]: '[{"role":"assistant","parts":[{"type":"text","content":"4"}]}]',
    });
    expect(oneOf(span, 'trace')).toMatchObject({
      complete: true,
      sessionId: 'conv_5j66',
      agentName: 'Math Tutor',
      agentVersion: '2025-05-01',
      input: [{ role: 'user', parts: [{ type: 'text', content: '2+2?' }] }],
      output: [{ role: 'assistant', parts: [{ type: 'text', content: '4' }] }],
    });
    expect(recordsOf(span, 'generation')).toEqual([]);
  });

  it('a chat span becomes a generation with cached and reasoning tokens, and a total when none was given', async () => {
    const span = await spanWith({
      [G.OPERATION_NAME]: 'chat',
      [G.PROVIDER_NAME]: 'anthropic',
      [G.REQUEST_MODEL]: 'claude-sonnet',
      [G.RESPONSE_MODEL]: 'claude-sonnet-20260101',
      [G.REQUEST_TEMPERATURE]: 0.5,
      [G.USAGE_INPUT_TOKENS]: 100,
      [G.USAGE_OUTPUT_TOKENS]: 20,
      [G.USAGE_CACHE_READ_INPUT_TOKENS]: 60,
      [G.USAGE_REASONING_OUTPUT_TOKENS]: 8,
    });
    expect(oneOf(span, 'generation')).toMatchObject({
      model: 'claude-sonnet-20260101',
      provider: 'anthropic',
      modelParameters: { temperature: 0.5 },
      usage: { input: 100, output: 20, total: 120, cached: 60, cacheCreation: null, reasoning: 8 },
    });
  });

  it('cache creation tokens, and the provider from gen_ai.provider.name before the deprecated gen_ai.system', async () => {
    const span = await spanWith({
      [G.OPERATION_NAME]: 'chat',
      [G.PROVIDER_NAME]: 'anthropic',
      [G.SYSTEM]: 'legacy-name',
      [G.REQUEST_MODEL]: 'claude-opus',
      [G.USAGE_INPUT_TOKENS]: 1200,
      [G.USAGE_OUTPUT_TOKENS]: 80,
      [G.USAGE_CACHE_READ_INPUT_TOKENS]: 200,
      [G.USAGE_CACHE_CREATION_INPUT_TOKENS]: 900,
    });
    expect(oneOf(span, 'generation')).toMatchObject({
      provider: 'anthropic',
      usage: { input: 1200, output: 80, total: 1280, cached: 200, cacheCreation: 900, reasoning: null },
    });
    const older = await spanWith({ [G.OPERATION_NAME]: 'chat', [G.SYSTEM]: 'openai', [G.REQUEST_MODEL]: 'gpt-4o' });
    expect(oneOf(older, 'generation')).toMatchObject({ provider: 'openai', usage: { cacheCreation: null } });
  });

  it('the time to first chunk (seconds after the request) becomes the completion start time, under either name', async () => {
    for (const key of [G.RESPONSE_TIME_TO_FIRST_CHUNK, G.CLIENT_OPERATION_TIME_TO_FIRST_CHUNK]) {
      const span = await spanWith({ [G.OPERATION_NAME]: 'chat', [G.REQUEST_MODEL]: 'gpt-5', [key]: 0.25 });
      const generation = oneOf(span, 'generation');
      expect(generation.completionStartTime!.getTime() - generation.startTime.getTime()).toBeCloseTo(250, 0);
    }
    const noStream = await spanWith({ [G.OPERATION_NAME]: 'chat', [G.REQUEST_MODEL]: 'gpt-5' });
    expect(oneOf(noStream, 'generation').completionStartTime).toBeNull();
    const negative = await spanWith({ [G.OPERATION_NAME]: 'chat', [G.REQUEST_MODEL]: 'gpt-5', [G.RESPONSE_TIME_TO_FIRST_CHUNK]: -1 });
    expect(oneOf(negative, 'generation').completionStartTime).toBeNull();
  });

  it("a tool's call id and type land in their own fields", async () => {
    const span = await spanWith(
      { [G.OPERATION_NAME]: 'execute_tool', [G.TOOL_NAME]: 'web_search', [G.TOOL_CALL_ID]: 'toolu_01', [G.TOOL_TYPE]: 'extension' },
      { nested: true },
    );
    expect(oneOf(span, 'tool')).toMatchObject({ toolName: 'web_search', callId: 'toolu_01', toolType: 'extension' });
    const bare = await spanWith({ [G.OPERATION_NAME]: 'execute_tool', [G.TOOL_NAME]: 'grep' }, { nested: true });
    expect(oneOf(bare, 'tool')).toMatchObject({ callId: null, toolType: null });
  });

  it('an invoke_workflow span is the session, like invoke_agent', async () => {
    const span = await spanWith(
      { [G.OPERATION_NAME]: 'invoke_workflow', [G.CONVERSATION_ID]: 'conv-9', [G.INPUT_MESSAGES]: '[{"role":"user","parts":[]}]' },
      { name: 'invoke_workflow triage' },
    );
    expect(kindOf(span)).toBe('session');
    expect(oneOf(span, 'trace')).toMatchObject({ complete: true, sessionId: 'conv-9', name: 'invoke_workflow triage', input: [{ role: 'user', parts: [] }] });
  });

  it('a create_agent span is a step that names the agent, not an LLM call, though it carries a model', async () => {
    const span = await spanWith(
      { [G.OPERATION_NAME]: 'create_agent', [G.AGENT_NAME]: 'Math Tutor', [G.AGENT_VERSION]: 'v3', [G.REQUEST_MODEL]: 'gpt-5' },
      { name: 'create_agent Math Tutor', nested: true },
    );
    expect(kindOf(span)).toBe('step');
    expect(recordsOf(span, 'generation')).toEqual([]);
    expect(oneOf(span, 'trace')).toMatchObject({ complete: false, agentName: 'Math Tutor', agentVersion: 'v3' });
  });

  // Hand-built spans with the attributes @ai-sdk/otel 1.0 (AI SDK 7) writes, so this runs on every
  // Node line; the SDK itself (Node >= 22) is run in examples/instrumentations/test/ai-sdk-7.test.ts.
  it('a GenAI agent run as AI SDK 7 shapes it: invoke_agent is the session named after functionId, agent_step a step, chat and execute_tool land', async () => {
    const agent = await spanWith(
      { [G.OPERATION_NAME]: 'invoke_agent', [G.PROVIDER_NAME]: 'openai', [G.REQUEST_MODEL]: 'gpt-5', [G.AGENT_NAME]: 'travel-agent' },
      { name: 'invoke_agent travel-agent' },
    );
    expect(oneOf(agent, 'trace')).toMatchObject({ complete: true, agentName: 'travel-agent', name: 'invoke_agent travel-agent' });
    expect(recordsOf(agent, 'generation')).toEqual([]);
    expect(kindOf(await spanWith({ [G.OPERATION_NAME]: 'agent_step' }, { nested: true }))).toBe('step');

    const chat = await spanWith(
      {
        [G.OPERATION_NAME]: 'chat',
        [G.PROVIDER_NAME]: 'openai',
        [G.REQUEST_MODEL]: 'gpt-5',
        [G.RESPONSE_MODEL]: 'gpt-5-2026-08-01',
        [G.USAGE_INPUT_TOKENS]: 300,
        [G.USAGE_OUTPUT_TOKENS]: 40,
        [G.USAGE_CACHE_READ_INPUT_TOKENS]: 256,
        [G.USAGE_CACHE_CREATION_INPUT_TOKENS]: 0,
      },
      { name: 'chat gpt-5', nested: true },
    );
    expect(oneOf(chat, 'generation')).toMatchObject({ model: 'gpt-5-2026-08-01', provider: 'openai', usage: { input: 300, output: 40, total: 340, cached: 256, cacheCreation: 0 } });

    const tool = await spanWith(
      {
        [G.OPERATION_NAME]: 'execute_tool',
        [G.TOOL_NAME]: 'weather',
        [G.TOOL_CALL_ID]: 'call-1',
        [G.TOOL_TYPE]: 'function',
        [G.TOOL_CALL_ARGUMENTS]: '{"city":"Paris"}',
        [G.TOOL_CALL_RESULT]: '{"conditions":"sunny"}',
      },
      { name: 'execute_tool weather', nested: true },
    );
    expect(oneOf(tool, 'tool')).toMatchObject({ toolName: 'weather', callId: 'call-1', toolType: 'function', input: { city: 'Paris' }, output: { conditions: 'sunny' } });
  });
});
