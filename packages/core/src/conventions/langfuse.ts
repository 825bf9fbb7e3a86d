import { LangfuseAttributes as L, LangfuseObservationTypes, LangfuseUsageKeys as U } from '@mini-agent/semconv';
import type { Attributes } from '@opentelemetry/api';
import { defined, firstStr, hasAny, jsonObject, reportedCostOf, strings, str, usageOf, type ConventionAdapter, type SpanFacts } from './facts.js';

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
  L.OBSERVATION_COST_DETAILS,
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
      cost: costDetails(a[L.OBSERVATION_COST_DETAILS]),
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
  const openAi = openAiUsage(details, count);
  if (openAi) return openAi;
  const sum = (keys: string[]) => keys.reduce<number | undefined>((total, key) => (count(key) === undefined ? total : (total ?? 0) + count(key)!), undefined);
  const keys = Object.keys(details);
  const isIn = (names: readonly string[]) => (k: string) => names.includes(k);
  const inputBuckets = keys.filter((k) => k === U.INPUT || k.startsWith(`${U.INPUT}_`) || isIn(U.CACHED)(k) || isIn(U.CACHE_CREATION)(k));
  const outputBuckets = keys.filter((k) => k === U.OUTPUT || k.startsWith(`${U.OUTPUT}_`));
  return usageOf({
    input: sum(inputBuckets),
    output: sum(outputBuckets),
    total: count(U.TOTAL),
    cached: sum(keys.filter(isIn(U.CACHED))),
    cacheCreation: sum(keys.filter(isIn(U.CACHE_CREATION))),
    reasoning: sum(keys.filter(isIn(U.REASONING))),
  });
}

/**
 * Usage in OpenAI's own shapes, which Langfuse's API takes besides its buckets (its `UsageDetails`
 * is one of: buckets, the chat completions usage, the Responses API usage) and which Langfuse's
 * Python OpenAI integration sends as it gets it: `prompt_tokens` / `completion_tokens` with
 * `*_tokens_details`, or `input_tokens` / `output_tokens` with `*_tokens_details`. OpenAI's
 * counts already include the cached and reasoning tokens, as a generation row's do.
 */
function openAiUsage(details: Record<string, unknown>, count: (key: string) => number | undefined): SpanFacts['usage'] {
  const chat = count('prompt_tokens') !== undefined || count('completion_tokens') !== undefined;
  const responses = !chat && (isObject(details.input_tokens_details) || isObject(details.output_tokens_details) ||
    (count('input_tokens') !== undefined && count(U.INPUT) === undefined));
  if (!chat && !responses) return undefined;
  const [inputKey, outputKey] = chat ? ['prompt_tokens', 'completion_tokens'] : ['input_tokens', 'output_tokens'];
  const detail = (key: string, name: string) => {
    const group = details[`${key}_details`];
    const value = isObject(group) ? group[name] : undefined;
    return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  };
  return usageOf({
    input: count(inputKey),
    output: count(outputKey),
    total: count('total_tokens'),
    cached: detail(inputKey, 'cached_tokens'),
    reasoning: detail(outputKey, 'reasoning_tokens'),
  });
}

/**
 * `cost_details`: USD per Langfuse usage key. Its keys become this project's kinds (`input`,
 * `cache_read`, `cache_creation`, `output`, `reasoning`, `total`); other keys are kept as given.
 * Without a `total`, Langfuse's own total is the sum of the keys, and so is ours.
 */
function costDetails(raw: unknown): SpanFacts['cost'] {
  const details = jsonObject(raw);
  if (!details) return undefined;
  const parts: Record<string, number | undefined> = {};
  for (const [key, value] of Object.entries(details)) {
    if (typeof value !== 'number') continue;
    const kind = (U.CACHED as readonly string[]).includes(key) ? 'cache_read'
      : (U.CACHE_CREATION as readonly string[]).includes(key) ? 'cache_creation'
      : (U.REASONING as readonly string[]).includes(key) ? 'reasoning'
      : key;
    parts[kind] = (parts[kind] ?? 0) + value;
  }
  return reportedCostOf(L.OBSERVATION_COST_DETAILS, parts);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
