import { defineConfig } from 'vitest/config';

// One vitest run over every package, so CI gets one count. Workspace packages resolve to their
// TypeScript sources (the `source` export condition): tests need no build of their dependencies.
const conditions = ['source', 'node', 'import', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/**/*.test.ts'],
    globalSetup: ['packages/test-support/src/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: more workers only make the Postgres server and PGlite fight for CPU.
    maxWorkers: 2,
    // eventsource-parser (under the AI SDK) also publishes a `source` condition, pointing at
    // TypeScript that Node cannot load: Vite transforms the packages that reach it instead.
    server: { deps: { inline: [/[\\/]node_modules[\\/](ai|@ai-sdk[\\/][^\\/]+|eventsource(-parser)?)[\\/]/] } },
    reporters: ['default', ['json', { outputFile: 'test-output/vitest.json' }]],
  },
});
