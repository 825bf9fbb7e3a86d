/**
 * `POST /api/public/scores` as Langfuse's server handles it (web/src/pages/api/public/scores and
 * the shared `PostScoresBody` schema, read in December 2026): the body is validated, given an id
 * when it has none, and processed as one `score-create` event, which upserts by id — a score sent
 * again with the same id replaces the first. The answer is `200 { id }`, or the validation's
 * `400 { message }`.
 */

/** A score body that passed validation, with the defaults the server applies. */
export interface ScoreBody {
  id: string;
  name: string;
  traceId: string | null;
  sessionId: string | null;
  datasetRunId: string | null;
  observationId: string | null;
  /** `NUMERIC` / `BOOLEAN` values are numbers, `CATEGORICAL` / `CORRECTION` values strings. */
  value: number | string;
  dataType: ScoreDataType;
  comment: string | null;
  metadata: unknown;
  environment: string;
  source: 'API' | 'ANNOTATION';
  configId: string | null;
}

/** Langfuse's score data types (`ScoreDataType` of the OpenAPI document; TEXT is read-only here). */
export type ScoreDataType = 'NUMERIC' | 'CATEGORICAL' | 'BOOLEAN' | 'CORRECTION';

/** What the route answers for one body. */
export type ScoreValidation = { readonly ok: true; readonly body: ScoreBody } | { readonly ok: false; readonly message: string };

/** Langfuse's environment rule: lower case letters, digits, `-` and `_`, not starting with `langfuse`, at most 40. */
const ENVIRONMENT = /^(?!langfuse)[a-z0-9-_]+$/;

const nullish = (v: unknown): v is null | undefined => v === null || v === undefined;
const optionalString = (v: unknown): v is string | null | undefined => nullish(v) || typeof v === 'string';

/**
 * Validates a body the way the server's schema does: a non-empty name; exactly one of traceId
 * (with an optional observationId), sessionId or datasetRunId; the value's type matching the data
 * type (inferred from the value when absent: a number is NUMERIC, anything else CATEGORICAL); a
 * BOOLEAN value of 0 or 1; source API or ANNOTATION (EVAL is the server's own, and ANNOTATION needs
 * a config). This test server keeps no score configs, so a `configId` is refused as unknown.
 */
export function validateScoreBody(raw: unknown, newId: () => string): ScoreValidation {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return invalid('Invalid request data: expected an object');
  const b = raw as Record<string, unknown>;
  for (const field of ['id', 'traceId', 'sessionId', 'datasetRunId', 'observationId', 'comment', 'configId', 'environment']) {
    if (!optionalString(b[field])) return invalid(`Invalid request data: ${field} must be a string`);
  }
  if (typeof b.name !== 'string' || b.name.trim() === '') return invalid('Invalid request data: name must be a non-empty string');
  const hasTrace = !!b.traceId;
  const hasSession = !!b.sessionId;
  const hasRun = !!b.datasetRunId;
  const target =
    (hasTrace && !hasSession && !hasRun) ||
    (hasSession && !hasTrace && !hasRun && !b.observationId) ||
    (hasRun && !hasTrace && !hasSession && !b.observationId);
  if (!target) {
    return invalid(
      'Provide exactly one of the following: traceId (with optional observationId), sessionId or datasetRunId. ObservationId requires traceId.',
    );
  }
  const dataType = nullish(b.dataType) ? (typeof b.value === 'number' ? 'NUMERIC' : 'CATEGORICAL') : b.dataType;
  const value = b.value;
  switch (dataType) {
    case 'NUMERIC':
      if (typeof value !== 'number' || !Number.isFinite(value)) return invalid('Invalid request data: value must be a number for data type NUMERIC');
      break;
    case 'BOOLEAN':
      if (value !== 0 && value !== 1) return invalid('Value must be a number equal to either 0 or 1 for data type BOOLEAN');
      break;
    case 'CATEGORICAL':
    case 'CORRECTION':
      if (typeof value !== 'string') return invalid(`Invalid request data: value must be a string for data type ${dataType}`);
      break;
    default:
      return invalid(`Invalid request data: unknown dataType ${JSON.stringify(dataType)}`);
  }
  const source = nullish(b.source) ? 'API' : b.source;
  if (source !== 'API' && source !== 'ANNOTATION') return invalid(`Invalid request data: source ${JSON.stringify(source)} is not accepted on this endpoint`);
  if (typeof b.configId === 'string') return invalid(`No score config with id ${b.configId} found`);
  if (source === 'ANNOTATION' && dataType !== 'CORRECTION') return invalid('configId is required for scores with source ANNOTATION');
  const environment = typeof b.environment === 'string' ? b.environment : 'default';
  if (environment.length > 40 || !ENVIRONMENT.test(environment)) return invalid(`Invalid environment ${JSON.stringify(environment)}`);
  return {
    ok: true,
    body: {
      id: typeof b.id === 'string' && b.id !== '' ? b.id : newId(),
      name: b.name,
      traceId: (b.traceId as string | null | undefined) ?? null,
      sessionId: (b.sessionId as string | null | undefined) ?? null,
      datasetRunId: (b.datasetRunId as string | null | undefined) ?? null,
      observationId: (b.observationId as string | null | undefined) ?? null,
      value: value as number | string,
      dataType: dataType as ScoreDataType,
      comment: (b.comment as string | null | undefined) ?? null,
      metadata: b.metadata ?? null,
      environment,
      source,
      configId: null,
    },
  };
}

function invalid(message: string): ScoreValidation {
  return { ok: false, message };
}
