import { diag } from '@opentelemetry/api';

/** The environment variable that turns migrating off for every sink and CLI command of a process. */
export const MIGRATE_ENV = 'MINI_AGENT_MIGRATE';

const OFF = new Set(['false', '0', 'no', 'off']);
const ON = new Set(['true', '1', 'yes', 'on']);
let warned = false;

/**
 * Whether to migrate when the code does not say: `MINI_AGENT_MIGRATE=false` (or `0`, `no`, `off`)
 * says no, unset or `true` says yes. Anything else is a typo: it is reported once and the safe
 * default (migrate) is kept.
 */
export function migrateFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env[MIGRATE_ENV]?.trim().toLowerCase();
  if (value === undefined || value === '' || ON.has(value)) return true;
  if (OFF.has(value)) return false;
  if (!warned) {
    warned = true;
    diag.warn(`mini-agent: ${MIGRATE_ENV}=${JSON.stringify(env[MIGRATE_ENV])} is not true or false; migrating as by default`);
  }
  return true;
}
