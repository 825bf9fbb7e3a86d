import type { SpanRecord } from '../records.js';

/**
 * Which spans a sink gets. A named preset:
 * - `all`: every span (the Postgres default).
 * - `agent`: what is about the agent: spans a convention adapter recognized (session, tool, LLM,
 *   decision, explicit step) and spans of known AI instrumentation scopes (OpenInference,
 *   OpenLLMetry, the Vercel AI SDK, Langfuse, ours); plain HTTP, database and other spans are
 *   dropped, and so are spans marked as duplicates of a model call (the Langfuse default).
 * - `no-http-db`: every span but plain HTTP and database spans (and duplicates).
 *
 * Or a predicate over the span's record: `true` keeps it. A thrown error keeps the span.
 */
export type SpanFilterOption = SpanFilterPreset | ((span: SpanRecord) => boolean);

/** The named presets of {@link SpanFilterOption}. */
export type SpanFilterPreset = 'all' | 'agent' | 'no-http-db';

/** The filter's verdict on a span: `undefined` keeps it, a string is why it was dropped. */
export type SpanVerdict = (span: SpanRecord) => string | undefined;

/** The presets' names, for validating configuration. */
export const SPAN_FILTER_PRESETS: readonly SpanFilterPreset[] = ['all', 'agent', 'no-http-db'];

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
  if (option === 'agent') return (span) => (span.duplicateOf ? 'duplicate' : span.category === 'agent' || span.category === 'ai' ? undefined : span.category);
  if (option === 'no-http-db') return (span) => (span.duplicateOf ? 'duplicate' : span.category === 'http' || span.category === 'db' ? span.category : undefined);
  throw new TypeError(`unknown span filter preset ${JSON.stringify(option)}: use one of ${SPAN_FILTER_PRESETS.join(', ')}, or a function`);
}
