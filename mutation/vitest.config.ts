import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import base from '../vitest.config.js';

// The suite's own configuration, narrowed to one mutation group's tests (MUTATION_TESTS, set by
// run.mjs) and without the JSON report, which belongs to the ordinary test run.
const tests = (process.env.MUTATION_TESTS ?? '').split(',').filter(Boolean);

export default defineConfig({
  ...base,
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: { ...base.test, include: tests, reporters: ['default'], isolate: process.env.MUTATION_ISOLATE !== '0' },
});
