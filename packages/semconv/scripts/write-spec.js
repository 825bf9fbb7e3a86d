#!/usr/bin/env node
// Writes the contract as JSON where the Python client ships it. Run after changing a constant:
//   pnpm --filter @mini-agent/semconv build && node packages/semconv/scripts/write-spec.js
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { semconvSpec } from '../dist/index.js';

export const SPEC_PATH = join(dirname(fileURLToPath(import.meta.url)), '../../../python/src/mini_agent_otel/semconv.json');

const text = `${JSON.stringify(semconvSpec(), null, 2)}\n`;
writeFileSync(SPEC_PATH, text);
console.log(`wrote ${SPEC_PATH}`);
