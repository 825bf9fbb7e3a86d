import { trace, type Attributes } from '@opentelemetry/api';
import {
  ATTR_DECISION_CHOSEN,
  ATTR_DECISION_OPTIONS,
  ATTR_DECISION_REASONING,
  ATTR_DECISION_TYPE,
  ATTR_SPAN_KIND,
  EVENT_DECISION,
  SpanKinds,
} from '@mini-agent/semconv';
import { quietly } from './guard.js';
import { safeJsonStringify } from './safe-json.js';
import { SCOPE_NAME, VERSION } from './version.js';

/** A choice the agent made. */
export interface Decision {
  /** What kind of decision: `tool_selection`, `plan`, `stop`, or your own. */
  readonly type: string;
  /** The options considered (any JSON value; usually an array). */
  readonly options?: unknown;
  /** What was chosen; a non-string is stored as JSON. */
  readonly chosen?: unknown;
  /** Why. */
  readonly reasoning?: string;
}

/**
 * Records a decision as a `mini_agent.decision` event on the active span. Outside any span it
 * becomes a short `decision` span of its own. Never throws.
 *
 * @example
 * ```ts
 * recordDecision({ type: 'tool_selection', options: ['grep', 'read_file'], chosen: 'grep', reasoning: 'the path is unknown' });
 * ```
 */
export function recordDecision(decision: Decision): void {
  quietly('recording a decision', () => {
    const attributes = decisionAttributes(decision);
    const active = trace.getActiveSpan();
    if (active) {
      active.addEvent(EVENT_DECISION, attributes);
      return;
    }
    trace
      .getTracer(SCOPE_NAME, VERSION)
      .startSpan(`decision ${decision.type}`, { attributes: { [ATTR_SPAN_KIND]: SpanKinds.DECISION, ...attributes } })
      .end();
  });
}

function decisionAttributes(decision: Decision): Attributes {
  const attributes: Attributes = { [ATTR_DECISION_TYPE]: String(decision.type) };
  const options = safeJsonStringify(decision.options);
  if (options !== undefined) attributes[ATTR_DECISION_OPTIONS] = options;
  const chosen = typeof decision.chosen === 'string' ? decision.chosen : safeJsonStringify(decision.chosen);
  if (chosen !== undefined) attributes[ATTR_DECISION_CHOSEN] = chosen;
  if (decision.reasoning !== undefined) attributes[ATTR_DECISION_REASONING] = String(decision.reasoning);
  return attributes;
}
