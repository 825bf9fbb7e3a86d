import { PostgresExporter } from '@mini-agent/exporter-postgres';
import { recordSpans } from '@mini-agent/test-support';
import { context, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type Dashboard } from '../src/index.js';
import { BACKENDS, type DashboardDb } from './backends.js';

// A model answer asking for two tools, one of which the agent ran: real SDK spans with the GenAI
// attributes, stored by the real PostgresExporter, read back by the session page.
const OUTPUT = JSON.stringify([
  { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_weather', name: 'get_weather', arguments: { city: 'Paris' } }, { type: 'tool_call', id: 'call_news', name: 'get_news' }] },
]);

const backend = BACKENDS[0]!;
describe('the session page lists, on each LLM call, the tools its answer asked for', () => {
  let db: DashboardDb;
  let dashboard: Dashboard;
  let traceId: string;
  let toolSpanId: string;

  beforeAll(async () => {
    db = await backend.create();
    const spans = await recordSpans((tracer) => {
      const session = tracer.startSpan('weather', { attributes: { 'mini_agent.span.kind': 'session', 'mini_agent.session.id': 'links' } });
      context.with(trace.setSpan(context.active(), session), () => {
        tracer.startSpan('chat gpt-4o', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.output.messages': OUTPUT } }).end();
        tracer.startSpan('execute_tool get_weather', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'get_weather', 'gen_ai.tool.call.id': 'call_weather' } }).end();
      });
      session.end();
    });
    traceId = spans[0]!.spanContext().traceId;
    toolSpanId = spans.find((s) => s.name.startsWith('execute_tool'))!.spanContext().spanId;
    const exporter = new PostgresExporter(db.options);
    await exporter.exportSpans(spans);
    await exporter.shutdown();
    dashboard = await startDashboard({ ...db.options, port: 0 });
  });
  afterAll(async () => {
    await dashboard?.close();
    await db?.close();
  });

  it('links the tool that ran to its span and marks the call no tool answered', async () => {
    const page = await (await fetch(new URL(`/sessions/${traceId}`, dashboard.url))).text();
    const row = page.slice(page.indexOf('<section id="llm-calls">'), page.indexOf('</section>', page.indexOf('<section id="llm-calls">')));
    expect(row).toContain('<th>Tools called</th>');
    expect(row).toContain(`<a href="#span-${toolSpanId}" data-call-id="call_weather">get_weather</a>`);
    expect(row).toContain('<span class="muted" data-call-id="call_news">call_news (not run)</span>');
  });

  it('is the generation_tool_calls view any SQL client reads', async () => {
    expect(await db.query('SELECT call_id, tool_name, session_id FROM mini_agent_observability.generation_tool_calls WHERE trace_id = $1 ORDER BY call_index', [traceId])).toEqual([
      { call_id: 'call_weather', tool_name: 'get_weather', session_id: 'links' },
      { call_id: 'call_news', tool_name: null, session_id: 'links' },
    ]);
  });
});
