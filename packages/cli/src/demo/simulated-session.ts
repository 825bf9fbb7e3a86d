import { setTimeout as sleep } from 'node:timers/promises';
import { recordDecision, recordMetric, withLlmCall, withSession, withTool } from '@mini-agent/otel';
import type { ToolCategory } from '@mini-agent/semconv';

/** One tool call of the script: what the agent calls, how long it takes, what comes back (or what goes wrong). */
interface ToolStep {
  readonly kind: 'tool';
  readonly name: string;
  readonly category: ToolCategory;
  readonly input: unknown;
  readonly ms: number;
  readonly output?: unknown;
  readonly fails?: string;
}

interface DecisionStep {
  readonly kind: 'decision';
  readonly type: string;
  readonly options: readonly string[];
  readonly chosen: string;
  readonly reasoning: string;
}

interface LlmStep {
  readonly kind: 'llm';
  readonly model: string;
  readonly prompt: string;
  readonly reply: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly ms: number;
}

type Step = ToolStep | DecisionStep | LlmStep;

/** A coding agent fixing a failing test: every tool category, a failed write it recovers from, one LLM call. */
const SCRIPT: readonly Step[] = [
  {
    kind: 'decision',
    type: 'plan',
    options: ['read the failing test first', 'run the whole suite', 'ask the user for the stack trace'],
    chosen: 'read the failing test first',
    reasoning: 'the test name points at one module; reading it is the cheapest way to localize the bug',
  },
  { kind: 'tool', name: 'run_tests', category: 'core', input: { command: 'npm test -- math' }, ms: 180, output: { exitCode: 1, failed: ['rounds half up'] } },
  { kind: 'tool', name: 'read_file', category: 'file', input: { path: 'src/math.ts' }, ms: 25, output: { lines: 42, sha: '9f2c1e' } },
  { kind: 'tool', name: 'github.search_issues', category: 'mcp', input: { repo: 'acme/calc', query: 'rounding half up' }, ms: 140, output: [{ number: 128, title: 'round(2.5) returns 2' }] },
  { kind: 'tool', name: 'parse_pdf', category: 'document', input: { file: 'docs/numeric-spec.pdf', pages: [3] }, ms: 90, output: { text: 'Values exactly halfway round away from zero.' } },
  {
    kind: 'llm',
    model: 'demo-model-small',
    prompt: 'The spec says halfway values round away from zero; src/math.ts uses Math.round. Propose a patch.',
    reply: 'Use Math.sign(x) * Math.round(Math.abs(x)) in round().',
    inputTokens: 812,
    outputTokens: 64,
    ms: 220,
  },
  { kind: 'tool', name: 'write_patch', category: 'skill', input: { file: 'src/math.ts', strategy: 'minimal diff' }, ms: 60, output: { diff: '-  return Math.round(x)\n+  return Math.sign(x) * Math.round(Math.abs(x))' } },
  { kind: 'tool', name: 'write_file', category: 'file', input: { path: 'src/generated/math.ts' }, ms: 15, fails: "EACCES: permission denied, open 'src/generated/math.ts'" },
  {
    kind: 'decision',
    type: 'recovery',
    options: ['write src/math.ts instead', 'give up and report'],
    chosen: 'write src/math.ts instead',
    reasoning: 'src/generated is read-only build output; the source of truth is src/math.ts',
  },
  { kind: 'tool', name: 'write_file', category: 'file', input: { path: 'src/math.ts' }, ms: 15, output: { bytesWritten: 1187 } },
  { kind: 'tool', name: 'run_tests', category: 'core', input: { command: 'npm test -- math' }, ms: 170, output: { exitCode: 0, passed: 12 } },
];

/** What the simulated session left behind. */
export interface SimulatedSessionResult {
  readonly traceId: string;
  readonly sessionId: string;
  readonly tools: number;
}

/**
 * Runs one realistic agent session through the `@mini-agent/otel` helpers: decisions, tool calls
 * in all five categories (one fails and the agent recovers), an LLM call and metrics. `progress`
 * hears about each step as it happens.
 */
export async function runSimulatedSession(progress: (line: string) => void): Promise<SimulatedSessionResult> {
  const sessionId = `demo-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  let traceId = '';
  await withSession(
    {
      name: 'fix the failing rounding test',
      sessionId,
      agentName: 'demo-coding-agent',
      agentVersion: '1.0.0',
      userId: 'demo-user',
      userContext: { repo: 'acme/calc', branch: 'fix/rounding' },
      input: 'The test "rounds half up" fails in src/math.test.ts. Fix it.',
      tags: ['demo', 'coding'],
    },
    async (session) => {
      traceId = session.spanContext().traceId;
      for (const step of SCRIPT) await runStep(step, progress);
      recordMetric({ type: 'tokens', value: 876, unit: '{token}' });
      return 'Fixed rounding in src/math.ts; 12 tests pass.';
    },
  );
  return { traceId, sessionId, tools: SCRIPT.filter((s) => s.kind === 'tool').length };
}

async function runStep(step: Step, progress: (line: string) => void): Promise<void> {
  switch (step.kind) {
    case 'decision':
      recordDecision(step);
      progress(`  decision  ${step.type}: ${step.chosen}`);
      return;
    case 'llm':
      await withLlmCall({ model: step.model, provider: 'simulated', input: step.prompt }, async (call) => {
        await sleep(step.ms);
        call.setUsage({ inputTokens: step.inputTokens, outputTokens: step.outputTokens });
        return step.reply;
      });
      progress(`  llm       ${step.model}: ${step.inputTokens} in / ${step.outputTokens} out tokens`);
      return;
    case 'tool':
      try {
        await withTool({ name: step.name, category: step.category, input: step.input }, async () => {
          await sleep(step.ms);
          if (step.fails) throw new Error(step.fails);
          return step.output;
        });
        progress(`  tool      ${step.category.padEnd(8)} ${step.name}`);
      } catch (error) {
        // The agent handles the failure (the next decision recovers); the span already recorded it.
        progress(`  tool      ${step.category.padEnd(8)} ${step.name}  FAILED: ${(error as Error).message}`);
      }
      return;
  }
}
