import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as semconv from '../src/index.js';

const SPEC_FILE = join(dirname(fileURLToPath(import.meta.url)), '../../../python/src/mini_agent_otel/semconv.json');

describe('the machine-readable contract the Python client ships', () => {
  const shipped = JSON.parse(readFileSync(SPEC_FILE, 'utf8')) as semconv.SemconvSpec;

  it('is what the TypeScript constants say (run `pnpm --filter @mini-agent/semconv spec` after changing one)', () => {
    expect(shipped).toEqual(semconv.semconvSpec());
  });

  it('holds every ATTR_*/EVENT_* constant and every enum value, by the constant names', () => {
    for (const [key, value] of Object.entries(semconv)) {
      if (key.startsWith('ATTR_')) expect(shipped.attributes[key], key).toBe(value);
      if (key.startsWith('EVENT_')) expect(shipped.events[key], key).toBe(value);
    }
    expect(Object.values(shipped.enums.ToolCategories)).toEqual(semconv.TOOL_CATEGORIES);
    expect(Object.values(shipped.enums.SpanKinds)).toEqual(semconv.SPAN_KINDS);
    expect(shipped.genAi.TOOL_NAME).toBe(semconv.GenAiAttributes.TOOL_NAME);
  });
});
