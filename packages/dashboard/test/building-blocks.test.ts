import { describe, expect, it } from 'vitest';
import { isLoopback } from '../src/access.js';
import { bucketLabel } from '../src/html/components.js';
import { formatMs, formatPct } from '../src/html/format.js';
import { html, jsonScript, raw } from '../src/html/html.js';
import type { SpanRow, ToolRow } from '../src/queries/session-detail.js';
import { parseTimeWindow, sinceParam } from '../src/time-window.js';
import { buildWaterfall } from '../src/waterfall.js';

describe('html', () => {
  it('escapes every interpolated value, in text and in attributes', () => {
    const hostile = `<script>alert("x")</script>' onload='x`;
    expect(html`<td title="${hostile}">${hostile}</td>`.text).toBe(
      '<td title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onload=&#39;x">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onload=&#39;x</td>',
    );
    expect(html`<p>${[1, html`<b>${'&'}</b>`, null, false, undefined]}</p>`.text).toBe('<p>1<b>&amp;</b></p>');
    expect(html`${raw('<hr>')}`.text).toBe('<hr>');
  });

  it('puts JSON in a data block that no value can close', () => {
    const block = jsonScript('data', { note: '</script><script>alert(1)</script>', line: '\u2028' }).text;
    expect(block).not.toContain('</script><script>');
    expect(block.match(/<\/script>/g)).toHaveLength(1);
    const json = /<script type="application\/json" id="data">(.*)<\/script>/s.exec(block)![1]!;
    expect(JSON.parse(json)).toEqual({ note: '</script><script>alert(1)</script>', line: '\u2028' });
  });
});

describe('the time window of a page', () => {
  const now = new Date('2026-03-02T12:00:00Z');

  it('is the last 24 hours unless the address says otherwise', () => {
    expect(parseTimeWindow(new URLSearchParams(), now)).toMatchObject({ range: '24h', since: new Date('2026-03-01T12:00:00Z'), until: now });
    expect(parseTimeWindow(new URLSearchParams('range=all'), now)).toMatchObject({ range: 'all', since: null, until: now });
    // "All time" reaches SQL as the epoch, a time every driver's timestamptz serializer accepts (not `-infinity`).
    expect(sinceParam(parseTimeWindow(new URLSearchParams('range=all'), now))).toBe('1970-01-01T00:00:00.000Z');
    expect(parseTimeWindow(new URLSearchParams('range=toString'), now).range).toBe('24h');
  });

  it('takes an exact from/to, unless a named range is chosen too', () => {
    const exact = parseTimeWindow(new URLSearchParams('from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z'), now);
    expect(exact).toMatchObject({ range: 'custom', since: new Date('2026-01-01T00:00:00Z'), until: new Date('2026-01-02T00:00:00Z'), bucket: '1 hour' });
    expect(parseTimeWindow(new URLSearchParams('range=7d&from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z'), now).range).toBe('7d');
    expect(parseTimeWindow(new URLSearchParams('from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z'), now).range).toBe('24h');
  });
});

describe('printed figures', () => {
  it('print durations and rates the way people read them', () => {
    expect([formatMs(0.4213), formatMs(85.4), formatMs(1_250), formatMs(192_000), formatMs(null)]).toEqual(['0.42 ms', '85 ms', '1.25 s', '3.2 min', '—']);
    expect([formatPct(12.5), formatPct(100), formatPct(null)]).toEqual(['12.5 %', '100 %', '—']);
  });

  it('label histogram buckets by their bounds', () => {
    expect(bucketLabel({ lowerMs: null, upperMs: 1, count: 0 })).toBe('<1 ms');
    expect(bucketLabel({ lowerMs: 10, upperMs: 20, count: 0 })).toBe('10–20 ms');
    expect(bucketLabel({ lowerMs: 500, upperMs: 1_000, count: 0 })).toBe('500 ms–1 s');
    expect(bucketLabel({ lowerMs: 60_000, upperMs: null, count: 0 })).toBe('≥1 min');
  });
});

describe('loopback addresses', () => {
  it('are 127.0.0.0/8, ::1 and localhost, nothing else', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST'].map(isLoopback)).toEqual([true, true, true, true, true, true]);
    expect(['0.0.0.0', '::', '192.168.1.10', '127.example.com', 'localhost.evil.com'].map(isLoopback)).toEqual([false, false, false, false, false]);
  });
});

describe('the waterfall', () => {
  const t0 = Date.UTC(2026, 2, 2, 10);
  const span = (id: string, parent: string | null, start: number, end: number, kind = 'step'): SpanRow => ({
    span_id: id, parent_span_id: parent, name: id, kind, status: 'ok', status_message: null,
    started_at: new Date(t0 + start), ended_at: new Date(t0 + end), duration_ms: end - start, attributes: {}, events: [],
  });
  const tool = (id: string, parent: string, start: number, end: number): ToolRow => ({
    id, parent_span_id: parent, name: id, tool_name: id, category: 'core', input: null, output: null, success: false,
    error_message: 'boom', started_at: new Date(t0 + start), ended_at: new Date(t0 + end), duration_ms: end - start,
  });
  const empty = { tools: [], generations: [], decisions: [], metrics: [] };

  it('lists parents before children and siblings by start time, placed from the first start', () => {
    const w = buildWaterfall({ ...empty, spans: [span('b', 'root', 50, 60), span('root', null, 0, 100), span('a', 'root', 10, 40), span('a1', 'a', 20, 30)] });
    expect(w.nodes.map((n) => [n.spanId, n.depth, n.offsetMs])).toEqual([['root', 0, 0], ['a', 1, 10], ['a1', 2, 20], ['b', 1, 50]]);
    expect(w.totalMs).toBe(100);
  });

  it('keeps a span whose parent never arrived, as a root', () => {
    const w = buildWaterfall({ ...empty, spans: [span('orphan', 'lost', 5, 10), span('root', null, 0, 20)] });
    expect(w.nodes.map((n) => [n.spanId, n.depth])).toEqual([['root', 0], ['orphan', 0]]);
  });

  it('shows a tool row that has no span row, failed as the row says', () => {
    const w = buildWaterfall({ ...empty, spans: [span('root', null, 0, 20)], tools: [tool('t', 'root', 2, 4)] });
    expect(w.nodes.map((n) => [n.spanId, n.kind, n.status, n.depth])).toEqual([['root', 'step', 'ok', 0], ['t', 'tool', 'error', 1]]);
  });

  it('survives spans that name each other as parents', () => {
    const w = buildWaterfall({ ...empty, spans: [span('x', 'y', 0, 10), span('y', 'x', 1, 5)] });
    expect(w.nodes.map((n) => n.spanId).sort()).toEqual(['x', 'y']);
  });
});
