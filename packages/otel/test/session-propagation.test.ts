import { PropagatedAttributesProcessor } from '@mini-agent/core';
import { trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { withSession, withTool } from '../src/index.js';
import { useInMemoryTracing } from './in-memory-tracing.js';

const tracing = useInMemoryTracing([new PropagatedAttributesProcessor()]);

describe('inside withSession()', () => {
  it('every span started, by the helpers or any other tracer, carries the session’s id, user, agent, tags and name', async () => {
    await withSession({ name: 'triage', sessionId: 's-1', userId: 'u-1', agentName: 'triager', agentVersion: '4.2.0', tags: ['ops'] }, async () => {
      await withTool({ name: 'grep', category: 'core' }, () => 'found');
      trace.getTracer('some-http-instrumentation').startSpan('GET /status').end();
    });
    const expected = {
      'mini_agent.session.id': 's-1',
      'mini_agent.user.id': 'u-1',
      'mini_agent.agent.name': 'triager',
      'mini_agent.agent.version': '4.2.0',
      'mini_agent.session.tags': ['ops'],
      'mini_agent.session.name': 'triage',
    };
    expect(tracing.span('execute_tool grep').attributes).toMatchObject(expected);
    expect(tracing.span('GET /status').attributes).toMatchObject(expected);
  });

  it('an inner session wins for its own spans; spans after the session carry nothing', async () => {
    await withSession({ name: 'outer', sessionId: 'outer' }, () =>
      withSession({ name: 'inner', sessionId: 'inner' }, () => trace.getTracer('x').startSpan('in inner').end()),
    );
    trace.getTracer('x').startSpan('after').end();
    expect(tracing.span('in inner').attributes).toMatchObject({ 'mini_agent.session.id': 'inner', 'mini_agent.session.name': 'inner' });
    expect(tracing.span('inner').attributes['mini_agent.session.id']).toBe('inner');
    expect(tracing.span('after').attributes).toEqual({});
  });
});
