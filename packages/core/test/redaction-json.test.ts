import { ATTR_SPAN_KIND, ATTR_TOOL_INPUT, ATTR_TOOL_NAME, ATTR_TOOL_OUTPUT } from '@mini-agent/semconv';
import { recordSpans } from '@mini-agent/test-support';
import { describe, expect, it } from 'vitest';
import { Interpreter, jsonText, REDACTED, type ToolExecutionRecord } from '../src/index.js';

const KEY = 'sk-proj-Q7vX2mN9pL4kR8tW1zY6cB3dF5gH0jKa';

async function toolRecord(input: string, output = 'ok'): Promise<{ tool: ToolExecutionRecord; raw: string }> {
  const [span] = await recordSpans((tracer) =>
    tracer.startSpan('tool', { attributes: { [ATTR_SPAN_KIND]: 'tool', [ATTR_TOOL_NAME]: 'fetch', [ATTR_TOOL_INPUT]: input, [ATTR_TOOL_OUTPUT]: output } }).end(),
  );
  const records = new Interpreter().interpret(span!);
  const spanRecord = records.find((r) => r.type === 'span');
  return {
    tool: records.find((r): r is ToolExecutionRecord => r.type === 'tool')!,
    raw: JSON.stringify(spanRecord?.type === 'span' ? spanRecord.attributes[ATTR_TOOL_INPUT] : null),
  };
}

describe('a JSON tool input is masked however it is written', () => {
  it('a key hidden behind a JSON escape is masked once parsed', async () => {
    const escaped = KEY.replace('s', '\\u0073');
    const { tool } = await toolRecord(`{"note": "use ${escaped} here", "path": "/srv/${'x'.repeat(300)}"}`);
    expect(JSON.stringify(tool.input)).not.toContain(KEY.slice(3));
    expect((tool.input as { note: string }).note).toContain(REDACTED);
  });

  it('a value under a secret name is masked even when the JSON text holds nothing secret-shaped', async () => {
    const input = JSON.stringify({ cookie: 'session=abc123', path: `/srv/${'data/'.repeat(80)}`, nested: { Authorization: 'plain' } });
    const { tool } = await toolRecord(input);
    expect(tool.input).toEqual({ cookie: REDACTED, path: `/srv/${'data/'.repeat(80)}`, nested: { Authorization: REDACTED } });
  });

  it('a long clean input arrives whole, as the attribute and as the parsed input', async () => {
    const value = { query: 'quarterly revenue by region', rows: Array.from({ length: 40 }, (_, i) => ({ id: i, text: `row ${i} of the report` })) };
    const input = JSON.stringify(value);
    const { tool, raw } = await toolRecord(input, input);
    expect(tool.input).toEqual(value);
    expect(tool.output).toEqual(value);
    expect(raw).toBe(JSON.stringify(input));
  });

  it('a key in a long input is masked in the attribute and in the parsed input alike', async () => {
    const input = JSON.stringify({ text: `${'padding '.repeat(40)} key ${KEY}`, path: '/srv/data' });
    const { tool, raw } = await toolRecord(input);
    expect(raw).not.toContain(KEY);
    expect(JSON.stringify(tool.input)).not.toContain(KEY);
  });
});

describe('the JSON text the sinks send for a parsed input', () => {
  it('is the text the input came in when sanitizing changed nothing', async () => {
    // Spaces after the colons: a text JSON.stringify would not make, so reuse is visible.
    const input = '{"path": "/srv/notes.md", "limit": 20, "filters": ["region:eu"]}';
    const { tool } = await toolRecord(input);
    expect(jsonText(tool.input)).toBe(input);
    expect(JSON.parse(jsonText(tool.input))).toEqual(tool.input);
  });

  it('is made from the sanitized value when anything was masked, so the secret never comes back', async () => {
    const input = `{"note": "use ${KEY} here", "password": "hunter2", "path": "/srv/a"}`;
    const { tool } = await toolRecord(input);
    const text = jsonText(tool.input);
    expect(text).not.toContain(KEY);
    expect(text).not.toContain('hunter2');
    expect(JSON.parse(text)).toEqual(tool.input);
  });

  it('is made from the sanitized value when a NUL byte was replaced', async () => {
    const { tool } = await toolRecord('{"path": "/srv/a\\u0000b"}');
    expect(jsonText(tool.input)).toBe(JSON.stringify({ path: '/srv/a\uFFFDb' }));
  });
});
