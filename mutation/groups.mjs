// The code under mutation testing, in groups that run on their own (`--only <group>`): each
// names the files Stryker mutates, the tests that may kill the mutants (a package's fast,
// in-process suites; the slow end-to-end ones add minutes per mutant and little strength), and
// the tsconfig the TypeScript checker compiles mutants with (a mutant that does not compile is
// not a test's business).

/** @typedef {{ mutate: string[], tests: string[], tsconfig: string, env?: Record<string, string> }} MutationGroup */

/** @type {Record<string, MutationGroup>} */
export const GROUPS = {
  bridge: {
    mutate: ['packages/bridge/src/decode.ts', 'packages/bridge/src/read-request.ts'],
    tests: [
      'packages/bridge/test/decode.test.ts',
      'packages/bridge/test/decode-details.test.ts',
      'packages/bridge/test/bad-input.test.ts',
      'packages/bridge/test/fixture-decoder-agreement.test.ts',
    ],
    tsconfig: 'packages/bridge/tsconfig.json',
  },
  postgres: {
    mutate: ['packages/exporter-postgres/src/tables.ts', 'packages/exporter-postgres/src/copy-binary.ts'],
    tests: [
      'packages/exporter-postgres/test/round-trip.test.ts',
      'packages/exporter-postgres/test/sink-values.test.ts',
      'packages/exporter-postgres/test/copy-path.test.ts',
      'packages/exporter-postgres/test/idempotency.test.ts',
    ],
    tsconfig: 'packages/exporter-postgres/tsconfig.json',
    // COPY (copy-binary.ts) runs only on a server; PGlite would add seconds of start-up per mutant.
    env: { MINI_AGENT_TEST_BACKENDS: 'server' },
  },
  langfuse: {
    mutate: ['packages/exporter-langfuse/src/mapping.ts', 'packages/exporter-langfuse/src/limits.ts'],
    tests: ['packages/exporter-langfuse/test/mapping.test.ts', 'packages/exporter-langfuse/test/limits.test.ts'],
    tsconfig: 'packages/exporter-langfuse/tsconfig.json',
  },
  core: {
    mutate: [
      'packages/core/src/interpret.ts',
      'packages/core/src/conventions/*.ts',
      'packages/core/src/sanitize.ts',
      'packages/core/src/redact.ts',
      'packages/core/src/delivery/*.ts',
    ],
    tests: [
      'packages/core/test/interpret.test.ts',
      'packages/core/test/conventions-*.test.ts',
      'packages/core/test/redaction-*.test.ts',
      'packages/core/test/delivery.test.ts',
      'packages/core/test/delivery-faults.test.ts',
      'packages/core/test/spool-text.test.ts',
    ],
    tsconfig: 'packages/core/tsconfig.json',
  },
};
