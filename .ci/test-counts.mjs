// Test counts for CI's one closing line.
//   node .ci/test-counts.mjs lane <vitest.json> <summary.json> <exit status>
//       turns one lane's vitest JSON report into {"passed","failed","skipped"};
//   node .ci/test-counts.mjs total
//       sums the main run (test-output/vitest.json) and every test-output/summary-*.json into
//       "N passed, N failed[, N skipped]" and exits 1 when anything failed or a report is missing.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const OUT = 'test-output';

/**
 * Counts from a vitest JSON report. A test file that fails before any test runs (an import error)
 * reports no failed test, and a run that exits non-zero with nothing failed had an unhandled
 * error: each is counted as one failure, so a broken lane can never read as green.
 */
function countsOf(reportPath, exitStatus) {
  if (!existsSync(reportPath)) return { passed: 0, failed: 1, skipped: 0 };
  const r = JSON.parse(readFileSync(reportPath, 'utf8'));
  const brokenFiles = (r.testResults ?? []).filter(
    (f) => f.status === 'failed' && !(f.assertionResults ?? []).some((t) => t.status === 'failed'),
  ).length;
  let failed = (r.numFailedTests ?? 0) + brokenFiles;
  if (failed === 0 && exitStatus !== undefined && exitStatus !== 0) failed = 1;
  return { passed: r.numPassedTests ?? 0, failed, skipped: (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0) };
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'lane') {
  const [report, summary, status] = args;
  const counts = countsOf(report, Number(status));
  writeFileSync(summary, `${JSON.stringify(counts)}\n`);
  console.log(`[ci] ${summary}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
} else if (mode === 'total') {
  const total = countsOf(join(OUT, 'vitest.json'));
  const summaries = existsSync(OUT) ? readdirSync(OUT).filter((f) => /^summary-.+\.json$/.test(f)).sort() : [];
  for (const file of summaries) {
    let lane;
    try {
      lane = JSON.parse(readFileSync(join(OUT, file), 'utf8'));
    } catch {
      lane = { passed: 0, failed: 1, skipped: 0 };
    }
    for (const key of ['passed', 'failed', 'skipped']) total[key] += Number(lane[key] ?? 0);
  }
  console.log(`${total.passed} passed, ${total.failed} failed` + (total.skipped ? `, ${total.skipped} skipped` : ''));
  process.exit(total.failed > 0 ? 1 : 0);
} else {
  console.error('usage: node .ci/test-counts.mjs lane <vitest.json> <summary.json> <status> | total');
  process.exit(2);
}
