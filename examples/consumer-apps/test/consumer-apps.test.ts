import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, hasPostgres, missingNodeReason, nodeBinary, startLangfuseTestServer, type NodeMajor } from '@mini-agent/test-support';
import { startCollector } from './collector.js';
import { LIBRARIES, packLibraries, type Packs } from './packs.js';
import { createScratchApp, npmLs, type Installer, type ScratchApp } from './scratch-app.js';
import { toolCallsInPglite, toolCallsInPostgres } from './stored-session.js';

/** An application as users have them: a Node line, an OpenTelemetry SDK line, a package manager. */
interface Scenario {
  readonly title: string;
  readonly node: NodeMajor;
  readonly installer: Installer;
  /** The app's own dependencies: its OpenTelemetry API and SDK, pinned as an app would. */
  readonly dependencies: Record<string, string>;
  /** The SDK packages of its line: each must be installed exactly once. */
  readonly sdkPackages: readonly string[];
  /** The app script that builds its own provider and adds `PostgresExporter` to it. */
  readonly ownProviderScript: string;
  /** The class `registerMiniAgentTracing()` must have built on this line. */
  readonly registeredProvider: RegExp;
  /**
   * Both setups into both databases; one setup into each (a scenario that repeats a line with
   * another installer); or `registerMiniAgentTracing()` into the server alone (another Node line).
   */
  readonly runs: 'all' | 'one-each' | 'register-only';
  /** More setups of this line (title, script), each run once into the PostgreSQL server. */
  readonly moreSetups?: readonly (readonly [string, string])[];
}

// sdk-node 0.301.0 pins sdk-trace, core and context-async-hooks at 3.1.0: an app that lists them
// itself pins the same, or it has two SDKs of its own making.
const SDK3 = {
  '@opentelemetry/api': '1.10.0',
  '@opentelemetry/sdk-node': '0.301.0',
  '@opentelemetry/sdk-trace': '3.1.0',
  '@opentelemetry/context-async-hooks': '3.1.0',
  '@opentelemetry/core': '3.1.0',
};
// The OTLP exporter brings the OTLP parts (0.2xx) that Langfuse's transport and the `otlp` option use.
const SDK2 = {
  '@opentelemetry/api': '1.9.1',
  '@opentelemetry/sdk-trace-base': '2.12.1',
  '@opentelemetry/sdk-trace-node': '2.12.1',
  '@opentelemetry/exporter-trace-otlp-proto': '0.223.1',
};

/** What every SDK 3 app has in common, whatever the Node line. */
const SDK3_APP = {
  dependencies: SDK3,
  sdkPackages: ['@opentelemetry/sdk-trace', '@opentelemetry/core', '@opentelemetry/resources'],
  ownProviderScript: 'own-provider-sdk3.mjs',
  registeredProvider: /^TracerProvider/,
} as const;

/** What every SDK 2 app has in common, whatever the Node line and installer. */
const SDK2_APP = {
  dependencies: SDK2,
  sdkPackages: ['@opentelemetry/sdk-trace-base', '@opentelemetry/sdk-trace-node', '@opentelemetry/sdk-trace', '@opentelemetry/core', '@opentelemetry/resources'],
  ownProviderScript: 'own-provider-sdk2.mjs',
  registeredProvider: /^NodeTracerProvider$/,
} as const;

const SCENARIOS: readonly Scenario[] = [
  {
    ...SDK3_APP,
    title: 'Node 24, SDK 3 (sdk-node 0.301, sdk-trace 3.1, api 1.10), npm',
    node: 24,
    installer: 'npm',
    runs: 'all',
    moreSetups: [['NodeSDK with PostgresExporter among its spanProcessors', 'own-provider-sdk-node.mjs']],
  },
  { ...SDK2_APP, title: 'Node 20, SDK 2 (sdk-trace-base 2.12, api 1.9), npm', node: 20, installer: 'npm', runs: 'all' },
  {
    // Node 24 picks the newest versions for anything left open: the case where a required peer
    // on `@opentelemetry/core` would resolve to 3.x beside an SDK 2 app.
    ...SDK2_APP,
    title: 'Node 24, SDK 2 (sdk-trace-base 2.12, api 1.9), pnpm with strict-peer-dependencies',
    node: 24,
    installer: 'pnpm-strict',
    runs: 'one-each',
  },
  { ...SDK3_APP, title: 'Node 22, SDK 3 (sdk-node 0.301, sdk-trace 3.1, api 1.10), npm', node: 22, installer: 'npm', runs: 'register-only' },
  { ...SDK3_APP, title: 'Node 26, SDK 3 (sdk-node 0.301, sdk-trace 3.1, api 1.10), npm', node: 26, installer: 'npm', runs: 'register-only' },
];

