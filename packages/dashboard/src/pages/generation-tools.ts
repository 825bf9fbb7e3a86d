import { html, join, type SafeHtml } from '../html/html.js';
import type { GenerationToolCall } from '../queries/generation-tool-calls.js';

/**
 * The cell of a generation row listing the tools its output asked for: each links to the tool's
 * span on the page; a call no tool span answered shows its call id, marked as not run.
 */
export function generationToolsCell(calls: readonly GenerationToolCall[] | undefined): SafeHtml {
  if (!calls || calls.length === 0) return html`<td class="tools-called muted">–</td>`;
  return html`<td class="tools-called">${join(calls, (c) =>
    c.tool_span_id
      ? html`<a href="#span-${c.tool_span_id}" data-call-id="${c.call_id}"${c.tool_success === false ? html` class="failed"` : ''}>${c.tool_name ?? c.call_id}</a>`
      : html`<span class="muted" data-call-id="${c.call_id}">${c.call_id} (not run)</span>`,
  ', ')}</td>`;
}
