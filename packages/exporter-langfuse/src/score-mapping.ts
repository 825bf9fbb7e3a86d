import type { AgentRecord, JsonObject, ScoreRecord } from '@mini-agent/core';
import { langfuseEnvironment } from './mapping.js';

/** Langfuse's score data types this exporter sends. */
export type LangfuseScoreDataType = 'NUMERIC' | 'CATEGORICAL' | 'BOOLEAN';

/**
 * One Langfuse score (`POST /api/public/scores`, `CreateScoreRequest`): the score's own id, so a
 * score sent again (a retried export, feedback changed later) updates the stored one.
 */
export interface LangfuseScore {
  readonly id: string;
  readonly traceId: string;
  /** The observation judged (the span's id); `null` for a score on the whole trace. */
  readonly observationId: string | null;
  readonly name: string;
  /** A number for NUMERIC and BOOLEAN (0 or 1), the label for CATEGORICAL. */
  readonly value: number | string;
  readonly dataType: LangfuseScoreDataType;
  readonly comment: string | null;
  readonly metadata: JsonObject;
  readonly environment: string | null;
  /** The span whose records carried the score, to find them again for a retry. */
  readonly sourceSpanId: string;
}

/** Options of {@link mapScores}. */
export interface ScoreMappingOptions {
  /** The environment configured for the sink; else the trace's own (from its records in the batch). */
  readonly environment?: string;
}

/**
 * The scores of a batch as Langfuse scores. A trace score carries `traceId` only: Langfuse takes
 * exactly one of traceId, sessionId or datasetRunId, and our session scores judge one trace. Our
 * source, author and a numeric score's label go into metadata (Langfuse's own `source` marks
 * annotation-queue scores and needs a score config).
 */
export function mapScores(records: readonly AgentRecord[], options: ScoreMappingOptions = {}): LangfuseScore[] {
  const environments = new Map<string, string | null>();
  for (const r of records) if (r.type === 'trace' && r.environment) environments.set(r.traceId, r.environment);
  const scores: LangfuseScore[] = [];
  for (const r of records) if (r.type === 'score') scores.push(toScore(r, langfuseEnvironment(options.environment ?? environments.get(r.traceId))));
  return scores;
}

function toScore(r: ScoreRecord, environment: string | null): LangfuseScore {
  const metadata: JsonObject = { ...r.metadata, source: r.source };
  if (r.author !== null) metadata.author = r.author;
  if (r.sessionId !== null) metadata.session_id = r.sessionId;
  const categorical = r.dataType === 'categorical';
  if (!categorical && r.label !== null) metadata.label = r.label;
  return {
    id: r.id,
    traceId: r.traceId,
    observationId: r.targetSpanId,
    name: r.name,
    value: categorical ? (r.label ?? String(r.value)) : (r.value ?? 0),
    dataType: categorical ? 'CATEGORICAL' : r.dataType === 'boolean' ? 'BOOLEAN' : 'NUMERIC',
    comment: r.explanation,
    metadata,
    environment,
    sourceSpanId: r.spanId,
  };
}

/** The request body Langfuse's score route validates (no nulls where the schema says optional). */
export function scoreRequestBody(score: LangfuseScore): Record<string, unknown> {
  const body: Record<string, unknown> = {
    id: score.id,
    traceId: score.traceId,
    name: score.name,
    value: score.value,
    dataType: score.dataType,
    metadata: score.metadata,
  };
  if (score.observationId !== null) body.observationId = score.observationId;
  if (score.comment !== null) body.comment = score.comment;
  if (score.environment !== null) body.environment = score.environment;
  return body;
}
