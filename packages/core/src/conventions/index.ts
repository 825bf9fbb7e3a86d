import { genAiAdapter } from './gen-ai.js';
import { miniAgentAdapter } from './mini-agent.js';
import type { ConventionAdapter } from './facts.js';

/** Every convention `interpret()` reads, in precedence order: explicit `mini_agent.*` first. */
export const ADAPTERS: readonly ConventionAdapter[] = [miniAgentAdapter, genAiAdapter];

export { mergeFacts, type ConventionAdapter, type SpanFacts } from './facts.js';

