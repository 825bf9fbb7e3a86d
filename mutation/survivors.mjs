#!/usr/bin/env node
// `node mutation/survivors.mjs <group>`: the mutants of a group's last run that no test detected
// (survived or not covered), each with its file, line, mutator and the code it was replaced with,
// read from test-output/mutation/<group>/mutation.json (run.mjs writes it).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const group = process.argv[2];
if (!group) {
  console.error('usage: node mutation/survivors.mjs <group>');
  process.exit(2);
}
const report = JSON.parse(readFileSync(join(ROOT, 'test-output', 'mutation', group, 'mutation.json'), 'utf8'));
for (const [file, { source, mutants }] of Object.entries(report.files)) {
  const lines = source.split('\n');
  const undetected = mutants.filter((m) => m.status === 'Survived' || m.status === 'NoCoverage');
  undetected.sort((a, b) => a.location.start.line - b.location.start.line);
  if (undetected.length > 0) console.log(`\n${file}: ${undetected.length} of ${mutants.length} undetected`);
  for (const m of undetected) {
    const { line } = m.location.start;
    console.log(`  ${line} ${m.status === 'NoCoverage' ? '(no coverage) ' : ''}${m.mutatorName}: ${JSON.stringify(m.replacement ?? '').slice(0, 100)}`);
    console.log(`      ${lines[line - 1]?.trim().slice(0, 140)}`);
  }
}
