import type { SpanRecord } from '../records.js';

/**
 * Which spans a sink gets. A named preset:
 * - `all`: every span (the Postgres default).
 * - `agent` (the Langfuse default): what is about the agent. Spans a convention adapter
 *   recognized (session, tool, LLM, decision, explicit step), spans of known AI instrumentation
 *   scopes (OpenInference, OpenLLMetry, the Vercel AI SDK, Langfuse, ours) and the application's
 *   own plain spans are kept; HTTP and database spans, other OpenTelemetry auto-instrumentations
 *   (`infra`: fs, dns, RPC, messaging, web frameworks) and a model call's duplicate report are dropped.
 * - `ai-only`: only spans a convention adapter recognized and spans of AI instrumentation scopes.
 *
 * Or a predicate over the span's record: `true` keeps it. A thrown error keeps the span.
 */
export type SpanFilterOption = SpanFilterPreset | ((span: SpanRecord) => boolean);

/** The named presets of {@link SpanFilterOption}. */
export type SpanFilterPreset = 'all' | 'agent' | 'ai-only';

/** The filter's verdict on a span: `undefined` keeps it, a string is why it was dropped. */
export type SpanVerdict = (span: SpanRecord) => string | undefined;

/** What the `agent` preset leaves out. */
const NOISE = new Set<string | undefined>(['http', 'db', 'infra']);

/** The presets' names, for validating configuration. */
export const SPAN_FILTER_PRESETS: readonly SpanFilterPreset[] = ['all', 'agent', 'ai-only'];

/**
 * The verdict function of a filter option, or `undefined` for one that keeps everything (`all`,
 * no option), so that a sink that keeps everything pays nothing.
 *
 * @throws TypeError for an unknown preset name (a typo must not silently keep or drop everything).
 */
export function spanVerdict(option: SpanFilterOption | undefined): SpanVerdict | undefined {
  if (option === undefined || option === 'all') return undefined;
  if (typeof option === 'function') {
    return (span) => {
      try {
        return option(span) ? undefined : 'predicate';
      } catch {
        return undefined;
      }
    };
  }
  if (option === 'agent') return (span) => (span.duplicateOf ? 'duplicate' : NOISE.has(span.category) ? span.category : undefined);
  if (option === 'ai-only') return (span) => (span.duplicateOf ? 'duplicate' : span.category === 'agent' || span.category === 'ai' ? undefined : span.category);
  throw new TypeError(`unknown span filter preset ${JSON.stringify(option)}: use one of ${SPAN_FILTER_PRESETS.join(', ')}, or a function`);
}
