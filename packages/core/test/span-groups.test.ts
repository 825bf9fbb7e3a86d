// groupBySpan on real interpreted records: contiguous (as one interpret() call makes them) or not,
// every record lands in its span's group, and spans with one span id in two traces stay apart.
import { recordSpans } from '@mini-agent/test-support';
import { describe, expect, it } from 'vitest';
import { interpret, type AgentRecord } from '../src/index.js';
import { groupBySpan } from '../src/processing/span-groups.js';

async function twoToolSpans(): Promise<AgentRecord[][]> {
  const spans = await recordSpans((tracer) => {
    for (const name of ['grep', 'read_file']) tracer.startSpan(name, { attributes: { 'mini_agent.span.kind': 'tool', 'mini_agent.tool.name': name } }).end();
  });
  return spans.map((s) => interpret(s));
}

describe('groupBySpan', () => {
  it('groups interleaved records by span, in the order each span first appears', async () => {
    const [a, b] = await twoToolSpans();
    const interleaved = [a![0]!, b![0]!, ...a!.slice(1), ...b!.slice(1)];
    const groups = groupBySpan(interleaved);
    expect(groups.map((g) => g.records)).toEqual([[a![0], ...a!.slice(1)], b]);
    expect(groups.map((g) => g.key)).toEqual([`${a![0]!.traceId}/${a![0]!.spanId}`, `${b![0]!.traceId}/${b![0]!.spanId}`]);
    expect(groups.every((g) => g.span?.type === 'span')).toBe(true);
  });

  it('keeps apart two spans with the same span id in different traces, even back to back', async () => {
    const [a] = await twoToolSpans();
    const otherTrace = a!.map((r) => ({ ...r, traceId: 'f'.repeat(32) }) as AgentRecord);
    const groups = groupBySpan([...a!, ...otherTrace, a![0]!]);
    expect(groups).toHaveLength(2);
    expect(groups[0]!.records).toEqual([...a!, a![0]]);
    expect(groups[1]!.records).toEqual(otherTrace);
    expect(groups[1]!.traceId).toBe('f'.repeat(32));
  });
});
