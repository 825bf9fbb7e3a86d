import type { SpanKind as AgentSpanKind } from '@mini-agent/semconv';
import type { Attributes } from '@opentelemetry/api';
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
  tags?: string[];
  toolName?: string;
  toolCategory?: string;
  toolInput?: unknown;
  toolOutput?: unknown;
  model?: string;
  provider?: string;
  llmInput?: unknown;
  llmOutput?: unknown;
  usage?: Partial<Record<keyof TokenUsage, number>>;
  modelParameters?: Record<string, unknown>;
  completionStartTime?: string | number;
  decisionType?: string;
  decisionOptions?: unknown;
  decisionChosen?: string;
  decisionReasoning?: string;
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

/** Drops the keys whose value is undefined, so merging sees only what a convention said. */
export function defined<T extends object>(facts: T): T {
  for (const key of Object.keys(facts) as (keyof T)[]) if (facts[key] === undefined) delete facts[key];
  return facts;
}

/** Merges facts in precedence order: earlier wins, token usage merges per count. */
export function mergeFacts(all: readonly SpanFacts[]): SpanFacts {
  const out: SpanFacts = {};
  for (const facts of all) {
    for (const [key, value] of Object.entries(facts) as [keyof SpanFacts, unknown][]) {
      if (value === undefined) continue;
      if (key === 'usage') {
        out.usage = { ...(value as SpanFacts['usage']), ...out.usage };
      } else if (out[key] === undefined) {
        (out as Record<string, unknown>)[key] = value;
      }
    }
  }
  return out;
}
