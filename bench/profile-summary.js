// Prints where a V8 CPU profile spent its time: the functions with the most self time, and the
// ones with the most total time (self + callees), with their file and line.
//
//   pnpm bench --only pipeline-cpu --cpu-prof      (profiles in bench/results/profiles/)
//   node bench/profile-summary.js bench/results/profiles/<file>.cpuprofile [--top 30] [--match exporter-langfuse]
import { readFileSync } from 'node:fs';
import { exitWithUsageError, parseCommandLine } from './lib/cli.js';

const USAGE = `Usage: node bench/profile-summary.js <file.cpuprofile>... [--top N] [--match TEXT]

  --top N       how many functions each list shows (25)
  --match TEXT  only functions whose label (name, file, line) contains TEXT
  --help, -h    this text

Profiles come from: pnpm bench --only <name> --cpu-prof (bench/results/profiles/).`;

const { values: options, positionals } = parseCommandLine({
  name: 'profile-summary',
  hint: `\n\n${USAGE}`,
  usage: USAGE,
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' }, match: { type: 'string' } },
});
const top = Number(options.top);
if (positionals.length === 0) exitWithUsageError('profile-summary', 'no profile given', `\n\n${USAGE}`);
if (!Number.isInteger(top) || top < 1) exitWithUsageError('profile-summary', `--top wants a whole number above 0, not '${options.top}'`, `\n\n${USAGE}`);

for (const file of positionals) {
  let profile;
  try {
    profile = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    console.error(`profile-summary: cannot read ${file} as a V8 CPU profile: ${error.message}`);
    process.exitCode = 1;
    continue;
  }
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  // Sample counts per node; each sample is (roughly) one sampling interval.
  const hits = new Map();
  for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  const total = profile.samples.length;
  const interval = (profile.endTime - profile.startTime) / total / 1000; // ms a sample

  const label = (node) => {
    const f = node.callFrame;
    const where = f.url ? `${f.url.replace(/^file:\/\//, '').replace(/^.*?\/(packages|node_modules)\//, '$1/')}:${f.lineNumber + 1}` : '';
    return `${f.functionName || '(anonymous)'} ${where}`.trim();
  };
  const self = new Map();
  const inclusive = new Map();
  for (const [id, count] of hits) {
    const node = nodes.get(id);
    const name = label(node);
    self.set(name, (self.get(name) ?? 0) + count);
    // Every distinct function on the stack gets the sample once.
    const seen = new Set();
    for (let at = id; at !== undefined; at = parents.get(at)) {
      const frame = label(nodes.get(at));
      if (seen.has(frame)) continue;
      seen.add(frame);
      inclusive.set(frame, (inclusive.get(frame) ?? 0) + count);
    }
  }
  const print = (title, map) => {
    console.log(`\n${title}`);
    const rows = [...map].filter(([name]) => !options.match || name.includes(options.match)).sort((a, b) => b[1] - a[1]).slice(0, top);
    for (const [name, count] of rows) console.log(`${((count / total) * 100).toFixed(1).padStart(5)}%  ${(count * interval).toFixed(0).padStart(6)} ms  ${name}`);
  };
  console.log(`${file}: ${total} samples, ${((total * interval) / 1000).toFixed(1)} s`);
  print('self time', self);
  print('total time (self + callees)', inclusive);
}