const runnable = SCENARIOS.filter((scenario) => nodeBinary(scenario.node));
let packs: Packs | undefined;
let packDir: string | undefined;
beforeAll(async () => {
  if (runnable.length > 0) ({ dir: packDir, packs } = await packLibraries());
}, 300_000);
afterAll(() => {
  if (packDir) rmSync(packDir, { recursive: true, force: true });
});

for (const scenario of SCENARIOS) {
  const node = nodeBinary(scenario.node);
  if (!node) console.warn(`[consumer-apps] skipped "${scenario.title}": ${missingNodeReason(scenario.node)}`);
  describe.skipIf(!node)(node ? scenario.title : `${scenario.title} (skipped: ${missingNodeReason(scenario.node)})`, () => {
    let app: ScratchApp;
    beforeAll(async () => {
      app = await createScratchApp({
        name: `consumer-${scenario.installer}-node${scenario.node}`,
        node: node as string,
        installer: scenario.installer,
        dependencies: scenario.dependencies,
        packs: packs as Packs,
      });
      console.log(`[consumer-apps] ${scenario.title}: node_modules ${await app.installedMegabytes()} MB`);
    }, 300_000);
    afterAll(() => app?.remove());

    it('installs cleanly, with one copy of @opentelemetry/api and of each SDK package', async () => {
      if (scenario.installer === 'npm') {
        const ls = await npmLs(app);
        expect(ls.output).not.toMatch(/\binvalid\b|\bextraneous\b|UNMET DEPENDENCY|missing:/);
        expect(ls.code).toBe(0);
      }
      expect(app.copiesOf('@opentelemetry/api')).toEqual([
        expect.objectContaining({ version: scenario.dependencies['@opentelemetry/api'] }),
      ]);
      for (const name of scenario.sdkPackages) expect(app.copiesOf(name).map((copy) => copy.version), name).toHaveLength(1);
    });

    it('no library brings OpenTelemetry of its own: the API and SDK are peers, resolved to the app’s copies', () => {
      for (const library of LIBRARIES) {
        const [installed, ...more] = app.copiesOf(`@mini-agent/${library}`);
        expect(installed, library).toBeDefined();
        expect(more, library).toEqual([]);
        const manifest = JSON.parse(readFileSync(join(installed!.path, 'package.json'), 'utf8')) as {
          dependencies?: Record<string, string>;
          peerDependencies?: Record<string, string>;
        };
        const ownOtel = Object.entries(manifest.dependencies ?? {}).filter(
          ([name, spec]) => (name.startsWith('@opentelemetry/') && name !== '@opentelemetry/semantic-conventions') || spec.startsWith('npm:@opentelemetry/'),
        );
        expect(ownOtel, `${library} dependencies`).toEqual([]);
        if (library !== 'semconv') expect(manifest.peerDependencies?.['@opentelemetry/api'], library).toBe('^1.9.0');
      }
    });

    const setups = [
      ['registerMiniAgentTracing()', 'register.mjs'],
      ['the app’s own provider with PostgresExporter', scenario.ownProviderScript],
    ] as const;
    const runs: (readonly [string, string, 'PGlite' | 'PostgreSQL'])[] = [];
    if (scenario.runs === 'register-only') runs.push([...setups[0], hasPostgres() ? 'PostgreSQL' : 'PGlite']);
    else {
      for (const target of ['PGlite', 'PostgreSQL'] as const) {
        for (const [how, script] of scenario.runs === 'all' ? setups : [setups[target === 'PGlite' ? 0 : 1]]) runs.push([how, script, target]);
      }
    }
    for (const [how, script] of scenario.moreSetups ?? []) runs.push([how, script, 'PostgreSQL']);
    it('Langfuse and a collector receive the session over OTLP, through the OTLP parts of the app’s own SDK line', async () => {
      const langfuse = await startLangfuseTestServer({ publicKey: 'pk-lf-consumer', secretKey: 'sk-lf-consumer' });
      const collector = await startCollector();
      try {
        const result = await app.runScript('langfuse-and-collector.mjs', {
          SESSION_ID: randomUUID(),
          LANGFUSE_PUBLIC_KEY: 'pk-lf-consumer',
          LANGFUSE_SECRET_KEY: 'sk-lf-consumer',
          LANGFUSE_BASE_URL: langfuse.baseUrl,
          OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        });
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        const { traceId } = JSON.parse(result.stdout) as { traceId: string };
        expect(langfuse.trace(traceId)?.name).toBe('consumer-session');
        expect(langfuse.observations(traceId).map((observation) => observation.name).join(' ')).toContain('lookup_order');
        expect(collector.spans.filter((span) => span.traceId === traceId).map((span) => span.name).sort()).toEqual(
          ['consumer-session', 'execute_tool lookup_order'].sort(),
        );
      } finally {
        await langfuse.close();
        await collector.close();
      }
    }, 120_000);

    it('spans another library starts in a session get its attributes written straight into the SDK’s span, its count limit kept', async () => {
      const sessionId = randomUUID();
      const run = async (env: Record<string, string>) => {
        const result = await app.runScript('propagated-attributes.mjs', { SESSION_ID: sessionId, ...env });
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        return JSON.parse(result.stdout) as { processorCalls: number; attributes: Record<string, unknown>; counted: unknown; keys: number };
      };
      const session = { 'mini_agent.session.id': sessionId, 'mini_agent.user.id': 'user-1', 'mini_agent.agent.name': 'consumer-agent' };
      // The fast write: this line's Span has the fields the processor writes, so no setAttribute call.
      const fast = await run({});
      expect(fast.attributes).toMatchObject({ 'http.request.method': 'GET', ...session });
      expect(fast.processorCalls).toBe(0);
      expect(fast.counted).toBe(fast.keys);
      // Near the SDK's count limit the processor leaves it to setAttribute, which keeps the limit.
      const limited = await run({ OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '3' });
      expect(limited.keys, JSON.stringify(limited)).toBe(3);
      expect(limited.counted).toBe(3);
      expect(limited.processorCalls).toBeGreaterThan(0);
      expect(limited.attributes['http.request.method']).toBe('GET'); // the span's own attribute is never pushed out
    }, 120_000);

    for (const [how, script, target] of runs) {
      it.skipIf(target === 'PostgreSQL' && !hasPostgres())(`${how}: a session with a tool, a decision and a metric lands in ${target}`, async () => {
        const sessionId = randomUUID();
        const database = target === 'PostgreSQL' ? await createTestDatabase('consumer') : undefined;
        const pgliteDir = join(app.dir, `pglite-${sessionId}`);
        try {
          const result = await app.runScript(script, {
            SESSION_ID: sessionId,
            ...(database ? { DATABASE_URL: database.url } : { PGLITE_DIR: pgliteDir }),
          });
          expect(result.stderr).toBe('');
          expect(result.code).toBe(0);
          const output = JSON.parse(result.stdout) as { provider: string; stats: { sinks: { postgres: { delivered: number } } } };
          if (script === 'register.mjs') expect(output.provider).toMatch(scenario.registeredProvider);
          expect(output.stats.sinks.postgres.delivered).toBeGreaterThan(0);
          const stored = database ? await toolCallsInPostgres(database.url) : await toolCallsInPglite(pgliteDir);
          expect(stored).toEqual([{ session_id: sessionId, tool_name: 'lookup_order', success: true, chosen: 'lookup_order', latency: 12.5 }]);
        } finally {
          await database?.drop();
        }
      }, 120_000);
    }
  });
}
