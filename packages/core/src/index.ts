/**
 * `interpret()`: OpenTelemetry spans of AI agents → normalized records; the redaction and
 * sanitizing applied on the way; and the exporter plumbing every sink shares.
 *
 * @packageDocumentation
 */
export { interpret, Interpreter, type InterpretOptions } from './interpret.js';
export { InterpretingExporter, type ExporterStats, type InterpretingExporterOptions } from './exporter.js';
export { DeliveryError, type DeliveryErrorOptions, type RecordSink } from './sink.js';
export { SanitizeCounters, type SanitizeReason, type ScoreRejection } from './counters.js';
export { checkScore, type CheckedScore, type ScoreCheck, type ScoreInput } from './score.js';
export type { DirectScore, RejectedScore } from './score-records.js';
export { DEFAULT_SECRET_PATTERNS, looksLikeCredential, REDACTED, Redactor, type RedactionOptions, type SecretPattern } from './redact.js';
export { arrayTruncationMarker, CIRCULAR, DEFAULT_LIMITS, Sanitizer, TOO_DEEP, truncationMarker, type SanitizeLimits } from './sanitize.js';
export type { ConventionAdapter, SpanFacts } from './conventions/index.js';
export type * from './records.js';
export { CustomPrices, type CustomPrice } from './cost/custom-prices.js';
export { PRICE_LIBRARY, priceLibraryVersion } from './cost/price-library.js';
export type { GenerationCost, ReportedCost, UnpricedReason } from './cost/generation-cost.js';
export type { UsageByKind } from './cost/usage-by-kind.js';
export { DEFAULT_SPOOL_DIR, DeliveryPipeline, estimateBytes, type DeliveryOptions, type DeliveryStats } from './delivery/pipeline.js';
export { retryDelay, type RetryOptions } from './delivery/backoff.js';
export { FileSpool, type FileSpoolOptions, type SpoolAppendResult, type SpoolEntry, type SpoolFullPolicy, type SpoolPosition } from './delivery/spool.js';
export { jsonText, knownJsonText } from './json-text.js';
export { SPAN_FILTER_PRESETS, spanVerdict, type SpanFilterOption, type SpanFilterPreset, type SpanVerdict } from './processing/span-filter.js';
export { ReparentingFilter, type FilterStats, type ReparentingOptions } from './processing/reparenting-filter.js';
export { DuplicateGenerations, type DuplicateStats } from './processing/duplicate-generations.js';
export { TraceSampler, traceIdFraction, type SamplingOptions, type SamplingStats } from './processing/trace-sampler.js';
export { BAGGAGE_KEYS, dropInvalidIdentity, identityFromBaggage, isValidIdentity, MAX_IDENTITY_LENGTH, withIdentityBaggage } from './baggage.js';
export { categoryOf, isAiScope } from './span-category.js';
export { toolCallIdsIn } from './tool-call-ids.js';
export { getPropagatedAttributes, PropagatedAttributesProcessor, setPropagatedAttributes } from './propagated-attributes.js';
export { EXPORTER_METRICS, observeExporterStats } from './exporter-metrics.js';
export type { ReadableSpan, SpanExporter, SpanProcessor, TimedEvent } from './sdk/types.js';
export { installedVersion, loadPeer, MissingPeerError, type PeerRequire } from './sdk/peers.js';
