import { context } from '@opentelemetry/api';
import { recordSpans } from '@mini-agent/test-support';
import { describe, expect, it } from 'vitest';
import { getPropagatedAttributes, interpret, PropagatedAttributesProcessor, setPropagatedAttributes } from '../src/index.js';

const SESSION = { 'mini_agent.session.id': 'chat-42', 'mini_agent.user.id': 'user-7', 'mini_agent.session.tags': ['demo'] };

describe('attributes propagated through the context', () => {
  it('land on every span started inside, by any tracer, and the span’s own value of a key wins', async () => {
    const spans = await recordSpans(
      (tracer) =>
        context.with(setPropagatedAttributes(context.active(), SESSION), () => {
          tracer.startSpan('http GET').end();
          tracer.startSpan('own user', { attributes: { 'mini_agent.user.id': 'someone-else' } }).end();
        }),
      undefined,
      [new PropagatedAttributesProcessor()],
    );
    const byName = (name: string) => spans.find((s) => s.name === name)!;
    expect(byName('http GET').attributes).toMatchObject(SESSION);
    expect(byName('own user').attributes).toMatchObject({ 'mini_agent.session.id': 'chat-42', 'mini_agent.user.id': 'someone-else' });
  });

  it('leave spans outside alone, and an inner block overrides the outer one key by key', async () => {
    const outer = setPropagatedAttributes(context.active(), SESSION);
    const inner = setPropagatedAttributes(outer, { 'mini_agent.session.id': 'inner', 'ignored.undefined': undefined });
    expect(getPropagatedAttributes(inner)).toEqual({ ...SESSION, 'mini_agent.session.id': 'inner' });
    expect(getPropagatedAttributes(context.active())).toEqual({});
    const spans = await recordSpans((tracer) => tracer.startSpan('outside').end(), undefined, [new PropagatedAttributesProcessor()]);
    expect(Object.keys(spans[0]!.attributes)).toEqual([]);
  });

  it('let interpret() give a child span the session’s ids, tags and name before the session span arrives', async () => {
    const [child] = await recordSpans(
      (tracer) =>
        context.with(setPropagatedAttributes(context.active(), { ...SESSION, 'mini_agent.session.name': 'fix the test' }), () =>
          tracer.startSpan('execute_tool run_tests', { attributes: { 'mini_agent.tool.name': 'run_tests' } }).end(),
        ),
      undefined,
      [new PropagatedAttributesProcessor()],
    );
    const trace = interpret(child!).find((r) => r.type === 'trace');
    expect(trace).toMatchObject({ complete: false, sessionId: 'chat-42', userId: 'user-7', tags: ['demo'], name: 'fix the test' });
  });
});
