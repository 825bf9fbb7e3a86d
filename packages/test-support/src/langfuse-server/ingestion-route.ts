import type { IngestionEventValidator } from '../langfuse-openapi.js';
import type { IngestionEventLike } from '../langfuse-store.js';
import type { LangfuseDeployment } from './write-path.js';

/** The 207 body Langfuse answers: one entry per event, in `successes` (201) or `errors`. */
export interface IngestionOutcome {
  successes: { id: string; status: number }[];
  errors: { id: string; status: number; message?: string; error?: unknown }[];
}

/** A 207 fault: these events fail with this status (`left` counts down per matching event). */
export interface EventFault {
  readonly status: number;
  readonly message?: string;
  readonly match?: (event: IngestionEventLike) => boolean;
  left: number;
}

// Langfuse refuses environments outside this pattern (a server rule the OpenAPI document does not state).
const ENVIRONMENT_PATTERN = /^(?!langfuse)[a-z0-9-_]+$/;

/** Event types a v4 server in `events_only` mode still takes on the legacy API. */
const EVENTS_ONLY_ALLOWED = new Set(['score-create', 'sdk-log']);

/**
 * Handles one `POST /api/public/ingestion` batch as Langfuse does: a v4 server in `events_only`
 * mode refuses every trace and observation event (400 "Event type not accepted", with its
 * remediation text) and still processes scores and SDK logs; the rest is validated against the
 * OpenAPI document, then stored.
 */
export function ingestBatch(
  batch: unknown[],
  deployment: LangfuseDeployment,
  validator: () => IngestionEventValidator,
  faults: readonly EventFault[],
  accept: (event: IngestionEventLike) => void,
): IngestionOutcome {
  const outcome: IngestionOutcome = { successes: [], errors: [] };
  const eventsOnly = deployment.version === 4 && deployment.writeMode === 'events_only';
  for (const raw of batch) {
    const id = typeof (raw as { id?: unknown })?.id === 'string' ? (raw as { id: string }).id : 'unknown';
    const type = typeof (raw as { type?: unknown })?.type === 'string' ? (raw as { type: string }).type : null;
    if (eventsOnly && !(type !== null && EVENTS_ONLY_ALLOWED.has(type))) {
      outcome.errors.push({ id, status: 400, message: 'Event type not accepted', error: eventsOnlyRefusal(type) });
      continue;
    }
    const verdict = validator().validate(raw);
    if (!verdict.ok) {
      outcome.errors.push({ id, status: 400, message: 'Invalid request data', error: verdict.message });
      continue;
    }
    const event = raw as IngestionEventLike;
    const environment = event.body.environment;
    if (typeof environment === 'string' && (environment.length > 40 || !ENVIRONMENT_PATTERN.test(environment))) {
      outcome.errors.push({ id, status: 400, message: 'Invalid request data', error: `environment "${environment}" must match ${ENVIRONMENT_PATTERN} (max 40 characters)` });
      continue;
    }
    const fault = faults.find((f) => f.left > 0 && (f.match?.(event) ?? true));
    if (fault) {
      fault.left -= 1;
      outcome.errors.push({ id, status: fault.status, message: fault.message ?? defaultMessage(fault.status) });
      continue;
    }
    accept(event);
    outcome.successes.push({ id, status: 201 });
  }
  return outcome;
}

/** What a v4 server says about each refused event (its wording, in substance). */
function eventsOnlyRefusal(type: string | null): string {
  return (
    `Event type "${type ?? 'unknown'}" is not accepted by /api/public/ingestion when LANGFUSE_MIGRATION_V4_WRITE_MODE is events_only. ` +
    'This endpoint only accepts score and log events. Upgrade the client or integration to a v4-compatible SDK or OTLP ingestion path.'
  );
}

/** The message Langfuse's API gives with a status. */
export function defaultMessage(status: number): string {
  if (status === 429) return 'Rate limit exceeded';
  if (status === 400) return 'Invalid request data';
  if (status === 401) return 'Unauthorized';
  if (status >= 500) return 'Internal Server Error';
  return `HTTP ${status}`;
}
