import { diag } from '@opentelemetry/api';

/**
 * Runs one piece of telemetry work and swallows what it throws: a broken exporter, span
 * processor or diag logger must never become the agent's error. The failure is reported through
 * OTel's `diag` logger, the channel OpenTelemetry itself uses for its own problems.
 */
export function quietly<T>(what: string, action: () => T): T | undefined {
  try {
    return action();
  } catch (error) {
    try {
      diag.warn(`@mini-agent/otel: ${what} failed; the agent continues without it`, error);
    } catch {
      // A throwing diag logger has nowhere left to report to.
    }
    return undefined;
  }
}
