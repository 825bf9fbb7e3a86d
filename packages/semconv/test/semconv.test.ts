import { describe, expect, it } from 'vitest';
import * as semconv from '../src/index.js';

describe('the mini_agent.* contract', () => {
  it('names every attribute and event under the mini_agent. prefix, each once', () => {
    const names = Object.entries(semconv)
      .filter(([key]) => key.startsWith('ATTR_') || key.startsWith('EVENT_'))
      .map(([, value]) => value as string);
    expect(names.length).toBe(31);
    for (const name of names) expect(name).toMatch(/^mini_agent\.[a-z_.]+$/);
    expect(new Set(names).size).toBe(names.length);
  });

  it('lists the span kinds and tool categories of the design', () => {
    expect(semconv.SPAN_KINDS).toEqual(['session', 'tool', 'decision', 'llm', 'step']);
    expect(semconv.TOOL_CATEGORIES).toEqual(['core', 'file', 'mcp', 'document', 'skill', 'other']);
    expect(semconv.isToolCategory('mcp')).toBe(true);
    expect(semconv.isToolCategory('database')).toBe(false);
    expect(semconv.isSpanKind('llm')).toBe(true);
    expect(semconv.isSpanKind(undefined)).toBe(false);
  });
});
