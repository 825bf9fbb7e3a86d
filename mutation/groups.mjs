// The code under mutation testing, in groups that run on their own (`--only <group>`): each
// names the files Stryker mutates, the tests that may kill the mutants (a package's fast,
// in-process suites; the slow end-to-end ones add minutes per mutant and little strength), and
// the tsconfig the TypeScript checker compiles mutants with (a mutant that does not compile is
// not a test's business).

/**
 * `typecheck: false` leaves out the TypeScript checker, which on a busy machine costs more than
 * the tests it spares: a mutant that would not compile then runs like any other (a test that
 * fails kills it; one that survives is read by hand and is usually a type the compiler would
 * have refused).
 * @typedef {{ mutate: string[], tests: string[], tsconfig: string, typecheck?: boolean, timeoutMS?: number, ignoreStatic?: boolean, env?: Record<string, string> }} MutationGroup
 */

/**
 * For code without state between calls (the interpretation of a span, the sanitizer): one worker
 * keeps its modules from mutant to mutant instead of loading the SDK again for each (the
 * instrumented code switches mutants at run time), and no TypeScript checker (see above).
 */
const PURE = { env: { MUTATION_ISOLATE: '0' }, typecheck: false, timeoutMS: 5_000 };

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
    // Each file makes and migrates a database for every mutant it runs on: these three check every
    // column both ways (column-values), every rule of the trace row (trace-merge) and COPY's escaping
    // (copy-path). round-trip's throughput case (1,000 spans), sink-values' 5 MB value and
    // idempotency (whose trace cases trace-merge covers) would add seconds a mutant.
    tests: [
      'packages/exporter-postgres/test/column-values.test.ts',
      'packages/exporter-postgres/test/trace-merge.test.ts',
      'packages/exporter-postgres/test/copy-path.test.ts',
      'packages/exporter-postgres/test/row-values-edges.test.ts',
    ],
    tsconfig: 'packages/exporter-postgres/tsconfig.json',
    // COPY (copy-binary.ts) runs only on a server; PGlite would add seconds of start-up per mutant.
    // Each mutant in a fresh worker (the default): a COPY the server refuses falls back to INSERT
    // and is only told by a warning given once per process.
    env: { MINI_AGENT_TEST_BACKENDS: 'server' },
    typecheck: false,
  },
  langfuse: {
    mutate: ['packages/exporter-langfuse/src/mapping.ts', 'packages/exporter-langfuse/src/limits.ts'],
    // limits.test.ts sends megabytes through both transports (seconds a mutant, and timeouts on a
    // busy machine); limits-values.test.ts checks the same rules on small values in milliseconds.
    tests: [
      'packages/exporter-langfuse/test/mapping.test.ts',
      'packages/exporter-langfuse/test/mapping-fields.test.ts',
      'packages/exporter-langfuse/test/mapping-context.test.ts',
      'packages/exporter-langfuse/test/limits-values.test.ts',
    ],
    // mapping.test.ts maps its agent run once, in beforeAll: code run there counts as "static"
    // coverage, and with ignoreStatic Stryker would run such a mutant only against the tests that
    // also call it themselves, never against the ones that check that run. Off, it runs them all.
    ignoreStatic: false,
    tsconfig: 'packages/exporter-langfuse/tsconfig.json',
    // Pure functions: one worker keeps its modules from mutant to mutant instead of loading the
    // SDK again for each (the instrumented code switches mutants at run time).
    env: { MUTATION_ISOLATE: '0' },
    typecheck: false,
    // A run of these tests takes well under a second: a mutant that loops is given up on sooner.
    timeoutMS: 5_000,
  },
  // The core package in four parts, each with its own incremental file and only the suites that
  // exercise its files: a rerun after a change to one part costs that part's minutes, not the
  // whole package's hours. `--only core` runs the four and reports their combined score too.
  'core-interpret': {
    mutate: ['packages/core/src/interpret.ts', 'packages/core/src/interpret/*.ts'],
    tests: [
      'packages/core/test/interpret.test.ts',
      'packages/core/test/interpret-edges.test.ts',
      'packages/core/test/payload-keys.test.ts',
      'packages/core/test/propagated-attributes.test.ts',
      'packages/core/test/scores.test.ts',
      'packages/core/test/cost.test.ts',
      'packages/core/test/conventions-*.test.ts',
      'packages/core/test/redaction-*.test.ts',
    ],
    tsconfig: 'packages/core/tsconfig.json',
    ...PURE,
  },
  'core-conventions': {
    mutate: ['packages/core/src/conventions/*.ts'],
    tests: [
      'packages/core/test/conventions-*.test.ts',
      'packages/core/test/interpret.test.ts',
      'packages/core/test/scores.test.ts',
      'packages/core/test/cost.test.ts',
    ],
    tsconfig: 'packages/core/tsconfig.json',
    ...PURE,
  },
  'core-sanitize': {
    mutate: ['packages/core/src/sanitize.ts', 'packages/core/src/redact.ts'],
    tests: [
      'packages/core/test/sanitize.test.ts',
      'packages/core/test/redaction-*.test.ts',
      'packages/core/test/interpret.test.ts',
    ],
    tsconfig: 'packages/core/tsconfig.json',
    ...PURE,
  },
  'core-delivery': {
    mutate: ['packages/core/src/delivery/*.ts'],
    tests: [
      'packages/core/test/delivery.test.ts',
      'packages/core/test/delivery-faults.test.ts',
      'packages/core/test/spool-text.test.ts',
      'packages/core/test/spool-edges.test.ts',
      'packages/core/test/delivery-batches.test.ts',
      'packages/core/test/delivery-pipeline-edges.test.ts',
      'packages/core/test/delivery-spool-pipeline.test.ts',
    ],
    tsconfig: 'packages/core/tsconfig.json',
    // Spool files, timers and retries: each mutant in a fresh worker, so one mutant's half-written
    // spool or pending timer cannot decide the next one's fate.
    typecheck: false,
  },
};

/**
 * Names that stand for several groups, run one after the other and also scored together (the
 * combined score counts every part's mutants, not the mean of the parts' scores).
 * @type {Record<string, string[]>}
 */
export const GROUP_SETS = {
  core: ['core-interpret', 'core-conventions', 'core-sanitize', 'core-delivery'],
};
