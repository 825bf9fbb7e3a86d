/**
 * The contract as data: one JSON document other languages read instead of retyping names. The
 * Python client ships it (`python/src/mini_agent_otel/semconv.json`, written by
 * `scripts/write-spec.js`), and each side's tests fail when its constants and the file disagree.
 */
import * as contract from './index.js';
import { GenAiAttributes, GenAiEvents } from './gen-ai.js';

/** The machine-readable form of the contract: attribute and event names, value enums, GenAI names. */
export interface SemconvSpec {
  /** Every `ATTR_*` constant, by its constant name. */
  readonly attributes: Readonly<Record<string, string>>;
  /** Every `EVENT_*` constant, by its constant name. */
  readonly events: Readonly<Record<string, string>>;
  /** The value enums, by their constant names. */
  readonly enums: {
    readonly SpanKinds: Readonly<Record<string, string>>;
    readonly ToolCategories: Readonly<Record<string, string>>;
    readonly MetricTypes: Readonly<Record<string, string>>;
    readonly ScoreDataTypes: Readonly<Record<string, string>>;
    readonly ScoreSources: Readonly<Record<string, string>>;
    readonly ScoreTargets: Readonly<Record<string, string>>;
  };
  /** The OpenTelemetry GenAI attribute names the helpers set on LLM and tool spans. */
  readonly genAi: Readonly<Record<string, string>>;
  /** The OpenTelemetry GenAI event names (`gen_ai.evaluation.result`). */
  readonly genAiEvents: Readonly<Record<string, string>>;
}

/**
 * Builds the spec from the constants of this package, keys sorted so the file's text is stable.
 *
 * @example
 * ```ts
 * writeFileSync('semconv.json', JSON.stringify(semconvSpec(), null, 2) + '\n');
 * ```
 */
export function semconvSpec(): SemconvSpec {
  const byPrefix = (prefix: string) =>
    sorted(Object.fromEntries(Object.entries(contract).filter(([key, value]) => key.startsWith(prefix) && typeof value === 'string')) as Record<string, string>);
  return {
    attributes: byPrefix('ATTR_'),
    events: byPrefix('EVENT_'),
    enums: {
      SpanKinds: { ...contract.SpanKinds },
      ToolCategories: { ...contract.ToolCategories },
      MetricTypes: { ...contract.MetricTypes },
      ScoreDataTypes: { ...contract.ScoreDataTypes },
      ScoreSources: { ...contract.ScoreSources },
      ScoreTargets: { ...contract.ScoreTargets },
    },
    genAi: sorted({ ...GenAiAttributes }),
    genAiEvents: sorted({ ...GenAiEvents }),
  };
}

function sorted(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
