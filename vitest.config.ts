import { configDefaults, defineConfig } from 'vitest/config';

// One vitest run over every package, so CI gets one count. Workspace packages resolve to their
// TypeScript sources through an export condition of our own (a generic name like `source` is also
// published by third-party packages, pointing at TypeScript Node cannot load); everything else
// resolves with Node's own conditions (Vite's server default `module` is left out: it would pick
// the bundler builds of packages like @opentelemetry/api, which Node cannot load).
const conditions = ['@mini-agent/source', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/**/*.test.ts', 'collector/test/**/*.test.ts'],
    // Python virtual environments (python/.venv, examples/python-agent/.venv) hold no tests of ours.
    exclude: [...configDefaults.exclude, '**/.venv/**'],
    globalSetup: ['packages/test-support/src/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: more workers only make the Postgres server and PGlite fight for CPU.
    maxWorkers: 2,
    // CI's extra Node lanes write their own report beside the main run's (see .ci/node-lane).
    reporters: ['default', ['json', { outputFile: process.env.MINI_AGENT_VITEST_JSON ?? 'test-output/vitest.json' }]],
  },
});
