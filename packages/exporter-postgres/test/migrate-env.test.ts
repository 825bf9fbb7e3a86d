import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { migrateFromEnv } from '../src/index.js';

describe('MINI_AGENT_MIGRATE', () => {
  it('turns migrating off with false, 0, no or off, in any case; on when unset, empty or true', () => {
    for (const value of ['false', 'FALSE', '0', 'no', ' off ']) expect(migrateFromEnv({ MINI_AGENT_MIGRATE: value }), value).toBe(false);
    for (const value of [undefined, '', 'true', '1', 'yes', 'On']) expect(migrateFromEnv({ MINI_AGENT_MIGRATE: value }), String(value)).toBe(true);
  });

  it('keeps migrating on a value it does not understand, and says so once', () => {
    const warnings: string[] = [];
    const logger = { warn: (message: string) => warnings.push(message), error() {}, info() {}, debug() {}, verbose() {} } as DiagLogger;
    diag.setLogger(logger, DiagLogLevel.WARN);
    try {
      expect(migrateFromEnv({ MINI_AGENT_MIGRATE: 'flase' })).toBe(true);
      expect(migrateFromEnv({ MINI_AGENT_MIGRATE: 'nope' })).toBe(true);
    } finally {
      diag.disable();
    }
    expect(warnings).toEqual(['mini-agent: MINI_AGENT_MIGRATE="flase" is not true or false; migrating as by default']);
  });
});
