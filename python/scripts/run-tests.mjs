#!/usr/bin/env node
// Runs the Python suite the way the README's test command does: makes the virtual environment
// (scripts/ensure-venv.sh: PyPI into python/.venv), runs pytest with a JUnit report, and writes
// test-output/summary-python.json ({"passed","failed","skipped"}). Without Python 3.10+ the
// suite is skipped, and says so. Exit code: pytest's (0 when skipped for want of Python).
// Extra arguments go to pytest: node python/scripts/run-tests.mjs -k bridge
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PYTHON_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = join(PYTHON_DIR, '..');
const OUT = join(ROOT, 'test-output');
const JUNIT = join(OUT, 'pytest.xml');
const SUMMARY = join(OUT, 'summary-python.json');
mkdirSync(OUT, { recursive: true });
rmSync(JUNIT, { force: true });

const say = (line) => console.log(`[python] ${line}`);
const write = (summary) => writeFileSync(SUMMARY, `${JSON.stringify(summary)}\n`);
const started = Date.now();

const python = process.env.PYTHON ?? 'python3';
const probe = spawnSync(python, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2]); sys.exit(0 if sys.version_info >= (3, 10) else 1)'], { encoding: 'utf8' });
if (probe.error || probe.status !== 0) {
  say(`Python tests SKIPPED: ${probe.error ? `no ${python} on PATH` : `${python} is ${probe.stdout.trim()}, 3.10+ is needed`}`);
  write({ passed: 0, failed: 0, skipped: 0 });
  process.exit(0);
}

const venv = spawnSync('bash', [join(PYTHON_DIR, 'scripts/ensure-venv.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const venvPython = venv.stdout?.trim().split('\n').pop();
if (venv.status !== 0 || !venvPython) {
  say(`could not prepare the virtual environment (exit ${venv.status}): see above`);
  write({ passed: 0, failed: 1, skipped: 0 });
  process.exit(1);
}
const installed = Date.now();

const pytest = spawnSync(venvPython, ['-m', 'pytest', `--junitxml=${JUNIT}`, '-o', 'junit_family=xunit2', ...process.argv.slice(2)], {
  cwd: PYTHON_DIR,
  stdio: 'inherit',
});
const summary = countsOf(JUNIT);
if (!summary) {
  say(`pytest wrote no report (exit ${pytest.status ?? pytest.signal})`);
  write({ passed: 0, failed: 1, skipped: 0 });
  process.exit(1);
}
write(summary);
say(`${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped ` +
  `(venv ${((installed - started) / 1000).toFixed(1)} s, pytest ${((Date.now() - installed) / 1000).toFixed(1)} s)`);
// pytest exits 5 when it collected nothing: a suite that ran no test has failed.
process.exit(pytest.status === 0 && summary.passed + summary.failed > 0 ? 0 : 1);

/** Totals of a JUnit XML report (one or several <testsuite> elements). */
function countsOf(path) {
  let xml;
  try {
    xml = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  const totals = { passed: 0, failed: 0, skipped: 0 };
  for (const [, attributes] of xml.matchAll(/<testsuite\b([^>]*)>/g)) {
    const n = (name) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(attributes)?.[1] ?? 0);
    const failed = n('failures') + n('errors');
    totals.failed += failed;
    totals.skipped += n('skipped');
    totals.passed += n('tests') - failed - n('skipped');
  }
  return totals;
}
