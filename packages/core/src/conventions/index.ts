import { genAiAdapter } from './gen-ai.js';
import { langfuseAdapter } from './langfuse.js';
import { mcpAdapter } from './mcp.js';
import { miniAgentAdapter } from './mini-agent.js';
import { openInferenceAdapter } from './openinference.js';
import { openLlmetryAdapter } from './openllmetry.js';
import { vercelAiAdapter } from './vercel-ai.js';
import type { ConventionAdapter } from './facts.js';

/**
 * Every convention `interpret()` reads, in precedence order: when two say the same fact, the
 * earlier wins. Explicit `mini_agent.*` first, then Langfuse, OpenInference, the OTel GenAI
 * conventions (with their MCP part), the Vercel AI SDK, OpenLLMetry.
 */
export const ADAPTERS: readonly ConventionAdapter[] = [
  miniAgentAdapter,
  langfuseAdapter,
  openInferenceAdapter,
  genAiAdapter,
  mcpAdapter,
  vercelAiAdapter,
  openLlmetryAdapter,
];

export { mergeFacts, type ConventionAdapter, type SpanFacts } from './facts.js';
