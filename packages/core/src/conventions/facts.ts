import type { SpanKind as AgentSpanKind } from '@mini-agent/semconv';
import { isSpanContextValid, type Attributes } from '@opentelemetry/api';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import type { ReportedCost } from '../cost/generation-cost.js';
import type { InterpretableSpan, TokenUsage } from '../records.js';

/**
 * What one convention says about a span, before sanitizing. Values are raw: strings that may hold
 * JSON are parsed by `interpret()`, which also applies redaction and limits.
 */
export interface SpanFacts {
  kind?: AgentSpanKind;
  sessionId?: string;
  userId?: string;
  userContext?: unknown;
  agentName?: string;
  agentVersion?: string;
  sessionInput?: unknown;
  sessionOutput?: unknown;
  /** A name for the trace other than the session span's own name (e.g. `langfuse.trace.name`). */
  sessionName?: string;
  tags?: string[];
  /** Where the agent runs (`mini_agent.environment`); wins over the resource's deployment environment. */
  environment?: string;
  toolName?: string;
  toolCategory?: string;
  /** The model's id for the tool call. */
  toolCallId?: string;
  /** Who runs the tool: `function`, `extension`, `datastore` (`gen_ai.tool.type`). */
  toolType?: string;
  toolInput?: unknown;
  toolOutput?: unknown;
  /** Extra facts about a tool call kept in its row's metadata, e.g. `{ server: 'weather' }`. */
  toolMetadata?: Record<string, unknown>;
  model?: string;
  provider?: string;
  llmInput?: unknown;
  llmOutput?: unknown;
  usage?: Partial<Record<keyof TokenUsage, number>>;
  modelParameters?: Record<string, unknown>;
  /** A cost the span states itself; it wins over a computed one. */
  cost?: ReportedCost;
  /** When the first chunk of the answer arrived: an ISO string or epoch milliseconds. */
  completionStartTime?: string | number;
  decisionType?: string;
  decisionOptions?: unknown;
  decisionChosen?: string;
  decisionReasoning?: string;
  /**
   * The convention says the span failed, with this message, though the OTel status is UNSET
   * (Langfuse's SDK marks failures with `level: ERROR` only). An explicit OK status still wins.
   */
  failure?: string;
}

/**
 * Reads one convention's attributes. Adapters are pure, and `interpret()` merges what they say in
 * precedence order: the first adapter that knows a fact wins it.
 */
export interface ConventionAdapter {
  /** The convention's name, for docs and debugging. */
  readonly name: string;
  read(span: InterpretableSpan): SpanFacts;
}

/** A string attribute, or undefined when absent, empty or another type. */
export function str(attributes: Attributes, key: string): string | undefined {
  const v = attributes[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A numeric attribute (numbers, or numeric strings as some SDKs send), else undefined. */
export function num(attributes: Attributes, key: string): number | undefined {
  const v = attributes[key];
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  return undefined;
}

/** A string-array attribute (or a single string), else undefined. */
export function strings(attributes: Attributes, key: string): string[] | undefined {
  const v = attributes[key];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return undefined;
}

/** The keys whose value is not undefined, so merging sees only what a convention said. */
export function defined<T extends object>(facts: T): T {
  // A copy rather than `delete`: deleting keys turns every adapter's object into a slow dictionary.
  const out = {} as T;
  for (const key in facts) if (facts[key] !== undefined) out[key] = facts[key];
  return out;
}

/**
 * Merges facts in precedence order: earlier wins; token usage and tool metadata merge per key.
 * A total no convention gave is the sum of input and output, computed after the merge so that an
 * explicit total from a later convention wins over a sum.
 */
export function mergeFacts(all: readonly SpanFacts[]): SpanFacts {
  const out: SpanFacts = {};
  for (const facts of all) {
    // `for…in`, not `Object.entries`: no array of pairs per adapter and span (facts are plain objects).
    for (const name in facts) {
      const key = name as keyof SpanFacts;
      const value = facts[key] as unknown;
      if (value === undefined) continue;
      if (key === 'usage' || key === 'toolMetadata') {
        (out as Record<string, unknown>)[key] = { ...(value as object), ...(out[key] as object | undefined) };
      } else if (out[key] === undefined) {
        (out as Record<string, unknown>)[key] = value;
      }
    }
  }
  const usage = out.usage;
  if (usage && usage.total === undefined && (usage.input !== undefined || usage.output !== undefined)) {
    out.usage = { ...usage, total: (usage.input ?? 0) + (usage.output ?? 0) };
  }
  return out;
}

/** Token counts with the absent ones dropped, or undefined when a convention gave none. */
export function usageOf(usage: NonNullable<SpanFacts['usage']>): SpanFacts['usage'] {
  const counts = defined({ ...usage });
  return Object.keys(counts).length > 0 ? counts : undefined;
}

/**
 * A reported cost from its parts (USD, non-finite ones dropped), or undefined when no part is a
 * number: `total` is the given one, else the sum of the parts.
 */
export function reportedCostOf(attribute: string, parts: Record<string, number | undefined>): ReportedCost | undefined {
  const usd: Record<string, number> = {};
  for (const [key, value] of Object.entries(parts)) if (value !== undefined && Number.isFinite(value)) usd[key] = value;
  return Object.keys(usd).length > 0 ? { attribute, usd } : undefined;
}

/** True when any of `keys` is set: lets an adapter skip spans of other conventions cheaply. */
export function hasAny(attributes: Attributes, keys: readonly string[]): boolean {
  for (const key of keys) if (attributes[key] !== undefined) return true;
  return false;
}

/** The first of `keys` that holds a string. */
export function firstStr(attributes: Attributes, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = str(attributes, key);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** The value a JSON string holds, or undefined when it is not JSON: never throws. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A JSON object given as a string (or already an object), else undefined: never throws. */
export function jsonObject(value: unknown): Record<string, unknown> | undefined {
  const parsed = typeof value === 'string' ? parseJson(value) : value;
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
}

/** True when the span has a valid parent: a span that starts its trace is the only kind that may be a session by position. */
export function hasParent(span: InterpretableSpan): boolean {
  const parent = span.parentSpanContext;
  return parent !== undefined && isSpanContextValid(parent);
}

/** Epoch milliseconds `ms` after the span's start (a time to first chunk), or undefined when not a valid time. */
export function afterStart(span: InterpretableSpan, ms: number | undefined): number | undefined {
  if (ms === undefined || ms < 0 || !Array.isArray(span.startTime)) return undefined;
  const at = hrTimeToMilliseconds(span.startTime) + ms;
  return Number.isFinite(at) ? at : undefined;
}
