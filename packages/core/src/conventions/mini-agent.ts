import * as sc from '@mini-agent/semconv';
import { defined, str, strings, type ConventionAdapter, type SpanFacts } from './facts.js';

/** The project's own `mini_agent.*` attributes: explicit, so they win over every other convention. */
export const miniAgentAdapter: ConventionAdapter = {
  name: 'mini_agent',
  read({ attributes: a }): SpanFacts {
    const kind = str(a, sc.ATTR_SPAN_KIND);
    return defined<SpanFacts>({
      kind: sc.isSpanKind(kind) ? kind : inferKind(a),
      sessionId: str(a, sc.ATTR_SESSION_ID),
      userId: str(a, sc.ATTR_USER_ID),
      userContext: a[sc.ATTR_USER_CONTEXT],
      agentName: str(a, sc.ATTR_AGENT_NAME),
      agentVersion: str(a, sc.ATTR_AGENT_VERSION),
      sessionInput: a[sc.ATTR_SESSION_INPUT],
      sessionOutput: a[sc.ATTR_SESSION_OUTPUT],
      tags: strings(a, sc.ATTR_SESSION_TAGS),
      sessionName: str(a, sc.ATTR_SESSION_NAME),
      environment: str(a, sc.ATTR_ENVIRONMENT),
      toolName: str(a, sc.ATTR_TOOL_NAME),
      toolCategory: str(a, sc.ATTR_TOOL_CATEGORY),
      toolInput: a[sc.ATTR_TOOL_INPUT],
      toolOutput: a[sc.ATTR_TOOL_OUTPUT],
      toolMetadata: str(a, sc.ATTR_TOOL_SERVER) ? { server: str(a, sc.ATTR_TOOL_SERVER) } : undefined,
      decisionType: str(a, sc.ATTR_DECISION_TYPE),
      decisionOptions: a[sc.ATTR_DECISION_OPTIONS],
      decisionChosen: str(a, sc.ATTR_DECISION_CHOSEN),
      decisionReasoning: str(a, sc.ATTR_DECISION_REASONING),
    });
  },
};

/** Without an explicit kind, a `mini_agent.tool.name` or `mini_agent.decision.type` says enough. */
function inferKind(a: Parameters<typeof str>[0]): sc.SpanKind | undefined {
  if (str(a, sc.ATTR_TOOL_NAME)) return sc.SpanKinds.TOOL;
  if (str(a, sc.ATTR_DECISION_TYPE)) return sc.SpanKinds.DECISION;
  return undefined;
}
