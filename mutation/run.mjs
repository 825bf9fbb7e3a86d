#!/usr/bin/env node
// `pnpm test:mutation [--only core|langfuse|postgres|bridge] [--full]`: mutation testing with
// StrykerJS, one group after the other (see groups.mjs; `core` stands for its four parts,
// `--only core-sanitize` runs one of them). Each group keeps an incremental file in
// mutation/incremental/, so a rerun only tests the mutants whose code or covering tests changed;
// `--full` ignores it. The HTML reports go to test-output/mutation/<group>/index.html, the scores
// to test-output/mutation/summary.json.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { GROUP_SETS, GROUPS } from './groups.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The score each group is held to; below it the run says so (and exits 1 with --check). */
const TARGET = 80;

const usage = `usage: pnpm test:mutation [--only ${[...Object.keys(GROUP_SETS), ...Object.keys(GROUPS)].join('|')}] [--full] [--check] [--concurrency N]`;
let args;
try {
  args = parseArgs({
    options: {
      only: { type: 'string', multiple: true },
      full: { type: 'boolean' },
      check: { type: 'boolean' },
      concurrency: { type: 'string' },
      mutate: { type: 'string', multiple: true },
      'incremental-file': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
} catch (error) {
  console.error(`${error.message}\n${usage}`);
  process.exit(2);
}
if (args.help) {
  console.log(usage);
  process.exit(0);
}
const asked = args.only ?? Object.keys(GROUPS);
const unknown = asked.filter((name) => !(name in GROUPS) && !(name in GROUP_SETS));
if (unknown.length > 0) {
  console.error(`unknown group ${unknown.join(', ')}\n${usage}`);
  process.exit(2);
}
// A set stands for its parts, each run (and scored) once however often it is named.
const names = [...new Set(asked.flatMap((name) => GROUP_SETS[name] ?? [name]))];
const concurrency = Number(args.concurrency ?? 1);
if (!Number.isInteger(concurrency) || concurrency < 1) {
  console.error(`--concurrency must be a whole number >= 1\n${usage}`);
  process.exit(2);
}

// Mutation testing is long and CPU-bound: leave the machine to interactive work first.
try {
  // Never raise it: `nice -n 15 pnpm test:mutation` stays at 15.
  setPriority(Math.max(getPriority(), 10));
} catch {
  // Not allowed to renice (some containers): run at normal priority.
}
process.chdir(ROOT);
const { Stryker } = await import('@stryker-mutator/core');

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

/** Runs one group; returns its figures. */
async function runGroup(name) {
  const group = GROUPS[name];
  process.env.MUTATION_TESTS = group.tests.join(',');
  for (const [key, value] of Object.entries(group.env ?? {})) process.env[key] = value;
  const reportDir = join('test-output', 'mutation', name);
  const started = Date.now();
  const stryker = new Stryker({
    mutate: args.mutate ?? group.mutate,
    testRunner: 'vitest',
    // Named by path: under pnpm, Stryker's own folder has no sibling plugins to discover.
    plugins: ['@stryker-mutator/vitest-runner', '@stryker-mutator/typescript-checker'].map((p) => fileURLToPath(import.meta.resolve(p))),
    vitest: { configFile: 'mutation/vitest.config.ts', related: false },
    checkers: group.typecheck === false ? [] : ['typescript'],
    tsconfigFile: group.tsconfig,
    typescriptChecker: { prioritizePerformanceOverAccuracy: true },
    coverageAnalysis: 'perTest',
    // The workspace's packages resolve each other through pnpm's links, which a sandbox copy
    // would point back at the originals: mutate the files where they are (Stryker restores them).
    inPlace: true,
    // Vitest strips types without checking them: no '// @ts-nocheck' needs to go into any file
    // (in place, that would touch every source and test file of the workspace).
    disableTypeChecks: false,
    concurrency,
    incremental: !args.full,
    force: Boolean(args.full),
    incrementalFile: args['incremental-file'] ?? join('mutation', 'incremental', `${name}.json`),
    tempDirName: join('test-output', 'mutation', `.stryker-tmp-${name}`),
    reporters: ['html', 'json', 'clear-text', 'progress'],
    htmlReporter: { fileName: join(reportDir, 'index.html') },
    jsonReporter: { fileName: join(reportDir, 'mutation.json') },
    clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true, reportMutants: true },
    thresholds: { high: TARGET, low: 60, break: null },
    timeoutMS: group.timeoutMS ?? 10_000,
    ignoreStatic: group.ignoreStatic ?? true,
    cleanTempDir: 'always',
  });
  const results = await stryker.runMutationTest();
  keepIncrementalFilePortable(args['incremental-file'] ?? join('mutation', 'incremental', `${name}.json`));
  const count = (statuses) => results.filter((r) => statuses.has(r.status)).length;
  const detected = count(DETECTED);
  const undetected = count(UNDETECTED);
  const score = detected + undetected === 0 ? 100 : (100 * detected) / (detected + undetected);
  for (const key of Object.keys(group.env ?? {})) delete process.env[key];
  return {
    group: name,
    score: Math.round(score * 100) / 100,
    mutants: results.length,
    killed: count(new Set(['Killed'])),
    timeout: count(new Set(['Timeout'])),
    survived: count(new Set(['Survived'])),
    noCoverage: count(new Set(['NoCoverage'])),
    ignored: count(new Set(['Ignored'])),
    compileErrors: count(new Set(['CompileError'])),
    seconds: Math.round((Date.now() - started) / 1000),
  };
}

/**
 * The incremental file is committed: drop what names this machine (the project's folder and the
 * resolved configuration, plugin paths included). Stryker reads only the files and tests back.
 */
function keepIncrementalFilePortable(file) {
  if (!existsSync(file)) return;
  const report = JSON.parse(readFileSync(file, 'utf8'));
  delete report.projectRoot;
  delete report.config;
  writeFileSync(file, JSON.stringify(report));
}

const summary = [];
for (const name of names) {
  console.log(`\n[mutation] ${name}: ${GROUPS[name].mutate.join(', ')}`);
  const figures = await runGroup(name);
  summary.push(figures);
  console.log(
    `[mutation] ${name}: score ${figures.score.toFixed(2)} % (${figures.killed} killed, ${figures.timeout} timed out, ` +
      `${figures.survived} survived, ${figures.noCoverage} without coverage; ${figures.compileErrors} did not compile) in ${figures.seconds} s`,
  );
}
// A set whose parts all ran is scored as one group too: every part's mutants counted together.
for (const [set, parts] of Object.entries(GROUP_SETS)) {
  const figures = parts.map((part) => summary.find((f) => f.group === part));
  if (figures.some((f) => f === undefined)) continue;
  summary.push(combined(set, figures));
}
mkdirSync(join('test-output', 'mutation'), { recursive: true });
writeFileSync(join('test-output', 'mutation', 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
console.log('\n[mutation] group              score   mutants  time');
for (const f of summary) {
  console.log(`[mutation] ${f.group.padEnd(18)} ${`${f.score.toFixed(1)} %`.padStart(7)} ${String(f.mutants).padStart(8)}  ${f.seconds} s${f.score < TARGET ? `  (below ${TARGET} %)` : ''}`);
}
if (args.check && summary.some((f) => f.score < TARGET)) process.exit(1);

/** The figures of several groups as one: counts and seconds added, the score over all their mutants. */
function combined(group, figures) {
  const sum = (key) => figures.reduce((total, f) => total + f[key], 0);
  const detected = sum('killed') + sum('timeout');
  const undetected = sum('survived') + sum('noCoverage');
  const score = detected + undetected === 0 ? 100 : (100 * detected) / (detected + undetected);
  const keys = ['mutants', 'killed', 'timeout', 'survived', 'noCoverage', 'ignored', 'compileErrors', 'seconds'];
  return { group, score: Math.round(score * 100) / 100, ...Object.fromEntries(keys.map((key) => [key, sum(key)])), parts: figures.map((f) => f.group) };
}
