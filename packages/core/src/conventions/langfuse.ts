import { LangfuseAttributes as L, LangfuseObservationTypes, LangfuseUsageKeys as U } from '@mini-agent/semconv';
import type { Attributes } from '@opentelemetry/api';
import { defined, firstStr, hasAny, jsonObject, strings, str, usageOf, type ConventionAdapter, type SpanFacts } from './facts.js';

/** Attributes of which at least one is on every span this adapter has something to say about. */
const MARKERS = [
  L.OBSERVATION_TYPE,
  L.SESSION_ID,
  L.USER_ID,
  L.TRACE_SESSION_ID,
  L.TRACE_USER_ID,
  L.TRACE_NAME,
  L.TRACE_INPUT,
  L.TRACE_OUTPUT,
  L.TRACE_TAGS,
  L.RELEASE,
  L.OBSERVATION_MODEL,
  L.OBSERVATION_MODEL_PARAMETERS,
  L.OBSERVATION_USAGE_DETAILS,
  L.OBSERVATION_COMPLETION_START_TIME,
  L.OBSERVATION_LEVEL,
];

/**
 * Langfuse's own attributes (`langfuse.observation.*`, `langfuse.trace.*`), as the Langfuse SDK
 * writes them: the observation type says the kind, and its input/output land on the tool, the
 * generation or the session depending on that type.
 */
export const langfuseAdapter: ConventionAdapter = {
  name: 'langfuse',
  read({ attributes: a }): SpanFacts {
    if (!hasAny(a, MARKERS)) return {};
    const type = str(a, L.OBSERVATION_TYPE);
    const kind = type === undefined ? undefined : LangfuseObservationTypes[type as keyof typeof LangfuseObservationTypes];
    const input = a[L.OBSERVATION_INPUT];
    const output = a[L.OBSERVATION_OUTPUT];
    return defined<SpanFacts>({
      kind,
      sessionId: firstStr(a, [L.SESSION_ID, L.TRACE_SESSION_ID]),
      userId: firstStr(a, [L.USER_ID, L.TRACE_USER_ID]),
      sessionName: str(a, L.TRACE_NAME),
      agentVersion: str(a, L.RELEASE),
      sessionInput: a[L.TRACE_INPUT] ?? (kind === 'session' ? input : undefined),
      sessionOutput: a[L.TRACE_OUTPUT] ?? (kind === 'session' ? output : undefined),
      tags: strings(a, L.TRACE_TAGS),
      toolInput: kind === 'tool' ? input : undefined,
      toolOutput: kind === 'tool' ? output : undefined,
      toolMetadata: kind === 'tool' ? observationMetadata(a) : undefined,
      model: str(a, L.OBSERVATION_MODEL),
      llmInput: kind === 'llm' ? input : undefined,
      llmOutput: kind === 'llm' ? output : undefined,
      modelParameters: jsonObject(a[L.OBSERVATION_MODEL_PARAMETERS]),
      usage: usageDetails(a[L.OBSERVATION_USAGE_DETAILS]),
      completionStartTime: completionStart(a[L.OBSERVATION_COMPLETION_START_TIME]),
      failure: str(a, L.OBSERVATION_LEVEL) === 'ERROR' ? (str(a, L.OBSERVATION_STATUS_MESSAGE) ?? 'ERROR') : undefined,
    });
  },
};

/**
 * Langfuse's usage buckets turned into totals: its `input` excludes the other `input_*` buckets
 * (cached tokens), while a generation row's input count includes them, as in the GenAI
 * conventions; the same for `output` and reasoning tokens.
 */
function usageDetails(raw: unknown): SpanFacts['usage'] {
  const details = jsonObject(raw);
  if (!details) return undefined;
  const count = (key: string) => (typeof details[key] === 'number' && Number.isFinite(details[key]) ? (details[key] as number) : undefined);
  const sum = (keys: string[]) => keys.reduce<number | undefined>((total, key) => (count(key) === undefined ? total : (total ?? 0) + count(key)!), undefined);
  const keys = Object.keys(details);
  const inputBuckets = keys.filter(
    (k) => k === U.INPUT || k.startsWith(`${U.INPUT}_`) || (U.CACHED as readonly string[]).includes(k) || (U.CACHE_CREATION as readonly string[]).includes(k),
  );
  const outputBuckets = keys.filter((k) => k === U.OUTPUT || k.startsWith(`${U.OUTPUT}_`));
  return usageOf({
    input: sum(inputBuckets),
    output: sum(outputBuckets),
    total: count(U.TOTAL),
    cached: sum(keys.filter((k) => (U.CACHED as readonly string[]).includes(k))),
    cacheCreation: sum(keys.filter((k) => (U.CACHE_CREATION as readonly string[]).includes(k))),
    reasoning: sum(keys.filter((k) => (U.REASONING as readonly string[]).includes(k))),
  });
}

/** `langfuse.observation.metadata` as one JSON object, or flattened as `.metadata.<key>`. */
function observationMetadata(a: Attributes): Record<string, unknown> | undefined {
  const metadata: Record<string, unknown> = { ...jsonObject(a[L.OBSERVATION_METADATA]) };
  const prefix = `${L.OBSERVATION_METADATA}.`;
  for (const [key, value] of Object.entries(a)) if (key.startsWith(prefix) && value !== undefined) metadata[key.slice(prefix.length)] = value;
  return Object.keys(metadata).length > 0 ? metadata : undefined;
}

/** The SDK serializes the Date with JSON.stringify, so the ISO string arrives in quotes. */
function completionStart(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || raw === '') return undefined;
  if (!raw.startsWith('"')) return raw;
  try {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}
