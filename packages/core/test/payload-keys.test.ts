import { recordSpans } from '@mini-agent/test-support';
import type { Attributes } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { interpret, type SpanRecord } from '../src/index.js';

/** The span record of one span with these attributes. */
async function spanRecord(attributes: Attributes): Promise<SpanRecord> {
  const [span] = await recordSpans((tracer) => tracer.startSpan('s', { attributes }).end());
  return interpret(span!).find((r): r is SpanRecord => r.type === 'span')!;
}

describe('interpret: which attributes hold a payload the typed record stores too', () => {
  it('names the attribute of each convention a tool payload came from', async () => {
    expect((await spanRecord({ 'mini_agent.tool.name': 't', 'mini_agent.tool.input': '{"a":1}', 'mini_agent.tool.output': 'done' })).payloadKeys)
      .toEqual({ input: 'mini_agent.tool.input', output: 'mini_agent.tool.output' });
    expect((await spanRecord({ 'openinference.span.kind': 'TOOL', 'tool.name': 't', 'input.value': '{"q":"x"}', 'output.value': 'y' })).payloadKeys)
      .toEqual({ input: 'input.value', output: 'output.value' });
    expect((await spanRecord({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 't', 'gen_ai.tool.call.arguments': '{}' })).payloadKeys)
      .toEqual({ input: 'gen_ai.tool.call.arguments' });
  });

  it('names the messages of an LLM call and the options of a decision', async () => {
    const messages = '[{"role":"user","parts":[{"type":"text","content":"hi"}]}]';
    expect((await spanRecord({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'm', 'gen_ai.input.messages': messages })).payloadKeys)
      .toEqual({ input: 'gen_ai.input.messages' });
    expect((await spanRecord({ 'mini_agent.span.kind': 'decision', 'mini_agent.decision.type': 'route', 'mini_agent.decision.options': '["a"]' })).payloadKeys)
      .toEqual({ options: 'mini_agent.decision.options' });
  });

  it('names nothing for a session (its trace row keeps only one session span\'s input) or a plain span', async () => {
    expect((await spanRecord({ 'mini_agent.span.kind': 'session', 'mini_agent.session.input': 'hello' })).payloadKeys).toEqual({});
    expect((await spanRecord({ 'app.input': 'x' })).payloadKeys).toEqual({});
  });

  it('names nothing when a convention built the payload from several attributes (no one attribute holds it)', async () => {
    const flattened = await spanRecord({
      'openinference.span.kind': 'LLM', 'llm.model_name': 'm',
      'llm.input_messages.0.message.role': 'user', 'llm.input_messages.0.message.content': 'hi',
    });
    expect(flattened.payloadKeys?.input).toBeUndefined();
  });
});
